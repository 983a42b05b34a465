"""The Add / Edit / Duplicate connection dialog: Local, AWS or Custom endpoint, with "Test connection".

Owns :class:`ConnectionDialog`. It shows a :class:`~cognito_desk.admin.connections.ConnectionForm` — only the
fields the chosen kind and credential source use — with each problem inline under its field, loads the AWS
CLI's profiles (IAM Identity Center ones marked) and the stored keys in a worker thread, tests the unsaved
form through :func:`~cognito_desk.admin.connections.check_connection` on the runner (endpoint, account,
caller ARN and latency; an SSO profile without a session shows the exact ``aws sso login`` command), and
saves keys to the keyring — or, when there is none and the user ticks it, to memory for this session
only. It emits :attr:`ConnectionDialog.saved` with the new settings; what to reopen is the caller's choice.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...admin import connections as logic
from ...backend import ConnectionReport
from ...settings import CredentialSource, KeyringUnavailable, ProfileKind, SessionSecrets, Settings
from ..context import AppContext
from ..icons import icon
from ..tasks import Operation
from ..widgets.error_banner import ErrorBanner
from .fields import Field, SecretEdit

__all__ = ["ConnectionDialog"]

_KINDS = ((ProfileKind.LOCAL, "&Local (embedded service)"), (ProfileKind.AWS, "&AWS"),
          (ProfileKind.ENDPOINT, "C&ustom endpoint"))
_SOURCES = ((CredentialSource.AWS_PROFILE, "AWS CLI profile (~/.aws/config, IAM Identity Center)"),
            (CredentialSource.KEYRING, "Access key pair kept in the OS keyring"),
            (CredentialSource.ENVIRONMENT, "Environment variables (AWS_ACCESS_KEY_ID …)"))


class ConnectionDialog(QDialog):
    #: The settings after a save, the saved profile's name, and the name it had before (None: new).
    saved = Signal(object, str, object)

    def __init__(self, ctx: AppContext, settings: Settings, *, edit: str | None = None,
                 duplicate: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.settings = ctx, settings
        self.secrets = logic.with_session_fallback(ctx.secrets)
        self._source = duplicate
        self._aws_profiles: list[str] | None = None
        self._sso: set[str] = set()
        self._keyring_problem: str | None = None
        self._operations: list[Operation] = []
        if edit is not None:
            form = logic.form_for_profile(settings.profile(edit), original=edit)
            title = f"Edit connection “{edit}”"
        elif duplicate is not None:
            form = replace(logic.form_for_profile(settings.profile(duplicate)),
                           name=logic.copy_name(settings, duplicate))
            title = f"Duplicate connection “{duplicate}”"
        else:
            form, title = logic.ConnectionForm(), "New connection"
        self._original = form.original
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._build()
        self._show_form(form)
        self._load()

    # --- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.kind_buttons = QButtonGroup(self)
        kinds = QHBoxLayout()
        for kind, text in _KINDS:
            button = QRadioButton(text)
            button.setAccessibleName(f"Kind: {text.replace('&', '')}")
            self.kind_buttons.addButton(button)
            button.setProperty("kind", kind.value)
            kinds.addWidget(button)
        kinds.addStretch()
        self.kind_buttons.buttonToggled.connect(lambda *_: self._update_visibility())
        self.name = QLineEdit()
        self.region = QComboBox(editable=True)
        self.url = QLineEdit()
        self.url.setPlaceholderText("http://127.0.0.1:5000")
        self.account_id = QLineEdit()
        self.data_dir = QLineEdit()
        self.data_dir.setPlaceholderText(f"default, shared with cognito-desk serve: {logic.default_data_dir_hint()}")
        browse = QPushButton("Browse…")
        browse.setAccessibleName("Choose the data directory")
        browse.clicked.connect(self._browse)
        data_row = QWidget()
        row = QHBoxLayout(data_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.data_dir, 1)
        row.addWidget(browse)
        data_row.setFocusProxy(self.data_dir)
        self.quotas = QComboBox(editable=True)
        self.quotas.addItems(["off", "aws"])
        self.quotas.setToolTip("Request-rate quotas of the embedded service: off, aws (AWS's defaults) or the "
                               "path of a TOML quota file (see the README)")
        self.user_pool_endpoint = QLineEdit()
        self.user_pool_endpoint.setPlaceholderText("none — e.g. http://127.0.0.1:5000 for moto server's user pools")
        self.user_pool_endpoint.setToolTip("A cognito-idp server standing in for Cognito user pools: the tester's "
                                           "user-pool sign-ins and pickers use it, the embedded service trusts "
                                           "its tokens.")
        self.credentials = QComboBox()
        for source, text in _SOURCES:
            self.credentials.addItem(text, source.value)
        self.credentials.currentIndexChanged.connect(lambda _: self._update_visibility())
        self.aws_profile = QComboBox(editable=True)
        self.aws_profile.setPlaceholderText("loading…")
        self.aws_profile.currentTextChanged.connect(lambda _: self._show_sso_note())
        self.access_key_id = QLineEdit()
        self.secret_access_key = SecretEdit("Secret access key")
        self.session_token = SecretEdit("Session token (optional)")
        self.copy_keys = QCheckBox(f"Copy the stored keys of “{self._source}”")
        self.copy_keys.setAccessibleName("Copy the stored keys")
        self.copy_keys.toggled.connect(self._copy_keys)
        self.form = QFormLayout()
        self.fields: dict[str, Field] = {}
        for key, label, widget in (("name", "&Name", self.name), ("region", "&Region", self.region),
                                   ("url", "Endpoint &URL", self.url), ("account_id", "Account &ID", self.account_id),
                                   ("data_dir", "&Data directory", data_row),
                                   ("quotas", "Request &quotas", self.quotas),
                                   ("user_pool_endpoint", "User p&ool endpoint", self.user_pool_endpoint),
                                   ("credentials", "&Credentials", self.credentials),
                                   ("aws_profile", "AWS &profile", self.aws_profile),
                                   ("access_key_id", "Access &key ID", self.access_key_id),
                                   ("secret_access_key", "&Secret access key", self.secret_access_key),
                                   ("session_token", "Session &token", self.session_token)):
            if isinstance(widget, (QLineEdit, QComboBox)):
                widget.setAccessibleName(label.replace("&", ""))
            self.fields[key] = Field(widget, label.replace("&", ""))
            self.form.addRow(label, self.fields[key])
        self.data_dir.setAccessibleName("Data directory")
        self.form.addRow("", self.copy_keys)
        self.keyring_notice = QFrame()
        self.keyring_notice.setObjectName("errorBanner")
        self.keyring_text = QLabel()
        self.keyring_text.setWordWrap(True)
        self.keyring_text.setAccessibleName("Keyring problem")
        self.session_only = QCheckBox("Keep these keys for this session only (forgotten when cognito-desk quits)")
        self.session_only.setAccessibleName("Keep the keys for this session only")
        notice = QVBoxLayout(self.keyring_notice)
        notice.addWidget(self.keyring_text)
        notice.addWidget(self.session_only)
        self.keyring_notice.hide()
        self.test_button = QPushButton(icon("test-connection"), "&Test connection")
        self.test_button.setAccessibleName("Test connection")
        self.test_button.setToolTip("Ask STS who this connection signs as (GetCallerIdentity), without saving")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setAccessibleName("Test result")
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_result.setWordWrap(True)
        self.errors = ErrorBanner(name="Connection problem")
        self.sso_box = QFrame()
        self.sso_command = QLineEdit(readOnly=True)
        self.sso_command.setAccessibleName("SSO login command")
        copy = QPushButton(icon("copy"), "Copy")
        copy.setAccessibleName("Copy the SSO login command")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.sso_command.text()))
        sso = QHBoxLayout(self.sso_box)
        sso.setContentsMargins(0, 0, 0, 0)
        sso.addWidget(QLabel("Sign in to IAM Identity Center in a terminal:"))
        sso.addWidget(self.sso_command, 1)
        sso.addWidget(copy)
        self.sso_box.hide()
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        for button in self.buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(kinds)
        body.addLayout(self.form)
        body.addWidget(self.keyring_notice)
        body.addLayout(test_row)
        body.addWidget(self.sso_box)
        body.addWidget(self.errors)
        box = QVBoxLayout(self)
        box.addWidget(self.body, 1)
        box.addWidget(self.buttons)
        self.resize(640, 0)

    # --- form <-> widgets --------------------------------------------------------------------------
    def _show_form(self, form: logic.ConnectionForm) -> None:
        for button in self.kind_buttons.buttons():
            button.setChecked(button.property("kind") == form.kind.value)
        self.name.setText(form.name)
        self.region.addItems(logic.regions(form.kind is ProfileKind.AWS))
        self.region.setCurrentText(form.region)
        self.url.setText(form.url)
        self.account_id.setText(form.account_id)
        self.data_dir.setText(form.data_dir)
        self.quotas.setCurrentText(form.quotas)
        self.user_pool_endpoint.setText(form.user_pool_endpoint)
        self.credentials.setCurrentIndex(self.credentials.findData(form.credentials.value))
        self.aws_profile.setCurrentText(form.aws_profile)
        self._update_visibility()

    def current_form(self) -> logic.ConnectionForm:
        kind = ProfileKind(self.kind_buttons.checkedButton().property("kind"))
        return logic.ConnectionForm(
            kind=kind, name=self.name.text(), region=self.region.currentText(), url=self.url.text(),
            credentials=CredentialSource(self.credentials.currentData()), aws_profile=self.aws_profile.currentText(),
            account_id=self.account_id.text(), data_dir=self.data_dir.text(), quotas=self.quotas.currentText(),
            user_pool_endpoint=self.user_pool_endpoint.text(),
            access_key_id=self.access_key_id.text(), secret_access_key=self.secret_access_key.secret(),
            session_token=self.session_token.secret(), original=self._original)

    def _update_visibility(self) -> None:
        if self.kind_buttons.checkedButton() is None:
            return
        form = self.current_form()
        local = form.kind is ProfileKind.LOCAL
        visible = {"url": form.kind is ProfileKind.ENDPOINT, "account_id": local, "data_dir": local, "quotas": local,
                   "user_pool_endpoint": local, "credentials": not local, "aws_profile": form.uses_aws_profile,
                   **dict.fromkeys(("access_key_id", "secret_access_key", "session_token"), form.uses_keys)}
        for key, shown in visible.items():
            self.form.setRowVisible(self.fields[key], shown)
        self.form.setRowVisible(self.copy_keys, self._source is not None and form.uses_keys)
        self.keyring_notice.setVisible(form.uses_keys and self._keyring_problem is not None)
        wanted = logic.regions(form.kind is ProfileKind.AWS)
        if self.region.count() != len(wanted):
            region = self.region.currentText()
            self.region.clear()
            self.region.addItems(wanted)
            self.region.setCurrentText(region)

    def show_problems(self, problems: dict[str, str]) -> None:
        for key, field in self.fields.items():
            field.show_error(problems.get(key))
        first = next((key for key in self.fields if key in problems), None)
        if first is not None:
            self.fields[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def _problems(self) -> dict[str, str]:
        problems = logic.form_problems(self.current_form(), self.settings, known_aws_profiles=self._aws_profiles)
        self.show_problems(problems)
        return problems

    # --- background work ---------------------------------------------------------------------------
    def _run_blocking(self, function, **options) -> None:
        """``runner.run_blocking``, cancelled when the dialog closes."""
        self._operations = [op for op in self._operations if not op.done]
        self._operations.append(self.ctx.runner.run_blocking(function, **options))

    def done(self, result: int) -> None:
        """Closing the dialog cancels what it still runs (its widgets are about to go)."""
        for operation in self._operations:
            operation.cancel()
        super().done(result)

    def _load(self) -> None:
        self._run_blocking(lambda: [(name, logic.is_sso_profile(name)) for name in logic.aws_profiles()],
                           label="Reading the AWS profiles", on_success=self._aws_profiles_loaded,
                           on_failure=lambda error: self.fields["aws_profile"].show_error(
                               f"The AWS config could not be read: {error}"))
        self._run_blocking(self._check_keyring, label="Opening the keyring", on_failure=self._keyring_unavailable)
        if self._original is not None:
            self._load_keys(self._original)

    def _check_keyring(self) -> None:
        check = getattr(self.secrets, "check", None)
        if check is not None:
            check()

    def _load_keys(self, profile: str) -> None:
        self._run_blocking(lambda: logic.stored_secrets(self.secrets, profile), label="Reading the keys",
                           busy=self.body, on_success=self._keys_loaded, on_failure=self._keyring_unavailable)

    def _keys_loaded(self, values) -> None:
        form = self.current_form().with_secrets(values)
        self.access_key_id.setText(form.access_key_id)
        self.secret_access_key.set_secret(form.secret_access_key)
        self.session_token.set_secret(form.session_token)

    def _copy_keys(self, copy: bool) -> None:
        if copy and self._source is not None:
            self._load_keys(self._source)
        else:
            self._keys_loaded({})

    def _aws_profiles_loaded(self, found: list[tuple[str, bool]]) -> None:
        self._aws_profiles = [name for name, _ in found]
        self._sso = {name for name, sso in found if sso}
        chosen = self.aws_profile.currentText()
        self.aws_profile.clear()
        self.aws_profile.setPlaceholderText("no AWS CLI profiles found" if not found else "")
        self.aws_profile.addItems(self._aws_profiles)
        self.aws_profile.setCurrentText(chosen or (self._aws_profiles[0] if self._aws_profiles else ""))
        self._show_sso_note()

    def _show_sso_note(self) -> None:
        name = self.aws_profile.currentText()
        self.aws_profile.setToolTip("Signs in through IAM Identity Center (SSO)" if name in self._sso else "")

    def _keyring_unavailable(self, error: BaseException) -> None:
        if not isinstance(error, KeyringUnavailable):
            self.errors.show_error(error, label="Reading the keys")
            return
        self._keyring_problem = str(error)
        cause = error.cause[:1].upper() + error.cause[1:]
        self.keyring_text.setText(f"<b>The keys cannot go into the OS keyring.</b> {cause}. Sign with an AWS "
                                  "CLI profile instead, or keep the keys in memory for this session only — they "
                                  "are never written to a file.")
        self._update_visibility()
        self._fit()

    def _fit(self) -> None:
        """Grow the dialog to show a report, an error or a notice that just appeared (never shrink it)."""
        layout = self.layout()
        layout.activate()
        height = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else self.sizeHint().height()
        if height > self.height():
            self.resize(self.width(), height)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Data directory of the embedded service", self.data_dir.text())
        if chosen:
            self.data_dir.setText(chosen)

    # --- test and save -----------------------------------------------------------------------------
    def test_connection(self) -> None:
        self.test_result.clear()
        self.sso_box.hide()
        if self._problems():
            return
        form = self.current_form()
        keys = SessionSecrets()
        profile = logic.form_profile(form)
        for name, value in form.secrets().items():
            keys.set(profile.name, name, value)
        self._operations.append(self.ctx.runner.run(
            logic.check_connection(profile, keys, self.ctx.local), label="Testing the connection", busy=self.body,
            errors=self.errors, on_success=self._tested, on_failure=self._test_failed))

    def _tested(self, report: ConnectionReport) -> None:
        self.test_result.setText(f"<b>Connected</b> in {report.latency_ms:.0f} ms<br>Endpoint: {report.endpoint}"
                                 f"<br>Account: {report.account}<br>Caller: {report.arn}")
        self._fit()

    def _test_failed(self, error: BaseException) -> None:
        self.test_result.setText("<b>The test failed</b> (see below).")
        if isinstance(error, logic.SsoLoginRequired):
            self.sso_command.setText(error.command)
            self.sso_box.show()
        self.errors.show_error(error, label="Test connection", retry=self.test_connection)
        self._fit()

    def save(self) -> None:
        if self._problems():
            return
        plan = logic.plan_save(self.current_form(), self.settings)
        session_only = plan.write and self._keyring_problem is not None and self.session_only.isChecked()
        target = self.secrets.session if session_only else self.secrets
        self._run_blocking(lambda: logic.apply_save(plan, self.ctx.settings_file, target, self.secrets),
                           label="Saving the connection", busy=self.body,
                           on_success=lambda settings: self._saved(settings, plan.profile.name),
                           on_failure=self._save_failed)

    def _save_failed(self, error: BaseException) -> None:
        if isinstance(error, KeyringUnavailable):
            self._keyring_unavailable(error)
            self.session_only.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.errors.show_error(error, label="Saving the connection", retry=self.save)

    def _saved(self, settings: Settings, name: str) -> None:
        self.saved.emit(settings, name, self._original)
        self.accept()
