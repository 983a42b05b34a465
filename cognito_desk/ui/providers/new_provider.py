"""Creating IAM identity providers from the Providers tab, checked before anything is saved.

Owns :class:`NewOidcProvider` (issuer URL, client IDs, thumbprints; "Check discovery" runs
``admin.provider_checks.check_oidc_discovery`` and shows issuer, endpoints, algorithms, key IDs and every
mismatch; "Create" stays off until the check passes; an existing provider loaded with :meth:`load_existing` gets
its client IDs and thumbprints updated instead) and :class:`NewSamlProvider` (name and metadata pasted,
loaded from a file or fetched from a URL; the summary — entity ID, SSO endpoints, certificates and their expiry
warnings — appears as soon as the metadata reads; the name of an existing provider updates its metadata with
``UpdateSAMLProvider``). Both emit :attr:`created` with a new provider's ARN, :attr:`updated` after an update.
Both work on the selected pool's connection (:attr:`pool`, the Providers tab) or on a connection given outright
(:attr:`connection`, the New pool wizard, before there is a pool).
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cognito_desk.admin.provider_checks import DiscoveryReport, check_oidc_discovery, summarize_saml_metadata
from cognito_desk.admin.providers import (
    iam_problems,
    oidc_provider_request,
    saml_provider_request,
    update_oidc_provider,
)
from cognito_desk.core import errors

from ..pages import PoolRef
from ..tasks import Runner
from ..widgets.error_banner import ErrorBanner

__all__ = ["NewOidcProvider", "NewSamlProvider", "describe_discovery"]


def describe_discovery(report: DiscoveryReport) -> str:
    lines = [f"Issuer: {report.issuer or '—'}"]
    lines += [f"{name}: {url}" for name, url in report.endpoints.items()]
    lines.append(f"Signing algorithms: {', '.join(report.algorithms) or '—'}")
    lines.append(f"Keys: {', '.join(report.key_ids) or '—'}")
    lines += [f"✗ {problem}" for problem in report.problems]
    lines += [f"⚠ {warning}" for warning in report.warnings]
    lines.append("✓ Discovery check passed." if report.ok else "Fix these problems before creating the provider.")
    return "\n".join(lines)


def _splitter(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class _OnConnection:
    """Where a provider is created: the selected pool's connection, else :attr:`connection`."""

    pool: PoolRef | None = None
    connection = None

    def backend(self):
        return self.pool.connection if self.pool is not None else self.connection


