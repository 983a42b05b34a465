"""The IAM identity providers view of a connection: every OIDC and SAML provider and the pools that use each.

Owns :class:`IamProvidersDialog` — a non-modal window listing the connection's IAM providers with kind, name and
the pools using them (``ConnectionState.provider_usage``: every pool described, page by page, only here; kept with
the pool list and updated by the app's own saves, so reopening costs nothing); Delete is offered only
for a provider no pool uses, and reads the usage again before deleting (``delete_provider`` refuses when a pool
uses it by then, and the banner says which pools), Refresh
reads them all again. Network work goes through the runner; nothing blocks.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from cognito_desk.admin.pool_state import ConnectionState
from cognito_desk.admin.provider_usage import IamProvider, delete_provider

from ..icons import icon
from ..tasks import Runner
from ..widgets.error_banner import ErrorBanner

__all__ = ["IamProvidersDialog"]


class IamProvidersDialog(QDialog):
    def __init__(self, runner: Runner, connection, state: ConnectionState, parent=None) -> None:
        super().__init__(parent)
        self.runner, self.connection, self.state = runner, connection, state
        self.providers: list[IamProvider] = []
        self.setWindowTitle(f"IAM identity providers — {connection.name}")
        self.setAccessibleName("IAM identity providers")
        self.errors = ErrorBanner(name="IAM identity providers error")
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("IAM identity providers list")
        self.table.setHorizontalHeaderLabels(["Kind", "Provider", "Used by pools"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.refresh_button = QPushButton(icon("refresh"), "Refresh")
        self.refresh_button.setAccessibleName("Reload the IAM identity providers")
        self.delete_button = QPushButton(icon("delete"), "Delete")
        self.delete_button.setAccessibleName("Delete the selected IAM identity provider")
        self.delete_button.setEnabled(False)
        self.delete_reason = QLabel()  # why Delete is greyed out, where the user looks for it
        self.delete_reason.setAccessibleName("Why the provider cannot be deleted")
        self.delete_reason.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.delete_reason, 1)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.errors)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.refresh_button.clicked.connect(self.reread)
        self.delete_button.clicked.connect(self.delete_selected)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.resize(820, 420)

    def reload(self) -> None:
        self.runner.run(self.state.provider_usage(), label="Loading IAM identity providers and the pools using them",
                        busy=self.table, errors=self.errors, retry=self.reload, on_success=self._show)

    def reread(self) -> None:
        """Refresh: read the providers and every pool's use of them again."""
        self.state.pools_changed()
        self.reload()

    def _show(self, providers: list[IamProvider]) -> None:
        self.providers = providers
        self.table.setRowCount(len(providers))
        for row, provider in enumerate(providers):
            used = ", ".join(name for _, name in provider.pools) or "— (not used)"
            for column, text in enumerate((provider.kind, provider.name, used)):
                item = QTableWidgetItem(text)
                item.setToolTip(provider.arn if column == 1 else text)
                self.table.setItem(row, column, item)
        self.table.resizeColumnToContents(1)
        self._selection_changed()

    def selected(self) -> IamProvider | None:
        row = self.table.currentRow()
        return self.providers[row] if 0 <= row < len(self.providers) else None

    def _selection_changed(self) -> None:
        provider = self.selected()
        self.delete_button.setEnabled(provider is not None and not provider.pools)
        reason = ""
        if provider is not None and provider.pools:
            names = ", ".join(f"“{name}”" for _, name in provider.pools)
            one = len(provider.pools) == 1
            reason = (f"Used by {'pool' if one else 'pools'} {names}: remove it from "
                      f"{'that pool’s' if one else 'those pools’'} identity providers before deleting it.")
        self.delete_button.setToolTip(reason)
        self.delete_reason.setText(reason)

    def delete_selected(self) -> None:
        provider = self.selected()
        if provider is not None:
            self.runner.run(self._guarded_delete(provider), label=f"Deleting {provider.name}", busy=self.table,
                            errors=self.errors, on_success=lambda _: self._deleted(provider))

    async def _guarded_delete(self, provider: IamProvider) -> None:
        """Delete unless a pool uses it *now*: the usage shown may be older than another admin's change."""
        self.state.pools_changed()
        fresh = next((p for p in await self.state.provider_usage() if p.arn == provider.arn), provider)
        await delete_provider(self.connection.iam, fresh)

    def _deleted(self, provider: IamProvider) -> None:
        self.state.iam_provider_deleted(provider.arn, origin=self)
        self.reload()
