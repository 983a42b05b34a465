"""Editing how the tester signs in with one provider: issuer or endpoints, client id and secret, scopes …

Owns :class:`ProviderDialog`, a form over a :class:`~cognito_desk.flows.clients.ProviderClient` showing the
fields its kind uses (OIDC and user-pool hosted UI, Facebook / Amazon, SAML, developer); the client ID is a
pick list (still editable) when the pool's configuration names several for the provider. :meth:`client`
reads the form back; :meth:`problems` says what keeps it from running, shown inline. The client secret
field is a password field: what is typed goes to the keyring when saved (an empty field keeps the stored
secret; "Forget secret" removes it), and it never comes back into the form.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...flows.clients import (
    RESPONSE_TYPES,
    ProviderClient,
    ProviderClientsError,
    ProviderKind,
    format_extra_params,
    parse_extra_params,
)

__all__ = ["ProviderDialog"]

_BROWSER_KINDS = (ProviderKind.OIDC, ProviderKind.USER_POOL, ProviderKind.FACEBOOK, ProviderKind.AMAZON)


class ProviderDialog(QDialog):
    def __init__(self, client: ProviderClient, *, has_secret: bool, parent: QWidget | None = None,
                 client_ids: tuple[str, ...] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Provider settings — {client.name}")
        self.setAccessibleName("Provider settings")
        self.original = client
        self.form = QFormLayout()
        self.fields: dict[str, QWidget] = {}
        kind = client.kind
        self._line("name", "Name", client.name)
        if kind in (ProviderKind.OIDC, ProviderKind.USER_POOL):
            self._line("issuer", "Issuer", client.issuer, "https://accounts.google.com")
        if kind in _BROWSER_KINDS:
            self._line("authorization_endpoint", "Authorize endpoint", client.authorization_endpoint,
                       "from the discovery document")
            self._line("token_endpoint", "Token endpoint", client.token_endpoint, "from the discovery document")
            if kind in (ProviderKind.OIDC, ProviderKind.USER_POOL):
                self._line("jwks_uri", "JWKS URI", client.jwks_uri, "from the discovery document")
            if len(client_ids) > 1:
                choices = (*client_ids, client.client_id) if client.client_id else client_ids
                picked = self._combo("client_id", "Client ID", tuple(dict.fromkeys(choices)), client.client_id)
                picked.setEditable(True)
                picked.setToolTip("The client IDs this pool's provider lists; pick one or type another")
            else:
                self._line("client_id", "Client ID", client.client_id)
            self._secret(has_secret)
            self._line("scopes", "Scopes", " ".join(client.scopes))
            self._line("redirect_uri", "Redirect URI", client.redirect_uri)
            types = RESPONSE_TYPES if kind not in (ProviderKind.FACEBOOK, ProviderKind.AMAZON) else ("code", "token")
            self._combo("response_type", "Response type", types, client.response_type)
            self._combo("response_mode", "Response mode", ("", "query", "fragment", "form_post"),
                        client.response_mode)
            extra = QPlainTextEdit(format_extra_params(client.extra_params))
            extra.setPlaceholderText("prompt=login\nlogin_hint=alice@example.com")
            extra.setMaximumHeight(70)
            self._add("extra_params", "Extra authorize parameters", extra)
            if kind in (ProviderKind.OIDC, ProviderKind.USER_POOL):
                self._combo("send_token", "Token sent to Cognito", ("id_token", "access_token"), client.send_token)
        if kind is ProviderKind.USER_POOL_PASSWORD:
            self._line("user_pool_id", "User pool ID", client.user_pool_id).setReadOnly(True)
            self._line("client_id", "App client ID", client.client_id).setReadOnly(True)  # the pool's, not ours
            self._secret(has_secret)
            self._line("username", "Default username", client.username)
        if kind is ProviderKind.SAML:
            self._line("saml_provider_arn", "IAM SAML provider", client.saml_provider_arn).setReadOnly(True)
            self._line("saml_sso_url", "IdP SSO URL (SP-initiated)", client.saml_sso_url)
            self._line("saml_idp_initiated_url", "IdP start page (IdP-initiated)", client.saml_idp_initiated_url)
            self._line("saml_acs_url", "ACS URL", client.saml_acs_url)
            self._line("saml_sp_entity_id", "SP entity ID", client.saml_sp_entity_id)
        if kind is ProviderKind.DEVELOPER:
            self._line("developer_provider_name", "Developer provider", client.developer_provider_name).setReadOnly(
                True)
            self._line("developer_user_identifier", "User identifier", client.developer_user_identifier)
        self.problems_label = QLabel()
        self.problems_label.setObjectName("formProblems")
        self.problems_label.setAccessibleName("Problems")
        self.problems_label.setWordWrap(True)
        self.problems_label.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(self.form)
        box.addWidget(self.problems_label)
        box.addWidget(buttons)

    def _secret(self, has_secret: bool) -> None:
        secret = self._line("client_secret", "Client secret", "",
                            "kept in the keyring" if has_secret else "none (public client)")
        secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.forget_secret = QCheckBox("Forget the stored secret")
        self.forget_secret.setAccessibleName("Forget the stored client secret")
        self.forget_secret.setEnabled(has_secret)
        self.form.addRow("", self.forget_secret)

    def _add(self, key: str, label: str, widget: QWidget) -> QWidget:
        widget.setAccessibleName(label)
        self.fields[key] = widget
        self.form.addRow(label, widget)
        return widget

    def _line(self, key: str, label: str, value: str, placeholder: str = "") -> QLineEdit:
        line = QLineEdit(value)
        line.setPlaceholderText(placeholder)
        self._add(key, label, line)
        return line

    def _combo(self, key: str, label: str, choices: tuple[str, ...], value: str) -> QComboBox:
        combo = QComboBox()
        combo.addItems(list(choices))
        combo.setCurrentText(value)
        self._add(key, label, combo)
        return combo

    def set_field(self, key: str, value: str) -> None:
        widget = self.fields[key]
        if isinstance(widget, QComboBox):
            widget.setCurrentText(value)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        else:
            widget.setText(value)  # type: ignore[attr-defined]

    def _value(self, key: str) -> str:
        widget = self.fields[key]
        if isinstance(widget, QComboBox):
            return widget.currentText()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        return widget.text().strip()  # type: ignore[attr-defined]

    def client(self) -> ProviderClient:
        """The client as the form says (raises ProviderClientsError for unreadable extra parameters)."""
        changes: dict[str, object] = {}
        for key in self.fields:
            if key == "client_secret":
                continue
            value = self._value(key)
            if key == "scopes":
                changes[key] = tuple(value.split())
            elif key == "extra_params":
                changes[key] = parse_extra_params(value)
            else:
                changes[key] = value
        return replace(self.original, **changes)

    def secret_change(self) -> str | None:
        """The new secret typed, "" to forget the stored one, or None to keep it as it is."""
        if "client_secret" not in self.fields:
            return None
        typed = self._value("client_secret")
        if typed:
            return typed
        return "" if self.forget_secret.isChecked() else None

    def problems(self) -> list[str]:
        try:
            return self.client().problems()
        except ProviderClientsError as exc:
            return [str(exc)]

    def _save(self) -> None:
        problems = self.problems()
        self.problems_label.setText("\n".join(problems))
        self.problems_label.setVisible(bool(problems))
        if not problems:
            self.accept()
