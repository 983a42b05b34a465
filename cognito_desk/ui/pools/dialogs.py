"""The Pool menu's dialogs: delete, duplicate, export (JSON or CloudFormation), import and compare with file.

Each dialog works on the window's current connection through the runner (busy state, cancel, errors shown in
the dialog, explained), never blocking. :class:`DeleteDialog` counts the pool's identities before asking;
:class:`DuplicateDialog` and :class:`ImportDialog` show the import preview (what will be created, ARN mapping,
warnings) before anything is made, and a failure midway offers Roll back; :class:`ExportDialog` writes the
export document or the CloudFormation template; :class:`CompareDialog` lists the drift between the live pool
and a file, field by field. Files are chosen with a path field and Browse….
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...admin.cloudformation import cloudformation_template
from ...admin.drift import compare_with_file
from ...admin.pools import count_identities, delete_confirmation
from ...admin.provision import ProvisioningFailed, provision, roll_back
from ...admin.transfer import ImportPreview, check_document, export_pool, plan_duplicate, plan_import
from ...settings.documents import load_json, read_document_text
from ..context import AppContext
from ..pages import PoolRef
from ..widgets.error_banner import ErrorBanner
from .settings_page import DifferencesView


class _PoolDialog(QDialog):
    """A dialog with an error banner on top, a body, a status line and OK/Cancel buttons."""

    def __init__(self, ctx: AppContext, connection, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.connection = connection
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.errors = ErrorBanner(name=f"{title} error")
        self.body = QVBoxLayout()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Status")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setAccessibleName(ok_text)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Close")
        self.buttons.accepted.connect(self.go)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.errors)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(640, 420)

    def go(self) -> None:
        """The OK button's action."""

    def run(self, coro, label: str, on_success, **options):
        return self.ctx.runner.run(coro, label=label, busy=self, errors=self.errors, on_success=on_success,
                                   **options)


def _path_row(name: str, save: bool, parent: QWidget) -> tuple[QLineEdit, QHBoxLayout]:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    browse = QPushButton("Browse…")
    browse.setAccessibleName(f"Choose the {name.lower()}")

    def choose() -> None:
        pick = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        chosen, _ = pick(parent, name, edit.text(), "Pool export (*.cdpool *.json);;All files (*)")
        if chosen:
            edit.setText(chosen)

    browse.clicked.connect(choose)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return edit, row


def _read_document(path: str) -> dict:
    return check_document(load_json(read_document_text(path, "pool export"), path))


class DeleteDialog(_PoolDialog):
    deleted = Signal(str)

    def __init__(self, ctx: AppContext, pool: PoolRef, parent: QWidget | None = None) -> None:
        super().__init__(ctx, pool.connection, "Delete identity pool", "Delete", parent)
        self.pool = pool
        self.question = QLabel(f"Counting the identities of “{pool.name}”…")
        self.question.setWordWrap(True)
        self.question.setAccessibleName("Confirmation")
        self.body.addWidget(self.question)
        self.body.addStretch()
        self.resize(560, 170)
        self.ok_button.setEnabled(False)
        self.run(count_identities(pool.connection.identity, pool.pool_id), "Counting identities", self._counted)

    def _counted(self, counted: tuple[int, bool]) -> None:
        self.question.setText(delete_confirmation({"IdentityPoolName": self.pool.name,
                                                   "IdentityPoolId": self.pool.pool_id}, *counted))
        self.ok_button.setEnabled(True)

    def go(self) -> None:
        self.run(self.connection.identity.delete_identity_pool(identity_pool_id=self.pool.pool_id),
                 f"Deleting {self.pool.name}", lambda _: self._deleted())

    def _deleted(self) -> None:
        self.deleted.emit(self.pool.pool_id)
        self.accept()


