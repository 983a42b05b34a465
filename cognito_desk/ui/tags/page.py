"""The Principal tags tab of a pool: per provider, the default tag mapping or a custom tag → claim map.

Owns :class:`TagsPage` — picks one of the pool's providers, edits its
:class:`~cognito_desk.admin.principal_tags.PrincipalTagMap` (``UseDefaults`` on/off, or tag → claim rows), shows the
session tags a pasted token would carry under it (``admin.principal_tags.session_tags`` through the same preview the
Roles & rules tab uses), warns for every role in use whose trust policy lacks ``sts:TagSession`` while tags are
mapped (the lint's ``missing-tag-session`` finding), and saves with ``SetPrincipalTagAttributeMap`` through the pool
state after the model's checks. Its data is the roles snapshot the pool state shares with the Roles & rules tab,
taken when the tab is first shown.
"""

from __future__ import annotations

import time

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cognito_desk.admin.pool_state import ACCOUNT_ROLES, POOL, PRINCIPAL_TAGS, ROLES
from cognito_desk.admin.principal_tags import PrincipalTagMap, session_tags
from cognito_desk.admin.role_trust import lint_role, roles_in_use
from cognito_desk.admin.roles_snapshot import RolesSnapshot, login_keys
from cognito_desk.core import errors
from cognito_desk.core.login_keys import NotPreviewable, login_for
from cognito_desk.core.presented import UnreadableToken, read_presented

from ..context import AppContext
from ..icons import icon
from ..pages import PoolRef, PoolTab
from ..widgets.error_banner import ErrorBanner

__all__ = ["TagsPage"]


