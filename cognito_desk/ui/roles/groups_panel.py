"""The Roles & rules tab's user-pool groups: for a user-pool provider, its groups with IAM role and precedence.

Owns :class:`GroupsModel` (a read-only Qt table over ``core.groups.Group``: group, precedence, IAM role, and
what is wrong with the role for this identity pool) and :class:`GroupsPanel`, which loads a provider's groups
through the window's runner (``admin.user_pools.load_group_roles``: ListGroups; the roles are judged on the
trust policies the tab's roles snapshot already holds) when the mapping editor shows a user-pool provider,
and says why nothing is shown otherwise (another kind of provider, or a connection without a user-pool API).
:attr:`GroupsPanel.groups_loaded` hands the groups to the preview, which explains a Token mapping with them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ...admin.roles_snapshot import RolesSnapshot
from ...admin.user_pools import GroupRoles, load_group_roles, user_pool_of
from ...core.groups import Group, GroupRoleFinding
from ..context import AppContext
from ..models.rows import ParentIndex, RowsTableModel
from ..pages import PoolRef
from ..widgets.error_banner import ErrorBanner

__all__ = ["GroupsModel", "GroupsPanel"]

COLUMNS = ("Group", "Precedence", "IAM role", "Problem")


class GroupsModel(RowsTableModel):
    COLUMNS = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.findings: dict[str, GroupRoleFinding] = {}

    @property
    def groups(self) -> list[Group]:
        return self.rows

    def set_report(self, report: GroupRoles | None) -> None:
        self.findings = {f.group: f for f in report.findings} if report else {}
        self.set_rows(report.groups if report else [])

    def data(self, index: ParentIndex, role: int = Qt.ItemDataRole.DisplayRole):
        group = self.row_at(index)
        if group is None:
            return None
        finding = self.findings.get(group.name)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (group.name, "—" if group.precedence is None else str(group.precedence),
                    group.role_arn or "no role", finding.message if finding else "")[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and finding is not None:
            return QBrush(QColor("#b3261e"))
        return None


class GroupsPanel(QWidget):
    #: The shown provider's groups (a tuple of Group; empty for none).
    groups_loaded = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("User pool groups")
        self.errors = ErrorBanner(name="User pool groups error")
        self.note = QLabel()
        self.note.setAccessibleName("User pool groups note")
        self.note.setWordWrap(True)
        self.model = GroupsModel(self)
        self.view = QTableView()
        self.view.setAccessibleName("User pool groups and their roles")
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setMaximumHeight(140)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.errors)
        box.addWidget(self.note)
        box.addWidget(self.view)
        self.shown_for: tuple[PoolRef, str] | None = None
        self.show_provider(None, "")

    def show_provider(self, pool: PoolRef | None, mapping_key: str, snapshot: RolesSnapshot | None = None) -> None:
        """Show the groups of the user pool ``mapping_key`` names (``<provider name>:<client id>``), if any, with
        their roles judged on the trust policies of the tab's ``snapshot`` (the pool state's account roles)."""
        self.errors.clear()
        self.model.set_report(None)
        self.groups_loaded.emit(())
        user_pool_id = user_pool_of(mapping_key.rsplit(":", 1)[0]) if mapping_key else None
        self.shown_for = (pool, user_pool_id) if pool is not None and user_pool_id else None
        self.view.setVisible(self.shown_for is not None and pool.connection.cognito_idp is not None)
        if pool is None or user_pool_id is None:
            self.note.setText("Choose a user-pool provider's mapping to see its groups and their IAM roles.")
            return
        idp = pool.connection.cognito_idp
        if idp is None:
            self.note.setText("This connection has no user pool API (a Local connection needs a user pool "
                              "endpoint): the groups cannot be read.")
            return
        self.note.setText(f"Groups of {user_pool_id}, highest precedence first: a member's ID token carries the "
                          "roles of its groups (cognito:roles) and the first one's (cognito:preferred_role).")
        wanted = self.shown_for
        policies = snapshot.trust_policies if snapshot is not None else {}
        self.ctx.runner.run(load_group_roles(idp, user_pool_id, pool.pool_id, policies),
                            label="Reading the user pool's groups", busy=self, errors=self.errors,
                            on_success=lambda report: self._loaded(wanted, report),
                            retry=lambda: self.show_provider(pool, mapping_key, snapshot))

    def _loaded(self, wanted, report: GroupRoles) -> None:
        if wanted != self.shown_for:  # another provider was chosen meanwhile
            return
        self.model.set_report(report)
        if not report.groups:
            self.note.setText(f"{report.user_pool_id} has no groups: its tokens carry no cognito:roles.")
        self.groups_loaded.emit(report.groups)
