"""The Identity providers tab of a pool: social, Cognito user pools, OIDC, SAML and the developer provider.

Owns :class:`ProvidersPage` — when shown, takes the pool from the pool state (``DescribeIdentityPool``, shared with
the other tabs) into a :class:`~cognito_desk.admin.providers.ProvidersEdit` and the connection's IAM providers (two
IAM list calls once per connection; which pools use each is not read here), shows every provider field (social app /
client IDs; user pools from region, user pool ID and app client ID with the server-side token check; IAM OIDC and
SAML providers to attach, checkable; the developer provider name, read-only once set), creates new IAM providers
after their checks (:mod:`.new_provider`) and attaches them, and saves through the pool state
(``admin.pools.save_pool``: the whole pool, nothing the tab does not show is dropped; a change made elsewhere stops
the save and is reported field by field; the other tabs hear of the save).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cognito_desk.admin.connections import regions
from cognito_desk.admin.failures import FailureReport, describe_problems
from cognito_desk.admin.pool_state import IAM_PROVIDERS, POOL
from cognito_desk.admin.pools import Conflict, PoolEdit
from cognito_desk.admin.provider_usage import IamProvider
from cognito_desk.admin.providers import SOCIAL_PROVIDERS, ProvidersEdit
from cognito_desk.admin.user_pools import SERVER_SIDE_TOKEN_CHECK

from ..context import AppContext
from ..icons import icon
from ..pages import PoolRef, PoolTab
from ..widgets.error_banner import ErrorBanner
from .new_provider import NewOidcProvider, NewSamlProvider

__all__ = ["ProvidersPage"]

SOCIAL_FIELDS = {"accounts.google.com": "Google client ID", "graph.facebook.com": "Facebook app ID",
                 "www.amazon.com": "Login with Amazon app ID", "appleid.apple.com": "Apple services ID"}
ATTACH_MEMBERS = {"OIDC": "OpenIdConnectProviderARNs", "SAML": "SamlProviderARNs"}


class ProvidersPage(PoolTab, QWidget):
    parts = frozenset({POOL, IAM_PROVIDERS})

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pool: PoolRef | None = None
        self.edit: ProvidersEdit | None = None
        self.iam_providers: list[IamProvider] = []
        #: The IAM identity providers window opened last from the Pool menu (``install`` sets it).
        self.iam_dialog = None
        self.setAccessibleName("Identity providers")
        self.errors = ErrorBanner(name="Identity providers error")
        self.social: dict[str, QLineEdit] = {}
        social_box = QGroupBox("Social providers")
        social_form = QFormLayout(social_box)
        for domain, label in SOCIAL_FIELDS.items():
            field = QLineEdit()
            field.setAccessibleName(label)
            field.setPlaceholderText(f"{SOCIAL_PROVIDERS[domain]}: leave empty to remove")
            field.editingFinished.connect(lambda domain=domain: self._social_edited(domain))
            self.social[domain] = field
            social_form.addRow(label + ":", field)
        self.user_pools = QTableWidget(0, 3)
        self.user_pools.setAccessibleName("Cognito user pools")
        self.user_pools.setHorizontalHeaderLabels(["Provider name", "App client ID", "Server-side token check"])
        self.user_pools.horizontalHeader().setStretchLastSection(True)
        self.user_pools.setMaximumHeight(110)
        self.user_pools.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.user_pools.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.region = QComboBox()
        self.region.setEditable(True)
        self.region.setAccessibleName("User pool region")
        self.user_pool_id = QLineEdit()
        self.user_pool_id.setAccessibleName("User pool ID")
        self.user_pool_id.setPlaceholderText("us-east-1_AbCdEf123")
        self.client_id = QLineEdit()
        self.client_id.setAccessibleName("App client ID")
        self.client_id.setPlaceholderText("app client ID")
        self.token_check = QCheckBox("Server-side token check")
        self.token_check.setToolTip(SERVER_SIDE_TOKEN_CHECK)
        self.add_user_pool_button = QPushButton(icon("add"), "Add")
        self.add_user_pool_button.setAccessibleName("Add the user pool")
        self.remove_user_pool_button = QPushButton(icon("delete"), "Remove")
        self.remove_user_pool_button.setAccessibleName("Remove the selected user pool")
        self.choose_user_pool_button = QPushButton(icon("add"), "Choose…")
        self.choose_user_pool_button.setAccessibleName("Choose a user pool of this connection")
        self.choose_user_pool_button.setToolTip("Region → user pool → app client, from the connection's user pools")
        user_pool_box = QGroupBox("Cognito user pools")
        grid = QGridLayout(user_pool_box)
        grid.addWidget(self.user_pools, 0, 0, 1, 3)
        for column, widget in enumerate((self.region, self.user_pool_id, self.client_id)):
            grid.addWidget(widget, 1, column)
        for column, widget in enumerate((self.token_check, self.add_user_pool_button, self.remove_user_pool_button)):
            grid.addWidget(widget, 2, column)
        grid.addWidget(self.choose_user_pool_button, 1, 3)
        self.attach: dict[str, QListWidget] = {}
        attach_box = QGroupBox("IAM OIDC and SAML providers of this connection (checked = trusted by this pool)")
        attach_layout = QHBoxLayout(attach_box)
        for kind in ATTACH_MEMBERS:
            listing = QListWidget()
            listing.setAccessibleName(f"{kind} providers")
            listing.setMaximumHeight(100)
            listing.itemChanged.connect(lambda _item, kind=kind: self._attach_changed(kind))
            listing.setToolTip("Check to trust the provider in this pool" + (
                "; double-click to edit its client IDs and thumbprints" if kind == "OIDC" else ""))
            self.attach[kind] = listing
            column = QVBoxLayout()
            column.addWidget(QLabel(f"{kind}:"))
            column.addWidget(listing)
            attach_layout.addLayout(column)
        self.new_oidc = NewOidcProvider(ctx.runner, self.errors)
        self.new_saml = NewSamlProvider(ctx.runner, self.errors)
        new_oidc_box, new_saml_box = QGroupBox("New OIDC provider"), QGroupBox("New SAML provider")
        QVBoxLayout(new_oidc_box).addWidget(self.new_oidc)
        QVBoxLayout(new_saml_box).addWidget(self.new_saml)
        self.developer = QLineEdit()
        self.developer.setAccessibleName("Developer provider name")
        self.developer.setPlaceholderText("login.mycompany.myapp (cannot be changed once saved)")
        self.developer.editingFinished.connect(self._developer_edited)
        developer_box = QGroupBox("Developer provider")
        QFormLayout(developer_box).addRow("Name:", self.developer)
        self.state = QLabel("")
        self.state.setAccessibleName("Save state")
        self.save_button = QPushButton("&Save providers")
        self.save_button.setAccessibleName("Save providers")
        self.revert_button = QPushButton(icon("refresh"), "Revert")
        self.revert_button.setAccessibleName("Discard unsaved provider changes")
        actions = QHBoxLayout()
        actions.addWidget(self.state, 1)
        actions.addWidget(self.revert_button)
        actions.addWidget(self.save_button)
        body = QWidget()
        columns = QHBoxLayout(body)
        for boxes in ((social_box, user_pool_box, developer_box, attach_box), (new_oidc_box, new_saml_box)):
            column = QVBoxLayout()
            for box in boxes:
                column.addWidget(box)
            column.addStretch()
            columns.addLayout(column, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.errors)
        layout.addWidget(scroll, 1)
        layout.addLayout(actions)
        self.add_user_pool_button.clicked.connect(self.add_user_pool)
        self.choose_user_pool_button.clicked.connect(self.choose_user_pool)
        self.user_pools.itemChanged.connect(self._token_check_toggled)
        self.remove_user_pool_button.clicked.connect(self.remove_user_pool)
        self.new_oidc.created.connect(lambda arn: self._created(arn, "OIDC"))
        self.attach["OIDC"].itemDoubleClicked.connect(lambda item: self.new_oidc.load_existing(item.text()))
        self.new_saml.created.connect(lambda arn: self._created(arn, "SAML"))
        self.new_oidc.updated.connect(self._updated)
        self.new_saml.updated.connect(self._updated)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.reload)
        self._show(None, [])

    # --- loading -----------------------------------------------------------------------------------
    def clear(self) -> None:
        self.new_oidc.pool = self.new_saml.pool = self.pool
        self._show(None, [])

    def load(self, pool: PoolRef) -> None:
        state = pool.state

        async def load():
            return await state.pool(), await state.connection.iam_providers()

        self.run(load(), label="Loading identity providers", busy=self, errors=self.errors, retry=self.reload,
                 on_success=lambda answer: self._show(ProvidersEdit(PoolEdit(answer[0])), answer[1]))

    def unsaved(self) -> bool:
        return bool(self.edit and self.edit.edit.changes())

    def show_stale(self) -> None:
        """Another tab saved the pool: keep my changes on top of what it saved."""
        latest = self.pool.state.latest_pool if self.pool else None
        if self.edit is not None and latest is not None:
            self.edit.edit.rebase(latest)
            self._show(self.edit, self.iam_providers)
            self._changed()

    def _show(self, edit: ProvidersEdit | None, providers: list[IamProvider]) -> None:
        self.edit, self.iam_providers = edit, providers
        self.new_saml.show_existing([p.arn for p in providers if p.kind == "SAML"])
        for domain, field in self.social.items():
            field.setText(edit.social().get(domain, "") if edit else "")
            field.setEnabled(edit is not None)
        self._show_user_pools()
        region = self.pool.connection.region if self.pool else ""
        self.region.clear()
        self.region.addItems([r for r in dict.fromkeys([region, *regions(cognito_only=True)]) if r] if region else [])
        self.region.setCurrentText(region)
        for kind, listing in self.attach.items():
            listing.blockSignals(True)
            listing.clear()
            attached = edit.attached(ATTACH_MEMBERS[kind]) if edit else []
            for arn in [*(p.arn for p in providers if p.kind == kind), *attached]:
                if listing.findItems(arn, Qt.MatchFlag.MatchExactly):
                    continue
                item = QListWidgetItem(arn)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if arn in attached else Qt.CheckState.Unchecked)
                listing.addItem(item)
            listing.blockSignals(False)
        self.developer.setText((edit.edit.get("DeveloperProviderName") or "") if edit else "")
        self.developer.setReadOnly(edit is None or edit.developer_provider_read_only)
        for widget in (self.save_button, self.revert_button, self.add_user_pool_button,
                       self.remove_user_pool_button):
            widget.setEnabled(edit is not None)
        self.state.setText("")

    def _show_user_pools(self) -> None:
        rows = self.edit.user_pools() if self.edit else []
        self.user_pools.blockSignals(True)
        self.user_pools.setRowCount(len(rows))
        for row, provider in enumerate(rows):
            self.user_pools.setItem(row, 0, QTableWidgetItem(provider.get("ProviderName", "")))
            self.user_pools.setItem(row, 1, QTableWidgetItem(provider.get("ClientId", "")))
            check = QTableWidgetItem("on" if provider.get("ServerSideTokenCheck") else "off")
            check.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            check.setCheckState(Qt.CheckState.Checked if provider.get("ServerSideTokenCheck")
                                else Qt.CheckState.Unchecked)
            self.user_pools.setItem(row, 2, check)
        self.user_pools.blockSignals(False)

    def _token_check_toggled(self, item: QTableWidgetItem) -> None:
        if self.edit is not None and item.column() == 2:
            self.edit.update_user_pool(item.row(), ServerSideTokenCheck=item.checkState() == Qt.CheckState.Checked)
            self._show_user_pools()
            self._changed()

    # --- editing -----------------------------------------------------------------------------------
    def _changed(self) -> None:
        self.state.setText("Unsaved changes")

    def _social_edited(self, domain: str) -> None:
        if self.edit is not None and self.social[domain].text().strip() != self.edit.social().get(domain, ""):
            self.edit.set_social(domain, self.social[domain].text())
            self._changed()

    def add_user_pool(self) -> None:
        if self.edit is None:
            return
        try:
            self.edit.add_user_pool(self.region.currentText().strip(), self.user_pool_id.text().strip(),
                                    self.client_id.text(), self.token_check.isChecked())
        except ValueError as exc:
            self.state.setText(str(exc))
            return
        self.user_pool_id.clear()
        self.client_id.clear()
        self._show_user_pools()
        self._changed()

    def choose_user_pool(self):
        """Open the user-pool picker (returned, for tests); its choice is added like a typed one."""
        from .userpool_picker import UserPoolPicker

        if self.pool is None or self.edit is None:
            return None
        idp = self.pool.connection.cognito_idp
        if idp is None:
            self.state.setText("This connection has no user pool API: give the Local connection a user pool "
                               "endpoint (Connections › Edit), or type the IDs.")
            return None
        picker = UserPoolPicker(self.ctx, idp, self.pool.connection.region, regions(True), self)
        picker.chosen.connect(self._user_pool_chosen)
        picker.finished.connect(picker.deleteLater)
        picker.open()
        picker.load_pools()
        return picker

    def _user_pool_chosen(self, region: str, user_pool_id: str, client_id: str, token_check: bool) -> None:
        self.region.setCurrentText(region)
        self.user_pool_id.setText(user_pool_id)
        self.client_id.setText(client_id)
        self.token_check.setChecked(token_check)
        self.add_user_pool()

    def remove_user_pool(self) -> None:
        row = self.user_pools.currentRow()
        if self.edit is not None and row >= 0:
            self.edit.remove_user_pool(row)
            self._show_user_pools()
            self._changed()

    def _attach_changed(self, kind: str) -> None:
        if self.edit is None:
            return
        listing = self.attach[kind]
        checked = [listing.item(row).text() for row in range(listing.count())
                   if listing.item(row).checkState() == Qt.CheckState.Checked]
        self.edit.set_attached(ATTACH_MEMBERS[kind], checked)
        self._changed()

    def _developer_edited(self) -> None:
        if self.edit is not None and not self.edit.developer_provider_read_only:
            self.edit.set_developer_provider(self.developer.text())
            self._changed()

    def _updated(self, arn: str, changes: str) -> None:
        self.state.setText(f"Updated {arn.rsplit('/', 1)[-1]}: {changes}")

    def _created(self, arn: str, kind: str) -> None:
        """A new IAM provider: list it and attach it to this pool (saved with the next Save) — unless the saved
        pool already names it, which is then said as it is."""
        self.iam_providers.append(IamProvider(arn, kind))
        if self.pool is not None:
            self.pool.state.connection.iam_provider_created(arn, kind, origin=self)
        if self.edit is not None:
            member, name = ATTACH_MEMBERS[kind], arn.rsplit("/", 1)[-1]
            already = arn in (self.edit.edit.loaded.get(member) or [])
            if not already:
                self.edit.set_attached(member, [*self.edit.attached(member), arn])
            self._show(self.edit, self.iam_providers)
            self.state.setText(f"Created {name}; this pool already uses it — nothing to save." if already else
                               f"Created {name} and ticked it for this pool: Save providers to attach it.")

    # --- saving ------------------------------------------------------------------------------------
    def save(self) -> None:
        if self.pool is None or self.edit is None:
            return
        problems = self.edit.problems()
        if problems:
            self.errors.show_report(describe_problems(problems, "The identity pool would refuse these providers"),
                                    label="Checking the providers")
            return
        self.run(self.pool.state.save_pool(self.edit.edit, origin=self), label="Saving providers", busy=self,
                 errors=self.errors, on_success=self._saved)

    def _saved(self, outcome) -> None:
        if isinstance(outcome, Conflict):
            changes = "; ".join(f"{d.path}: {d.before!r} → {d.after!r}" for d in outcome.changed_elsewhere)
            self.errors.show_report(FailureReport("The pool changed elsewhere since it was loaded",
                                                  f"Nothing was saved. Changed elsewhere: {changes}",
                                                  fix="Revert to load the current pool, then make your change again."),
                                    label="Saving providers")
            return
        self.reload()