class TagsPage(PoolTab, QWidget):
    parts = frozenset({POOL, ROLES, PRINCIPAL_TAGS, ACCOUNT_ROLES})

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pool: PoolRef | None = None
        self.snapshot: RolesSnapshot | None = None
        self._dirty = False
        self.setAccessibleName("Principal tags")
        self.errors = ErrorBanner(name="Principal tags error")
        self.provider = QComboBox()
        self.provider.setAccessibleName("Provider")
        self.use_defaults = QCheckBox("Use the default mapping (client and username)")
        self.use_defaults.setAccessibleName("Use the default tag mapping")
        self.table = QTableWidget(0, 2)
        self.table.setAccessibleName("Tag to claim map")
        self.table.setHorizontalHeaderLabels(["Tag key", "Claim"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.add_button = QPushButton(icon("add"), "Add tag")
        self.add_button.setAccessibleName("Add a tag")
        self.remove_button = QPushButton(icon("delete"), "Remove tag")
        self.remove_button.setAccessibleName("Remove the selected tag")
        self.token = QPlainTextEdit()
        self.token.setAccessibleName("Token to preview tags for")
        self.token.setPlaceholderText("Paste a token to see the session tags it would carry")
        self.token.setMaximumHeight(80)
        self.tags_label = QLabel("")
        self.tags_label.setAccessibleName("Session tags")
        self.tags_label.setWordWrap(True)
        self.warnings = QLabel("")
        self.warnings.setObjectName("tagWarnings")
        self.warnings.setAccessibleName("Trust policy warnings")
        self.warnings.setWordWrap(True)
        self.save_button = QPushButton("&Save tags")
        self.save_button.setAccessibleName("Save principal tags")
        top = QHBoxLayout()
        top.addWidget(QLabel("Provider:"))
        top.addWidget(self.provider, 1)
        rows = QHBoxLayout()
        rows.addWidget(self.add_button)
        rows.addWidget(self.remove_button)
        rows.addStretch()
        rows.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.errors)
        layout.addLayout(top)
        layout.addWidget(self.use_defaults)
        layout.addWidget(self.table, 1)
        layout.addLayout(rows)
        layout.addWidget(QLabel("<b>Session tags</b> of a previewed token:"))
        layout.addWidget(self.token)
        layout.addWidget(self.tags_label)
        layout.addWidget(self.warnings)
        self.provider.currentTextChanged.connect(self._show_map)
        self.use_defaults.toggled.connect(self._edited)
        self.table.itemChanged.connect(self._edited)
        self.add_button.clicked.connect(self.add_tag)
        self.remove_button.clicked.connect(self.remove_tag)
        self.token.textChanged.connect(self.refresh)
        self.save_button.clicked.connect(self.save)
        self._show_snapshot(None)

    def clear(self) -> None:
        self._show_snapshot(None)

    def load(self, pool: PoolRef) -> None:
        self.run(pool.state.roles_snapshot(), label="Loading principal tags", busy=self, errors=self.errors,
                 retry=self.reload, on_success=self._show_snapshot)

    def unsaved(self) -> bool:
        return self._dirty

    def show_stale(self) -> None:
        self.tags_label.setText("Another tab saved this pool since you started editing here.")

    def _show_snapshot(self, snapshot: RolesSnapshot | None) -> None:
        self.snapshot = snapshot
        self._dirty = False
        current = self.provider.currentText()
        self.provider.blockSignals(True)
        self.provider.clear()
        if snapshot is not None:
            self.provider.addItems(login_keys(snapshot.pool))
            if current:
                self.provider.setCurrentText(current)
        self.provider.blockSignals(False)
        for widget in (self.use_defaults, self.table, self.add_button, self.remove_button, self.save_button):
            widget.setEnabled(snapshot is not None and self.provider.count() > 0)
        self._show_map()

    def current_map(self) -> PrincipalTagMap | None:
        key = self.provider.currentText()
        if self.snapshot is None or not key:
            return None
        return self.snapshot.tag_maps.setdefault(key, PrincipalTagMap(key))

    def _show_map(self) -> None:
        tag_map = self.current_map()
        self.use_defaults.blockSignals(True)
        self.use_defaults.setChecked(bool(tag_map and tag_map.use_defaults))
        self.use_defaults.blockSignals(False)
        self.table.blockSignals(True)
        items = list(tag_map.tags.items()) if tag_map else []
        self.table.setRowCount(len(items))
        for row, (tag, claim) in enumerate(items):
            self.table.setItem(row, 0, QTableWidgetItem(tag))
            self.table.setItem(row, 1, QTableWidgetItem(claim))
        self.table.blockSignals(False)
        self.table.setEnabled(tag_map is not None and not tag_map.use_defaults)
        self.refresh()

    def _edited(self) -> None:
        tag_map = self.current_map()
        if tag_map is None:
            return
        self._dirty = True
        tag_map.use_defaults = self.use_defaults.isChecked()
        tag_map.tags = {}
        for row in range(self.table.rowCount()):
            tag, claim = self.table.item(row, 0), self.table.item(row, 1)
            if tag and claim and tag.text().strip():
                tag_map.tags[tag.text().strip()] = claim.text().strip()
        self.table.setEnabled(not tag_map.use_defaults)
        self.refresh()

    def add_tag(self) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(""))
        self.table.setItem(row, 1, QTableWidgetItem(""))
        self.table.setCurrentCell(row, 0)
        if self.table.isVisible():
            self.table.editItem(self.table.item(row, 0))

    def remove_tag(self) -> None:
        if self.table.currentRow() >= 0:
            self.table.removeRow(self.table.currentRow())
            self._edited()

    def refresh(self) -> None:
        """Session tags of the pasted token, and the trust-policy warnings for the mapped tags."""
        tag_map, text = self.current_map(), self.token.toPlainText().strip()
        self.tags_label.setText("")
        if tag_map is not None and text:
            try:
                token = read_presented(text, now=time.time())
                login = login_for(self.snapshot.pool, tag_map.provider, token)
                tags = session_tags(tag_map, token.claims, login.default_tags)
                self.tags_label.setText(", ".join(f"{k} = {v}" for k, v in sorted(tags.items())) or "No tags.")
            except (UnreadableToken, NotPreviewable) as exc:
                self.tags_label.setText(str(exc))
        self.warnings.setText("\n".join(self._trust_warnings()))

    def _trust_warnings(self) -> list[str]:
        if self.snapshot is None or not self.snapshot.uses_principal_tags():
            return []
        warnings = []
        for arn, slot in roles_in_use(self.snapshot.form).items():
            document = self.snapshot.trust_policies.get(arn)
            if document is None:
                continue
            findings = lint_role(document, pool_id=self.snapshot.pool_id, slot=slot, uses_principal_tags=True)
            if any(f.code == "missing-tag-session" for f in findings):
                warnings.append(f"⚠ {arn} does not allow sts:TagSession: sign-ins that carry tags will be refused "
                                "(fix it in Roles & rules).")
        return warnings

    def save(self) -> None:
        tag_map = self.current_map()
        if self.pool is None or tag_map is None:
            return
        problems = tag_map.problems(self.pool.pool_id)
        if problems:
            self.errors.show_error(errors.error_for(problems[0].code, problems[0].message), label="Checking the tags")
            return
        self.run(self.pool.state.save_tag_map(tag_map, origin=self), label="Saving principal tags", busy=self,
                 errors=self.errors, on_success=lambda _: self.reload())