class _ProvisionDialog(_PoolDialog):
    """Shows an :class:`ImportPreview`, then creates it; a failure midway offers Roll back."""

    created = Signal(dict)

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.preview: ImportPreview | None = None
        self.failed: ProvisioningFailed | None = None
        self.preview_view = QTreeWidget()
        self.preview_view.setAccessibleName("Preview")
        self.preview_view.setHeaderLabels(["What", "Details"])
        self.preview_view.setRootIsDecorated(False)
        self.preview_view.setColumnWidth(0, 130)
        self.warnings = QLabel("")
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName("Warnings")
        self.warnings.hide()
        self.roll_back_button = QPushButton("Roll back")
        self.roll_back_button.setAccessibleName("Roll back")
        self.roll_back_button.clicked.connect(self.roll_back)
        self.buttons.addButton(self.roll_back_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.roll_back_button.hide()
        self.resize(760, 440)

    def show_preview(self, preview: ImportPreview) -> None:
        self.preview = preview
        self.preview_view.clear()
        rows = list(preview.rows)
        rows += [("ARN mapping", f"{source} → {target}") for source, target in preview.arn_mapping.items()
                 if source != target]
        for what, details in rows:
            item = QTreeWidgetItem([what, details])
            item.setToolTip(1, details)
            self.preview_view.addTopLevelItem(item)
        self.warnings.setText("\n".join(f"⚠ {warning}" for warning in preview.warnings))
        self.warnings.setVisible(bool(preview.warnings))
        self.ok_button.setEnabled(True)

    def go(self) -> None:
        if self.preview is None:
            return
        self.ok_button.setEnabled(False)
        self.run(provision(self.connection.identity, self.connection.iam, self.preview.provisioning,
                           lambda step: self.status.setText(f"{step}…")),
                 "Creating the pool", self._created, on_failure=self._failed)

    def _created(self, created) -> None:
        self.created.emit(created.pool)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ProvisioningFailed):
            self.failed = error
            self.status.setText("Already created: " + ("; ".join(error.created.summary()) or "nothing") + ".")
            self.errors.show_error(error.cause, label=error.step)
            self.roll_back_button.setVisible(bool(error.created.summary()))
        else:
            self.errors.show_error(error, label="Creating the pool")
        self.ok_button.setEnabled(True)

    def roll_back(self) -> None:
        if self.failed is None:
            return
        self.run(roll_back(self.connection.identity, self.connection.iam, self.failed.created), "Rolling back",
                 self._rolled_back)

    def _rolled_back(self, left: list[str]) -> None:
        if left:
            self.status.setText("Could not delete: " + "; ".join(left))
            return
        self.failed = None
        self.roll_back_button.hide()
        self.errors.clear()
        self.status.setText("Rolled back: nothing was left behind.")


class DuplicateDialog(_ProvisionDialog):
    def __init__(self, ctx: AppContext, pool: PoolRef, parent: QWidget | None = None) -> None:
        super().__init__(ctx, pool.connection, "Duplicate identity pool", "Duplicate", parent)
        self.pool = pool
        self.name = QLineEdit(f"{pool.name} copy"[:128])
        self.name.setAccessibleName("Name of the copy")
        self.copy_roles = QCheckBox("Copy the roles too (new roles named <role>-copy that trust the copy)")
        self.copy_roles.setAccessibleName("Copy the roles")
        self.copy_roles.setChecked(True)
        self.preview_button = QPushButton("Preview")
        self.preview_button.setAccessibleName("Preview the copy")
        self.preview_button.clicked.connect(self.make_preview)
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("", self.copy_roles)
        form.addRow("", self.preview_button)
        self.body.addLayout(form)
        self.body.addWidget(self.preview_view, 1)
        self.body.addWidget(self.warnings)
        self.ok_button.setEnabled(False)
        self.name.textEdited.connect(lambda _: self.ok_button.setEnabled(False))
        self.copy_roles.toggled.connect(lambda _: self.ok_button.setEnabled(False))

    def make_preview(self) -> None:
        self.run(plan_duplicate(self.connection, self.pool.pool_id, self.name.text().strip(),
                                copy_roles=self.copy_roles.isChecked()), "Preparing the copy", self.show_preview)


