"""The user-pool picker: choose region → user pool → app client from the connection instead of typing IDs.

Owns :class:`UserPoolPicker`, a dialog over the connection's user-pool API (``admin.user_pools``): the region
(the connection's by default), its user pools, the chosen pool's app clients, and for the chosen client its
allowed auth flows and whether it has a secret; the server-side token check with what it does. Loads run
on the window's runner (busy, cancellable, errors in the dialog's banner). On "Add", :attr:`chosen` carries
``(region, user pool id, app client id, server-side token check)``; the Identity providers tab adds it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ...admin.user_pools import (
    SERVER_SIDE_TOKEN_CHECK,
    AppClient,
    UserPoolSummary,
    idp_in_region,
    list_app_clients,
    list_user_pools,
)
from ...aws import CognitoIdpClient
from ..context import AppContext
from ..widgets.error_banner import ErrorBanner

__all__ = ["UserPoolPicker"]


class UserPoolPicker(QDialog):
    #: (region, user pool id, app client id, server-side token check)
    chosen = Signal(str, str, str, bool)

    def __init__(self, ctx: AppContext, idp: CognitoIdpClient, region: str, regions: tuple[str, ...],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.idp = ctx, idp
        self.setWindowTitle("Choose a user pool")
        self.setAccessibleName("Choose a user pool")
        self.errors = ErrorBanner(name="User pool error")
        self.region = QComboBox()
        self.region.setAccessibleName("Region")
        self.region.addItems(list(dict.fromkeys((region, *regions))))
        self.region.setCurrentText(region)
        self.pools = QComboBox()
        self.pools.setAccessibleName("User pool")
        self.clients = QComboBox()
        self.clients.setAccessibleName("App client")
        self.client_info = QLabel("—")
        self.client_info.setAccessibleName("App client auth flows and secret")
        self.client_info.setWordWrap(True)
        self.token_check = QCheckBox("Server-side token check")
        self.token_check.setAccessibleName("Server-side token check")
        self.token_check.setToolTip(SERVER_SIDE_TOKEN_CHECK)
        explained = QLabel(SERVER_SIDE_TOKEN_CHECK)
        explained.setWordWrap(True)
        explained.setAccessibleName("What the server-side token check does")
        form = QFormLayout()
        form.addRow("Region", self.region)
        form.addRow("User pool", self.pools)
        form.addRow("App client", self.clients)
        form.addRow("", self.client_info)
        form.addRow("", self.token_check)
        form.addRow("", explained)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton("Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setAccessibleName("Add the chosen user pool")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.errors)
        box.addLayout(form)
        box.addWidget(self.buttons)
        self.app_clients: list[AppClient] = []
        self.region.currentTextChanged.connect(lambda _: self.load_pools())
        self.pools.currentIndexChanged.connect(lambda _: self.load_clients())
        self.clients.currentIndexChanged.connect(lambda _: self._show_client())
        self._update()

    def _api(self) -> CognitoIdpClient:
        return idp_in_region(self.idp, self.region.currentText().strip())

    def load_pools(self) -> None:
        self.pools.clear()
        self.ctx.runner.run(list_user_pools(self._api()), label="Reading the user pools", busy=self,
                            errors=self.errors, on_success=self._show_pools, retry=self.load_pools)

    def _show_pools(self, pools: list[UserPoolSummary]) -> None:
        self.pools.blockSignals(True)
        self.pools.clear()
        for pool in pools:
            self.pools.addItem(pool.label(), pool.id)
        self.pools.blockSignals(False)
        if not pools:
            self.client_info.setText(f"No user pools in {self.region.currentText()} on this connection.")
        self.load_clients()

    def load_clients(self) -> None:
        self.app_clients = []
        self.clients.clear()
        pool_id = self.pools.currentData()
        self._update()
        if pool_id:
            self.ctx.runner.run(list_app_clients(self._api(), pool_id), label="Reading the app clients", busy=self,
                                errors=self.errors, on_success=self._show_clients, retry=self.load_clients)

    def _show_clients(self, clients: list[AppClient]) -> None:
        self.app_clients = clients
        self.clients.blockSignals(True)
        for client in clients:
            self.clients.addItem(client.label(), client.client_id)
        self.clients.blockSignals(False)
        if not clients:
            self.client_info.setText("This user pool has no app client: create one first.")
        self._show_client()

    def current_client(self) -> AppClient | None:
        index = self.clients.currentIndex()
        return self.app_clients[index] if 0 <= index < len(self.app_clients) else None

    def _show_client(self) -> None:
        client = self.current_client()
        if client is not None:
            self.client_info.setText(client.describe())
        self._update()

    def _update(self) -> None:
        self.add_button.setEnabled(self.current_client() is not None)

    def _accept(self) -> None:
        client = self.current_client()
        if client is None:
            return
        self.chosen.emit(self.region.currentText().strip(), client.user_pool_id, client.client_id,
                         self.token_check.isChecked())
        self.accept()
