"""The IAM identity providers of a new pool: pick existing ones, or create one on the spot.

Owns :class:`IamProviderPicker`, used by the New pool wizard's step 2: two checkable lists of the connection's
IAM OIDC and SAML providers (``ListOpenIDConnectProviders``, ``ListSAMLProviders`` through
:func:`~cognito_desk.admin.provider_usage.load_iam_providers`), and
the Providers tab's own :class:`~cognito_desk.ui.providers.new_provider.NewOidcProvider` (created only after the
same discovery check) and :class:`~cognito_desk.ui.providers.new_provider.NewSamlProvider`. A provider created
here is listed and ticked at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QTabWidget, QVBoxLayout, QWidget

from ...admin.provider_usage import IamProvider, load_iam_providers
from ..providers.new_provider import NewOidcProvider, NewSamlProvider
from ..tasks import Runner
from ..widgets.error_banner import ErrorBanner

__all__ = ["IamProviderPicker"]

KINDS = {"OIDC": "OpenID Connect", "SAML": "SAML"}


class IamProviderPicker(QWidget):
    def __init__(self, runner: Runner, connection, errors: ErrorBanner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.connection, self.errors = runner, connection, errors
        self.loaded = False
        self.lists: dict[str, QListWidget] = {}
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("IAM identity providers")
        for kind, words in KINDS.items():
            listing = QListWidget()
            listing.setAccessibleName(f"Existing {words} providers")
            self.lists[kind] = listing
            self.tabs.addTab(listing, f"Existing {kind}")
        self.new_oidc = NewOidcProvider(runner, errors)
        self.new_saml = NewSamlProvider(runner, errors)
        for kind, widget in (("OIDC", self.new_oidc), ("SAML", self.new_saml)):
            widget.connection = connection
            widget.created.connect(lambda arn, kind=kind: self._created(arn, kind))
            self.tabs.addTab(widget, f"New {kind} provider")
        self.status = QLabel("")
        self.status.setAccessibleName("IAM provider status")
        self.status.setWordWrap(True)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.tabs, 1)
        box.addWidget(self.status)

    def load(self) -> None:
        """List the connection's IAM providers (once)."""
        if not self.loaded:
            self.loaded = True
            self.status.setText("Listing the IAM identity providers…")
            self.runner.run(load_iam_providers(self.connection.iam),
                            label="Listing IAM identity providers", errors=self.errors, on_success=self._listed,
                            on_failure=self._not_listed)

    def _not_listed(self, error: BaseException) -> None:
        self.status.setText("")
        self.errors.show_error(error, label="Listing IAM identity providers")

    def _listed(self, providers: list[IamProvider]) -> None:
        self.status.setText("" if providers else "This account has no IAM OIDC or SAML provider yet: create one.")
        for provider in providers:
            self._add(provider.arn, provider.kind, checked=False)

    def _add(self, arn: str, kind: str, *, checked: bool) -> None:
        listing = self.lists[kind]
        found = listing.findItems(arn, Qt.MatchFlag.MatchExactly)
        item = found[0] if found else QListWidgetItem(arn)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else item.checkState() if found
                           else Qt.CheckState.Unchecked)
        item.setToolTip(arn)
        if not found:
            listing.addItem(item)

    def _created(self, arn: str, kind: str) -> None:
        self._add(arn, kind, checked=True)
        self.tabs.setCurrentWidget(self.lists[kind])
        self.status.setText(f"Created {arn.rsplit('/', 1)[-1]}; it is ticked for this pool.")

    def chosen(self, kind: str) -> list[str]:
        """The ticked providers of ``kind`` ("OIDC" or "SAML")."""
        listing = self.lists[kind]
        return [listing.item(row).text() for row in range(listing.count())
                if listing.item(row).checkState() == Qt.CheckState.Checked]

    def listed(self) -> list[str]:
        """Every provider ARN IAM listed or this picker created: known to exist."""
        return [listing.item(row).text() for listing in self.lists.values() for row in range(listing.count())]