class ImportDialog(_ProvisionDialog):
    def __init__(self, ctx: AppContext, connection, parent: QWidget | None = None) -> None:
        super().__init__(ctx, connection, f"Import identity pool into {connection.name}", "Import", parent)
        self.path, row = _path_row("Export file", False, self)
        self.name = QLineEdit()
        self.name.setAccessibleName("Name of the new pool")
        self.name.setPlaceholderText("the exported name")
        self.preview_button = QPushButton("Preview")
        self.preview_button.setAccessibleName("Preview the import")
        self.preview_button.clicked.connect(self.make_preview)
        form = QFormLayout()
        form.addRow("File:", row)
        form.addRow("Name:", self.name)
        form.addRow("", self.preview_button)
        self.body.addLayout(form)
        self.body.addWidget(self.preview_view, 1)
        self.body.addWidget(self.warnings)
        self.ok_button.setEnabled(False)
        self.path.textEdited.connect(lambda _: self.ok_button.setEnabled(False))

    def make_preview(self) -> None:
        path, name = self.path.text().strip(), self.name.text().strip() or None

        async def prepare() -> ImportPreview:
            document = await asyncio.to_thread(_read_document, path)
            return await plan_import(document, self.connection, name=name)

        self.run(prepare(), "Reading the export", self.show_preview)


class ExportDialog(_PoolDialog):
    def __init__(self, ctx: AppContext, pool: PoolRef, parent: QWidget | None = None, *,
                 cloudformation: bool = False) -> None:
        title = "Export as CloudFormation" if cloudformation else "Export identity pool"
        super().__init__(ctx, pool.connection, title, "Export", parent)
        self.pool = pool
        self.cloudformation = cloudformation
        suffix = "-cloudformation.json" if cloudformation else ".cdpool"
        self.path, row = _path_row("Export file", True, self)
        self.path.setText(str(Path.home() / f"{pool.name.replace(' ', '-')}{suffix}"))
        form = QFormLayout()
        form.addRow("Save to:", row)
        self.body.addLayout(form)
        self.body.addStretch()

    def go(self) -> None:
        path = Path(self.path.text().strip())

        async def export() -> dict:
            document = await export_pool(self.connection, self.pool.pool_id)
            result = cloudformation_template(document) if self.cloudformation else document
            await asyncio.to_thread(path.write_text, json.dumps(result, indent=2) + "\n", "utf-8")
            return document

        self.run(export(), f"Exporting {self.pool.name}", self._exported)

    def _exported(self, document: dict) -> None:
        missing = document.get("Unavailable", {})
        self.status.setText(f"Saved {self.path.text()}." + (
            " Not in the export (the backend could not answer): " + ", ".join(missing) if missing else ""))
        self.ok_button.setEnabled(False)
        self.cancel_button.setText("Close")


class CompareDialog(_PoolDialog):
    def __init__(self, ctx: AppContext, pool: PoolRef, parent: QWidget | None = None) -> None:
        super().__init__(ctx, pool.connection, "Compare with file", "Compare", parent)
        self.pool = pool
        self.path, row = _path_row("Export file", False, self)
        form = QFormLayout()
        form.addRow("File:", row)
        self.body.addLayout(form)
        self.view = DifferencesView("Differences", ("Field", "In the file", "Live"))
        self.view.setColumnWidth(0, 420)
        self.body.addWidget(self.view, 1)
        self.cancel_button.setText("Close")
        self.resize(900, 480)

    def go(self) -> None:
        path = self.path.text().strip()

        async def compare():
            document = await asyncio.to_thread(_read_document, path)
            return await compare_with_file(self.connection, self.pool.pool_id, document)

        self.run(compare(), f"Comparing {self.pool.name}", self._compared)

    def _compared(self, found) -> None:
        self.view.show_differences(found)
        self.status.setText(f"{len(found)} difference{'s' if len(found) != 1 else ''} between the file and the "
                            f"live pool." if found else "No drift: the live pool matches the file.")