class NewOidcProvider(_OnConnection, QWidget):
    created = Signal(str)
    #: (provider ARN, what changed) — an existing provider was updated.
    updated = Signal(str, str)

    def __init__(self, runner: Runner, errors_banner: ErrorBanner, parent=None) -> None:
        super().__init__(parent)
        self.runner, self.errors = runner, errors_banner
        self.report: DiscoveryReport | None = None
        #: The existing provider being edited (double-click one in the OIDC list), or None to create one.
        self.existing_arn: str | None = None
        self.url = QLineEdit()
        self.url.setAccessibleName("Issuer URL")
        self.url.setPlaceholderText("https://login.example.com")
        self.client_ids = QLineEdit()
        self.client_ids.setAccessibleName("Client IDs (audiences)")
        self.client_ids.setPlaceholderText("client IDs, comma-separated")
        self.thumbprints = QLineEdit()
        self.thumbprints.setAccessibleName("Thumbprints")
        self.thumbprints.setPlaceholderText("optional SHA-1 thumbprints, comma-separated")
        self.check_button = QPushButton("Check &discovery")
        self.check_button.setAccessibleName("Check the OpenID discovery document")
        self.create_button = QPushButton("Create OIDC provider")
        self.create_button.setAccessibleName("Create the OIDC provider")
        self.create_button.setEnabled(False)
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        self.result.setAccessibleName("Discovery check result")
        self.result.setMaximumHeight(150)
        form = QFormLayout()
        form.addRow("Issuer URL:", self.url)
        form.addRow("Client IDs:", self.client_ids)
        form.addRow("Thumbprints:", self.thumbprints)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        self.url.textChanged.connect(self._url_changed)
        self.check_button.clicked.connect(self.check)
        self.create_button.clicked.connect(self.create)

    def _url_changed(self) -> None:
        key = self.url.text().strip().split("://", 1)[-1].rstrip("/")
        if self.existing_arn and not self.existing_arn.endswith(f":oidc-provider/{key}"):
            self.existing_arn = None  # another issuer: a new provider
        self._checked(None)

    def load_existing(self, arn: str) -> None:
        """Edit an existing IAM OIDC provider: its client IDs and thumbprints; Update sends only the changes."""
        if self.backend() is None:
            return
        iam = self.backend().iam

        def show(answer: dict) -> None:
            host = answer["Url"].split("/", 1)[0].split(":", 1)[0]
            scheme = "http" if host in ("127.0.0.1", "localhost", "::1") else "https"
            self.existing_arn = None
            self.url.setText(f"{scheme}://{answer['Url']}")
            self.existing_arn = arn
            self.client_ids.setText(", ".join(answer.get("ClientIDList") or []))
            self.thumbprints.setText(", ".join(answer.get("ThumbprintList") or []))
            self._checked(None)

        self.runner.run(iam.get_open_id_connect_provider(open_id_connect_provider_arn=arn),
                        label="Reading the OIDC provider", busy=self, errors=self.errors, on_success=show)

    def check(self) -> None:
        if self.backend() is None:
            return
        self.runner.run(check_oidc_discovery(self.backend().http, self.url.text()), label="Checking discovery",
                        busy=self, errors=self.errors, on_success=self._checked)

    def _checked(self, report: DiscoveryReport | None) -> None:
        self.report = report
        self.result.setPlainText(describe_discovery(report) if report else "")
        updating = self.existing_arn is not None
        self.create_button.setText("Update OIDC provider" if updating else "Create OIDC provider")
        self.create_button.setAccessibleName("Update the OIDC provider's client IDs and thumbprints" if updating
                                             else "Create the OIDC provider")
        self.create_button.setEnabled(updating or (report is not None and report.ok))

    def create(self) -> None:
        if self.backend() is None:
            return
        if self.existing_arn is not None:
            self.update()
            return
        if self.report is None or not self.report.ok:
            return
        request = oidc_provider_request(self.url.text(), _splitter(self.client_ids.text()),
                                        _splitter(self.thumbprints.text()))
        problems = iam_problems("CreateOpenIDConnectProvider", request)
        if problems:
            self.errors.show_error(errors.ValidationException(problems[0].message), label="Checking the provider")
            return
        iam = self.backend().iam

        async def send() -> str:
            answer = await iam.create_open_id_connect_provider(url=request["Url"],
                                                               client_id_list=request["ClientIDList"],
                                                               thumbprint_list=request.get("ThumbprintList"))
            return answer["OpenIDConnectProviderArn"]

        self.runner.run(send(), label="Creating the OIDC provider", busy=self, errors=self.errors,
                        on_success=self.created.emit)


    def update(self) -> None:
        arn = self.existing_arn
        self.runner.run(update_oidc_provider(self.backend().iam, arn, _splitter(self.client_ids.text()),
                                             _splitter(self.thumbprints.text())),
                        label="Updating the OIDC provider", busy=self, errors=self.errors,
                        on_success=lambda changes: self._updated(arn, changes))

    def _updated(self, arn: str, changes: list[str]) -> None:
        text = "; ".join(changes) or "nothing to change"
        self.result.setPlainText(text)
        self.updated.emit(arn, text)


