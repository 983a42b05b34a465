"""The details of one identity — linked logins, dates, developer user identifiers — and the developer actions.

Owns :class:`IdentityDetailsPane`. :meth:`~IdentityDetailsPane.show_identity` loads, through the runner with
the pane busy, ``DescribeIdentity`` and (when the pool has a developer provider) every developer user
identifier from ``LookupDeveloperIdentity``; a failure, such as an identity ID that does not exist, appears in
the pane's own banner. The developer section unlinks the selected identifier (``UnlinkDeveloperIdentity``) or
merges another developer user into this identity (``MergeDeveloperIdentities``): the request is checked with
the service model inline, confirmed, sent, and the details reloaded. Without a developer provider the section
says so and stays disabled.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...admin.identities import NO_LOGINS, IdentityDetails, Merge, Unlink, load_details
from ..icons import icon
from ..pages import PoolRef
from ..permissions import PermissionsView
from ..tasks import Operation, Runner
from ..widgets.error_banner import ErrorBanner
from .confirm import ask

__all__ = ["IdentityDetailsPane"]

#: The form's words for the request members a problem can be about.
_FIELDS = {"SourceUserIdentifier": "Developer user to merge", "DestinationUserIdentifier": "Merge into",
           "DeveloperUserIdentifier": "Developer user", "IdentityId": "Identity ID"}


def _value_label(name: str) -> QLabel:
    label = QLabel()
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class IdentityDetailsPane(QWidget):
    #: After an unlink or merge: what was done, in words (the page shows it and offers to reload the list).
    changed = Signal(str)

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.pool: PoolRef | None = None
        self.developer_provider: str | None = None
        self.details: IdentityDetails | None = None
        self.confirmation = None
        self._loading: Operation | None = None
        self.errors = ErrorBanner(name="Identity details error")
        self.placeholder = QLabel("Select an identity in the list, or find one by its ID.")
        self.placeholder.setObjectName("emptyState")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setAccessibleName("No identity selected")
        self.identity_id = _value_label("Identity ID")
        self.created = _value_label("Created")
        self.modified = _value_label("Last modified")
        self.logins = _value_label("Linked logins")
        form = QFormLayout()
        form.addRow("Identity ID:", self.identity_id)
        form.addRow("Linked logins:", self.logins)
        form.addRow("Created:", self.created)
        form.addRow("Last modified:", self.modified)
        content = QWidget()
        facts = QVBoxLayout()
        facts.addLayout(form)
        self.permissions_button = QPushButton(icon("permissions"), "What can this identity do?")
        self.permissions_button.setAccessibleName("What can this identity do?")
        self.permissions_button.clicked.connect(self.show_permissions)
        facts.addWidget(self.permissions_button)
        facts.addStretch()
        self.permissions = PermissionsView(runner)  # shown on request, under the details
        self.permissions.hide()
        box = QHBoxLayout(content)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(facts, 1)
        box.addWidget(self._developer_group(), 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.errors)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.permissions, 2)

    def _developer_group(self) -> QGroupBox:
        group = QGroupBox("Developer user identifiers")
        self.developer_note = QLabel()
        self.developer_note.setWordWrap(True)
        self.developer_note.setObjectName("poolSubheader")
        self.users = QListWidget()
        self.users.setAccessibleName("Developer user identifiers")
        self.users.setMaximumHeight(80)
        self.users.currentRowChanged.connect(lambda _: self._update_actions())
        self.unlink_button = QPushButton("Unlink…")
        self.unlink_button.setAccessibleName("Unlink the selected developer user")
        self.unlink_button.setToolTip("UnlinkDeveloperIdentity: detach the selected identifier from this identity")
        self.unlink_button.clicked.connect(self.unlink)
        self.merge_source = QLineEdit()
        self.merge_source.setAccessibleName("Developer user to merge")
        self.merge_source.setPlaceholderText("developer user identifier to merge into this identity")
        self.merge_source.textChanged.connect(lambda _: self.problem.clear())
        self.merge_source.returnPressed.connect(self.merge)
        self.merge_destination = QComboBox()
        self.merge_destination.setAccessibleName("Merge into developer user")
        self.merge_button = QPushButton("Merge…")
        self.merge_button.setAccessibleName("Merge the developer user into this identity")
        self.merge_button.setToolTip("MergeDeveloperIdentities: the source's identity is disabled and its logins "
                                     "move to this identity")
        self.merge_button.clicked.connect(self.merge)
        self.problem = QLabel()
        self.problem.setObjectName("errorTitle")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Developer action problem")
        merge_row = QHBoxLayout()
        merge_row.addWidget(self.merge_source, 2)
        merge_row.addWidget(QLabel("into"))
        merge_row.addWidget(self.merge_destination, 1)
        merge_row.addWidget(self.merge_button)
        unlink_row = QHBoxLayout()
        unlink_row.addStretch()
        unlink_row.addWidget(self.unlink_button)
        box = QVBoxLayout(group)
        box.addWidget(self.developer_note)
        box.addWidget(self.users)
        box.addLayout(unlink_row)
        box.addWidget(QLabel("Merge another developer user into this identity:"))
        box.addLayout(merge_row)
        box.addWidget(self.problem)
        self.developer_group = group
        return group

    # --- what is shown ---------------------------------------------------------------------------------
    def show_pool(self, pool: PoolRef | None, developer_provider: str | None = None) -> None:
        self.pool, self.developer_provider = pool, developer_provider
        self.clear()

    def clear(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
            self._loading = None
        self.details = None
        self.errors.clear()
        self.problem.clear()
        self.stack.setCurrentWidget(self.placeholder)
        self.permissions.clear()
        self.permissions.hide()

    def show_permissions(self) -> None:
        if self.details is not None and self.pool is not None:
            self.permissions.show()
            self.permissions.show_stored_identity(self.pool.connection, self.pool.pool_id,
                                                  self.details.identity_id, self.details.logins)

    def show_identity(self, identity_id: str) -> None:
        """Load and show ``identity_id`` of the current pool."""
        if self.pool is None:
            return
        self.clear()
        pool, provider = self.pool, self.developer_provider

        def settled() -> None:
            self._loading = None

        self._loading = self.runner.run(
            load_details(pool.connection.identity, pool.pool_id, identity_id, provider),
            label="Loading the identity", busy=self, errors=self.errors, on_success=self._show_details,
            on_settled=settled, retry=lambda: self.show_identity(identity_id))

    def reload(self) -> None:
        if self.details is not None:
            self.show_identity(self.details.identity_id)

    def _show_details(self, details: IdentityDetails) -> None:
        self.details = details
        self.identity_id.setText(details.identity_id)
        self.logins.setText("\n".join(details.logins) or f"{NO_LOGINS} (a guest identity, or one disabled by a merge)")
        self.created.setText(details.created_text)
        self.modified.setText(details.modified_text)
        self.users.clear()
        self.users.addItems(list(details.developer_users))
        self.merge_destination.clear()
        self.merge_destination.addItems(list(details.developer_users))
        if not details.developer_provider:
            self.developer_note.setText("This pool has no developer provider, so no identity has developer "
                                        "user identifiers.")
        elif not details.developer_users:
            self.developer_note.setText(f"No {details.developer_provider} user is linked to this identity: "
                                        "nothing to unlink, and a merge needs one here to merge into.")
        else:
            self.developer_note.setText(f"Users of your backend ({details.developer_provider}) linked to this "
                                        "identity.")
        if details.developer_users:
            self.users.setCurrentRow(0)
        self._update_actions()
        self.stack.setCurrentIndex(1)

    def _update_actions(self) -> None:
        has_users = self.details is not None and bool(self.details.developer_users)
        self.developer_group.setEnabled(bool(self.details and self.details.developer_provider))
        self.unlink_button.setEnabled(has_users and self.users.currentItem() is not None)
        self.merge_source.setEnabled(has_users)
        self.merge_destination.setEnabled(has_users)
        self.merge_button.setEnabled(has_users)

    # --- developer actions -----------------------------------------------------------------------------
    def unlink(self) -> None:
        item = self.users.currentItem()
        self.confirmation = None
        if self.pool is None or self.details is None or not self.details.developer_provider or item is None:
            return
        action = Unlink(self.pool.pool_id, self.details.developer_provider, self.details.identity_id, item.text())
        if self._refused(action.problems()):
            return
        self.confirmation = ask(self, "Unlink developer user", action.question(), "Unlink",
                                lambda: self._send(action, f"Unlinked developer user “{action.user}”."))

    def merge(self) -> None:
        self.confirmation = None
        if self.pool is None or self.details is None or not self.details.developer_provider:
            return
        action = Merge(self.pool.pool_id, self.details.developer_provider, self.merge_source.text().strip(),
                       self.merge_destination.currentText())
        if self._refused(action.problems()):
            return
        self.confirmation = ask(self, "Merge developer identities", action.question(), "Merge",
                                lambda: self._send(action, f"Merged developer user “{action.source}” into "
                                                           f"{self.details.identity_id if self.details else ''}."))

    def _refused(self, problems) -> bool:
        self.problem.setText("\n".join(f"{_FIELDS.get(p.member, p.member or 'Request')}: {p.message}"
                                       for p in problems))
        return bool(problems)

    def _send(self, action: Unlink | Merge, said: str) -> None:
        pool = self.pool
        if pool is None:
            return

        def done(_) -> None:
            self.merge_source.clear()
            self.reload()
            self.changed.emit(said)

        self.runner.run(action.send(pool.connection.identity), label=f"{type(action).__name__} developer identity",
                        busy=self, errors=self.errors, on_success=done)
