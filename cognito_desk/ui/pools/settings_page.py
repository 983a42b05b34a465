"""The pool's Settings tab: edit, validate inline, save read–modify–write, and settle a concurrent change.

Owns :class:`SettingsPage`. When shown, it takes the selected pool from the pool state (``DescribeIdentityPool``,
shared with the other tabs) into an :class:`~cognito_desk.admin.pools.PoolEdit`; every keystroke writes the form
into the edit (:func:`~cognito_desk.admin.pool_form.apply_fields`) and shows the service model's problems under the
field they concern, with Save disabled until there are none and something changed. Save goes through the pool
state, which re-reads the pool first: when it changed elsewhere than in this app (another tab's save only moves the
edit onto what was saved), the conflict panel lists what changed, field by field, and offers Reload (drop my edits)
or Overwrite (save mine anyway). Members the form does not show are always sent back unchanged.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...admin.diff import Difference, shown
from ...admin.pool_form import PoolFields, apply_fields, fields_of
from ...admin.pool_state import POOL
from ...admin.pools import Conflict, PoolEdit
from ..context import AppContext
from ..pages import PoolRef, PoolTab
from ..widgets.error_banner import ErrorBanner
from .fields import ProblemLabel, ProviderFields, with_problem


class DifferencesView(QTreeWidget):
    """Differences as rows: field, one side, the other side."""

    def __init__(self, name: str, headers: tuple[str, str, str]) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setHeaderLabels(list(headers))
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setColumnWidth(0, 320)
        self.setColumnWidth(1, 220)

    def show_differences(self, found: list[Difference]) -> None:
        self.clear()
        for difference in found:
            item = QTreeWidgetItem([difference.path, shown(difference.before), shown(difference.after)])
            for column in range(3):
                item.setToolTip(column, item.text(column))
            self.addTopLevelItem(item)


class SettingsPage(PoolTab, QWidget):
    #: A save went through (the pool as saved), e.g. for the pool list to show a new name.
    saved = Signal(dict)
    parts = frozenset({POOL})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pool: PoolRef | None = None
        self.edit: PoolEdit | None = None
        self.setAccessibleName("Pool settings")
        self.errors = ErrorBanner(name="Settings error")
        self.conflict = QFrame()
        self.conflict.setObjectName("errorBanner")
        self.conflict.setAccessibleName("Conflicting change")
        self.conflict_text = QLabel("This pool was changed elsewhere after you opened it. What changed:")
        self.conflict_text.setWordWrap(True)
        self.conflict_view = DifferencesView("Changes made elsewhere", ("Field", "When you opened it", "Now"))
        self.reload_button = QPushButton("Reload (discard my changes)")
        self.reload_button.setAccessibleName("Reload the pool and discard my changes")
        self.reload_button.clicked.connect(self.reread)
        self.overwrite_button = QPushButton("Overwrite with my changes")
        self.overwrite_button.setAccessibleName("Overwrite the other change with mine")
        self.overwrite_button.clicked.connect(lambda: self.save(overwrite=True))
        conflict_buttons = QHBoxLayout()
        conflict_buttons.addStretch()
        conflict_buttons.addWidget(self.reload_button)
        conflict_buttons.addWidget(self.overwrite_button)
        box = QVBoxLayout(self.conflict)
        box.addWidget(self.conflict_text)
        box.addWidget(self.conflict_view)
        box.addLayout(conflict_buttons)
        self.conflict.hide()

        self.name = QLineEdit()
        self.name.setAccessibleName("Pool name")
        self.name.textEdited.connect(self._changed)
        self.name_problem = ProblemLabel("IdentityPoolName")
        self.guest = QCheckBox("Allow guest (unauthenticated) identities")
        self.guest.setAccessibleName("Guest access")
        self.guest.toggled.connect(self._changed)
        self.basic_flow = QCheckBox("Allow the basic (classic) authentication flow")
        self.basic_flow.setAccessibleName("Basic flow")
        self.basic_flow.toggled.connect(self._changed)
        self.providers = ProviderFields()
        self.providers.changed.connect(self._changed)
        self.kept_note = QLabel()
        self.kept_note.setWordWrap(True)
        self.kept_note.setAccessibleName("Settings kept as they are")
        form_widget = QWidget()
        column = QVBoxLayout(form_widget)
        form = QFormLayout()
        column.addLayout(form)
        column.addStretch(1)
        form.addRow("Name:", with_problem(self.name, self.name_problem))
        form.addRow("Access:", self.guest)
        form.addRow("", self.basic_flow)
        heading = QLabel("<b>Identity providers</b>")
        form.addRow(heading)
        form.addRow(self.providers)
        form.addRow(self.kept_note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(form_widget)
        self.form_area = scroll

        self.status = QLabel("")
        self.status.setAccessibleName("Save status")
        self.revert_button = QPushButton("Revert")
        self.revert_button.setAccessibleName("Revert my changes")
        self.revert_button.clicked.connect(self._revert)
        self.save_button = QPushButton("Save")
        self.save_button.setAccessibleName("Save the pool settings")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.save())
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self._save_shortcut,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.errors)
        layout.addWidget(self.conflict)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    # --- loading -------------------------------------------------------------------------------------
    def clear(self) -> None:
        self.edit = None
        self.errors.clear()
        self.conflict.hide()
        self._show_edit()

    def load(self, pool: PoolRef) -> None:
        self.conflict.hide()
        self.run(pool.state.pool(), label=f"Loading {pool.name}", busy=self.form_area, errors=self.errors,
                 retry=self.reload, on_success=self._loaded)

    def _loaded(self, described: dict) -> None:
        self.edit = PoolEdit(described)
        self._show_edit()

    def reread(self) -> None:
        """Reload (discard my changes): read the pool from the service again, for every tab."""
        if self.pool is not None:
            self.pool.state.forget(POOL, origin=self)
            self.reload()

    def unsaved(self) -> bool:
        return bool(self.edit and self.edit.changes())

    def show_stale(self) -> None:
        """Another tab saved the pool: keep my changes on top of what it saved."""
        latest = self.pool.state.latest_pool if self.pool else None
        if self.edit is not None and latest is not None:
            self.edit.rebase(latest)
            self._show_edit()

    def _show_edit(self) -> None:
        fields = fields_of(self.edit.request) if self.edit else PoolFields()
        for widget in (self.name, self.guest, self.basic_flow):
            widget.blockSignals(True)
        self.name.setText(fields.name)
        self.guest.setChecked(fields.guest)
        self.basic_flow.setChecked(fields.basic_flow)
        for widget in (self.name, self.guest, self.basic_flow):
            widget.blockSignals(False)
        self.providers.show_fields(fields, developer_locked=bool(self.edit and self.edit.read_only(
            "DeveloperProviderName")))
        self.form_area.setEnabled(self.edit is not None)
        self._show_kept()
        self._validate()

    def _show_kept(self) -> None:
        shown_members = {"IdentityPoolId", "IdentityPoolName", "AllowUnauthenticatedIdentities", "AllowClassicFlow",
                         "SupportedLoginProviders", "CognitoIdentityProviders", "OpenIdConnectProviderARNs",
                         "SamlProviderARNs", "DeveloperProviderName"}
        kept = sorted(member for member in (self.edit.loaded if self.edit else {}) if member not in shown_members)
        self.kept_note.setText(f"Kept as they are when you save: {', '.join(kept)}." if kept else "")
        self.kept_note.setVisible(bool(kept))

    # --- editing -------------------------------------------------------------------------------------
    def _form_fields(self) -> PoolFields:
        fields = PoolFields(name=self.name.text(), guest=self.guest.isChecked(),
                            basic_flow=self.basic_flow.isChecked())
        return self.providers.read(fields)

    def _changed(self) -> None:
        if self.edit is None:
            return
        apply_fields(self.edit, self._form_fields())
        self.conflict.hide()
        self.status.setText("")
        self._validate()

    def _validate(self) -> None:
        problems = self.edit.problems() if self.edit else []
        self.name_problem.show_problems(problems)
        self.providers.show_problems(problems)
        self._problems = problems
        self._update_buttons()

    def _update_buttons(self) -> None:
        dirty = bool(self.edit and self.edit.changes())
        self.save_button.setEnabled(dirty and not getattr(self, "_problems", []))
        self.revert_button.setEnabled(dirty)

    def _revert(self) -> None:
        if self.edit is not None:
            self.edit = PoolEdit(self.edit.loaded)
            self.conflict.hide()
            self._show_edit()

    # --- saving --------------------------------------------------------------------------------------
    def _save_shortcut(self) -> None:
        if self.save_button.isEnabled():
            self.save()

    def save(self, *, overwrite: bool = False) -> None:
        if self.edit is None or self.pool is None:
            return
        edit, pool = self.edit, self.pool
        self.conflict.hide()
        self.run(pool.state.save_pool(edit, overwrite=overwrite, origin=self), label=f"Saving {pool.name}",
                 busy=self, errors=self.errors, context=lambda: {"pool": edit.request},
                 on_success=self._save_finished)

    def _save_finished(self, result) -> None:
        if isinstance(result, Conflict):
            self.conflict_view.show_differences(result.changed_elsewhere)
            self.conflict.show()
            self.status.setText("Not saved: the pool changed elsewhere.")
            return
        self.status.setText("Saved.")
        self._show_edit()
        self.saved.emit(result.pool)
