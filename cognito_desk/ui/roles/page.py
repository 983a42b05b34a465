"""The Roles & rules tab of a pool: default roles, role mappings and rules, trust policies, and the live preview.

Owns :class:`RolesPage` — when shown, takes the pool's roles snapshot from the pool state (shared with the Principal
tags tab: one ``ListRoles`` per connection), lets the user pick the default authenticated and guest roles from the
account's roles (searchable, or type an ARN) or create one trusted by this pool in one click, edits the role
mappings (:class:`~.mapping_editor.MappingEditor`) while the preview (:class:`~.preview_panel.PreviewPanel`) follows
every edit (a recorded sign-in of the pool can be replayed in it), shows each role's trust policy with its lint and
fixes (:class:`~.trust_panel.TrustPanel`), offers per-identity permission templates for the roles in use
(:class:`~.templates_dialog.TemplatesDialog`), and saves with ``SetIdentityPoolRoles`` through the pool state after
AWS's checks (``RolesForm.problems``). Errors appear in the tab's banner.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cognito_desk.admin.pool_state import ACCOUNT_ROLES, POOL, PRINCIPAL_TAGS, ROLES
from cognito_desk.admin.role_trust import apply_trust_fix, create_trusted_role, roles_in_use
from cognito_desk.admin.roles_snapshot import RolesSnapshot
from cognito_desk.admin.rules import SLOTS
from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.core import errors
from cognito_desk.scenarios.history import HistoryStore, history_path
from cognito_desk.scenarios.recent import RecentSignIn, recent_sign_ins

from ..context import AppContext
from ..icons import icon
from ..pages import PoolRef, PoolTab
from ..permissions import PermissionsView
from ..widgets.error_banner import ErrorBanner
from .groups_panel import GroupsPanel
from .mapping_editor import MappingEditor
from .preview_panel import PreviewPanel
from .templates_dialog import TemplatesDialog
from .trust_panel import TrustPanel

__all__ = ["RolesPage"]

SLOT_LABELS = {"authenticated": "Authenticated role", "unauthenticated": "Guest (unauthenticated) role"}


def trusted_role_name(pool_name: str, slot: str) -> str:
    """A readable IAM role name for a new role of this pool (IAM allows ``[\\w+=,.@-]``, 64 characters)."""
    base = re.sub(r"[^\w+=,.@-]", "_", pool_name)[:40]
    return f"Cognito_{base}_{'Auth' if slot == 'authenticated' else 'Unauth'}_Role"


class RolesPage(PoolTab, QWidget):
    parts = frozenset({POOL, ROLES, PRINCIPAL_TAGS, ACCOUNT_ROLES})

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pool: PoolRef | None = None
        self.snapshot: RolesSnapshot | None = None
        self._dirty = False
        self.setAccessibleName("Roles and rules")
        self.errors = ErrorBanner(name="Roles and rules error")
        self.role_boxes: dict[str, QComboBox] = {}
        self.create_buttons: dict[str, QPushButton] = {}
        defaults = QGroupBox("Default roles")
        grid = QGridLayout(defaults)
        for row, slot in enumerate(SLOTS):
            box = QComboBox()
            box.setEditable(True)
            box.setAccessibleName(SLOT_LABELS[slot])
            box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            box.lineEdit().setPlaceholderText("arn:aws:iam::<account>:role/<name> — type to search")
            box.currentTextChanged.connect(lambda text, slot=slot: self._default_role_changed(slot, text))
            button = QPushButton(icon("add"), "Create role trusted by this pool")
            button.setAccessibleName(f"Create a {slot} role trusted by this pool")
            button.clicked.connect(lambda _=False, slot=slot: self.create_trusted_role(slot))
            grid.addWidget(QLabel(SLOT_LABELS[slot] + ":"), row, 0)
            grid.addWidget(box, row, 1)
            grid.addWidget(button, row, 2)
            grid.setColumnStretch(1, 1)
            self.role_boxes[slot], self.create_buttons[slot] = box, button
        self.mappings = MappingEditor()
        mappings_box = QGroupBox("Role mappings (per provider, at most 10)")
        QVBoxLayout(mappings_box).addWidget(self.mappings)
        self.groups = GroupsPanel(ctx)
        mappings_box.layout().addWidget(self.groups)
        self.trust = TrustPanel()
        trust_box = QGroupBox("Trust policies of the roles in use")
        QVBoxLayout(trust_box).addWidget(self.trust)
        self.save_button = QPushButton("&Save roles and rules")
        self.save_button.setAccessibleName("Save roles and rules")
        self.revert_button = QPushButton(icon("refresh"), "Revert")
        self.revert_button.setAccessibleName("Discard unsaved changes")
        self.state = QLabel("")
        self.state.setAccessibleName("Save state")
        self.templates_button = QPushButton(icon("add"), "Add permissions from template…")
        self.templates_button.setAccessibleName("Add permissions from template")
        self.templates_button.clicked.connect(self.add_permissions_from_template)
        self.templates_dialog: TemplatesDialog | None = None
        actions = QHBoxLayout()
        actions.addWidget(self.templates_button)
        actions.addWidget(self.state, 1)
        actions.addWidget(self.revert_button)
        actions.addWidget(self.save_button)
        self.editor = editor = QWidget()
        left = QVBoxLayout(editor)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(defaults)
        left.addWidget(mappings_box, 3)
        left.addWidget(trust_box, 2)
        left.addLayout(actions)
        self.preview = PreviewPanel()
        self.permissions = PermissionsView(self.ctx.runner)  # what the previewed token's role would allow
        self.permissions_button = QPushButton(icon("permissions"), "What could this token do?")
        self.permissions_button.setAccessibleName("What could this token do?")
        self.permissions_button.clicked.connect(lambda: self.pool and self.permissions.show_preview(
            self.pool.connection, self.pool.pool_id, self.preview.result))
        self.preview.layout().addWidget(self.permissions_button)
        self.preview.layout().addWidget(self.permissions, 2)
        # The preview sits beside the editors when the pane is wide enough for both, else below them (resizeEvent).
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(editor)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.errors)
        # The tab scrolls inside itself: its editors never make the other tabs (or the window) taller or wider.
        self.body = QScrollArea()
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.body.setWidgetResizable(True)
        self.body.setWidget(self.splitter)
        layout.addWidget(self.body, 1)
        self.mappings.edited.connect(self._edited)
        self.mappings.provider.currentTextChanged.connect(
            lambda key: self.groups.show_provider(self.pool, key, self.snapshot))
        self.groups.groups_loaded.connect(self.preview.show_groups)
        self.trust.fix_requested.connect(self.apply_fix)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.reload)
        named = (*self.role_boxes.values(), self.mappings.provider, self.mappings.new_provider, self.trust.role,
                 self.preview.key, self.preview.recent)
        for combo in named:  # ARNs and user-pool keys elide instead of widening the tab
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._show_snapshot(None)

    # --- layout --------------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        """Editors and preview side by side when the tab is wide enough for both, else the preview under the
        editors at their comfortable height (the tab scrolls down to it rather than crushing the rules)."""
        side_by_side = (self.editor.minimumSizeHint().width() + self.preview.minimumSizeHint().width()
                        + self.splitter.handleWidth() + self.body.verticalScrollBar().sizeHint().width())
        wide = event.size().width() >= side_by_side
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if orientation != self.splitter.orientation():
            self.splitter.setOrientation(orientation)
            extent = event.size().width() if wide else self.splitter.height()
            self.splitter.setSizes([extent * 3 // 5, extent * 2 // 5])
        self.splitter.setMinimumHeight(0 if wide else self.editor.sizeHint().height()
                                       + self.preview.sizeHint().height())
        super().resizeEvent(event)

    # --- loading -----------------------------------------------------------------------------------
    def clear(self) -> None:
        self._show_snapshot(None)
        self.permissions.clear()

    def load(self, pool: PoolRef) -> None:
        self.run(pool.state.roles_snapshot(), label="Loading roles and rules", busy=self, errors=self.errors,
                 retry=self.reload, on_success=self._show_snapshot)
        self.run_blocking(lambda: self._recent(pool.pool_id), label="Reading recent sign-ins",
                          on_success=self.preview.show_recent, on_failure=lambda _error: self.preview.show_recent([]))

    def unsaved(self) -> bool:
        return self._dirty

    def show_stale(self) -> None:
        self.state.setText("Unsaved changes — another tab saved this pool since: Revert to see its changes")

    def _recent(self, pool_id: str) -> list[RecentSignIn]:
        store = HistoryStore(history_path(self.ctx.settings_file.path.parent))
        try:
            return recent_sign_ins(store, pool_id)
        finally:
            store.close()

    def _show_snapshot(self, snapshot: RolesSnapshot | None) -> None:
        self.snapshot = snapshot
        for slot, box in self.role_boxes.items():
            box.blockSignals(True)
            box.clear()
            if snapshot is not None:
                box.addItems(snapshot.role_arns)
                completer = QCompleter(snapshot.role_arns, box)
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                box.setCompleter(completer)
                box.setCurrentText(snapshot.form.default_roles.get(slot, ""))
            box.setEnabled(snapshot is not None)
            box.blockSignals(False)
            self.create_buttons[slot].setEnabled(snapshot is not None)
        self.mappings.show_form(snapshot.form if snapshot else None, snapshot.pool if snapshot else {})
        self.groups.show_provider(self.pool if snapshot else None, self.mappings.provider.currentText(), snapshot)
        self.trust.show_snapshot(snapshot)
        self.preview.show_snapshot(snapshot)
        self.save_button.setEnabled(snapshot is not None)
        self.revert_button.setEnabled(snapshot is not None)
        self.templates_button.setEnabled(snapshot is not None)
        self.state.setText("")
        self._dirty = False

    # --- editing -----------------------------------------------------------------------------------
    def _default_role_changed(self, slot: str, text: str) -> None:
        if self.snapshot is not None:
            self.snapshot.form.set_default_role(slot, text.strip() or None)
            self._edited()

    def _edited(self) -> None:
        self._dirty = True
        self.state.setText("Unsaved changes")
        self.preview.refresh()

    def create_trusted_role(self, slot: str, name: str | None = None) -> None:
        """Create a role trusted by this pool for ``slot`` and put it in the slot (save to keep it)."""
        if self.pool is None or self.snapshot is None:
            return
        pool, name = self.pool, name or trusted_role_name(self.pool.name, slot)

        def created(arn: str) -> None:
            self.snapshot.role_arns = sorted({*self.snapshot.role_arns, arn})
            self.snapshot.trust_policies[arn] = cognito_trust_policy(pool.pool_id, slot)
            self.role_boxes[slot].addItem(arn)
            self.role_boxes[slot].setCurrentText(arn)
            self.trust.show_snapshot(self.snapshot)
            self.state.setText(f"Created {name}; save to use it as the {slot} role")
            pool.state.connection.role_saved(arn, self.snapshot.trust_policies[arn], origin=self)

        self.run(create_trusted_role(pool.connection.iam, pool_id=pool.pool_id, slot=slot, name=name),
                 label=f"Creating role {name}", busy=self, errors=self.errors, on_success=created)

    def add_permissions_from_template(self) -> None:
        """Open the template dialog for the roles this pool's form uses."""
        if self.pool is not None and self.snapshot is not None:
            self.templates_dialog = TemplatesDialog(self.ctx, self.pool.connection.iam,
                                                    roles_in_use(self.snapshot.form), self)
            self.templates_dialog.open()

    def apply_fix(self, role_arn: str, fixed: dict) -> None:
        if self.pool is None:
            return
        self.run(apply_trust_fix(self.pool.connection.iam, role_arn, fixed), label="Updating the trust policy",
                 busy=self, errors=self.errors, on_success=lambda _: self._fixed(role_arn, fixed))

    def _fixed(self, role_arn: str, fixed: dict) -> None:
        if self.pool is not None:
            self.pool.state.connection.role_saved(role_arn, fixed, origin=self)
        if self.snapshot is not None:
            self.snapshot.trust_policies[role_arn] = fixed
            self.trust.show_snapshot(self.snapshot)
            self.preview.refresh()

    # --- saving ------------------------------------------------------------------------------------
    def save(self) -> None:
        if self.pool is None or self.snapshot is None:
            return
        problems = self.snapshot.form.problems()
        if problems:
            self.errors.show_error(errors.error_for(problems[0].code, problems[0].message), label="Checking the rules")
            return
        self.run(self.pool.state.save_roles(self.snapshot.form, origin=self), label="Saving roles and rules",
                 busy=self, errors=self.errors, on_success=lambda _: self.reload())