class NewSamlProvider(_OnConnection, QWidget):
    created = Signal(str)
    #: (provider ARN, what changed) — an existing provider's metadata was replaced.
    updated = Signal(str, str)

    def __init__(self, runner: Runner, errors_banner: ErrorBanner, parent=None) -> None:
        super().__init__(parent)
        self.runner, self.errors = runner, errors_banner
        #: The connection's SAML providers by name: a name already taken updates that provider's metadata.
        self.existing: dict[str, str] = {}
        self.name = QLineEdit()
        self.name.setAccessibleName("SAML provider name")
        self.metadata = QPlainTextEdit()
        self.metadata.setAccessibleName("SAML metadata")
        self.metadata.setPlaceholderText("Paste the IdP's metadata XML, open a file or fetch it from a URL")
        self.metadata.setMaximumHeight(90)
        self.metadata_url = QLineEdit()
        self.metadata_url.setAccessibleName("Metadata URL")
        self.metadata_url.setPlaceholderText("https://idp.example.com/metadata")
        self.fetch_button = QPushButton("Fetch")
        self.fetch_button.setAccessibleName("Fetch the metadata from the URL")
        self.open_button = QPushButton("Open file…")
        self.open_button.setAccessibleName("Open a metadata file")
        self.summary = QLabel("")
        self.summary.setAccessibleName("Metadata summary")
        self.summary.setWordWrap(True)
        self.create_button = QPushButton("Create SAML provider")
        self.create_button.setAccessibleName("Create the SAML provider")
        self.create_button.setEnabled(False)
        source = QHBoxLayout()
        source.addWidget(self.metadata_url, 1)
        source.addWidget(self.fetch_button)
        source.addWidget(self.open_button)
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("Metadata:", self.metadata)
        form.addRow("or from:", source)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.create_button)
        self.metadata.textChanged.connect(self.summarize)
        self.name.textChanged.connect(self._name_changed)
        self.fetch_button.clicked.connect(self.fetch)
        self.open_button.clicked.connect(self.open_file)
        self.create_button.clicked.connect(self.create)

    def show_existing(self, arns: list[str]) -> None:
        self.existing = {arn.rsplit(":saml-provider/", 1)[-1]: arn for arn in arns}
        self._name_changed()

    def _name_changed(self) -> None:
        updating = self.name.text().strip() in self.existing
        self.create_button.setText("Update SAML provider" if updating else "Create SAML provider")
        self.create_button.setAccessibleName("Update the SAML provider's metadata" if updating
                                             else "Create the SAML provider")

    def summarize(self) -> None:
        xml = self.metadata.toPlainText().strip()
        if not xml:
            self.summary.setText("")
            self.create_button.setEnabled(False)
            return
        try:
            summary = summarize_saml_metadata(xml, now=time.time())
        except errors.AwsError as exc:
            self.summary.setText(f"✗ {exc.code}: {exc.message}")
            self.create_button.setEnabled(False)
            return
        lines = [f"Entity ID: {summary.entity_id}"]
        lines += [f"SSO: {location} ({binding.rsplit(':', 1)[-1]})" for binding, location in summary.sso_endpoints]
        lines += [f"Certificate: {certificate.describe()}" for certificate in summary.certificates]
        lines += [f"⚠ {warning}" for warning in summary.warnings]
        self.summary.setText("\n".join(lines))
        self.create_button.setEnabled(True)

    def fetch(self) -> None:
        if self.backend() is None:
            return
        http, url = self.backend().http, self.metadata_url.text().strip()

        async def get() -> str:
            response = await http.get(url, timeout=10.0, follow_redirects=True)
            response.raise_for_status()
            return response.text

        self.runner.run(get(), label="Fetching the metadata", busy=self, errors=self.errors,
                        on_success=self.metadata.setPlainText)

    def open_file(self) -> None:
        dialog = QFileDialog(self, "Open SAML metadata", "", "SAML metadata (*.xml);;All files (*)")
        dialog.fileSelected.connect(lambda path: self.runner.run_blocking(
            lambda: Path(path).read_text(encoding="utf-8"), label="Reading the metadata", errors=self.errors,
            on_success=self.metadata.setPlainText))
        dialog.open()

    def create(self) -> None:
        if self.backend() is None:
            return
        request = saml_provider_request(self.name.text(), self.metadata.toPlainText())
        problems = iam_problems("CreateSAMLProvider", request)
        if problems:
            self.errors.show_error(errors.ValidationException(problems[0].message), label="Checking the provider")
            return
        iam, existing = self.backend().iam, self.existing.get(request["Name"])

        async def send() -> str:
            if existing:
                answer = await iam.update_saml_provider(saml_provider_arn=existing,
                                                        saml_metadata_document=request["SAMLMetadataDocument"])
            else:
                answer = await iam.create_saml_provider(name=request["Name"],
                                                        saml_metadata_document=request["SAMLMetadataDocument"])
            return answer["SAMLProviderArn"]

        done = (lambda arn: self.updated.emit(arn, "metadata replaced")) if existing else self.created.emit
        self.runner.run(send(), label="Updating the SAML provider" if existing else "Creating the SAML provider",
                        busy=self, errors=self.errors, on_success=done)
