"""The Tester tab: run a real sign-in against the selected pool and show what Cognito and STS made of it.

Owns :class:`TesterPage` (a :class:`~cognito_desk.ui.pages.PoolPage`): the run's setup — provider (the
pool's providers with their saved client settings, editable), enhanced or basic flow, optional
``CustomRoleArn``, the user agent (embedded browser, or the system browser with a loopback listener,
suggested for providers that refuse embedded views) and the persona (a named browser profile kept between
runs, or a private run) — then the run itself on the window's runner (Cancel stops it; the partial result
stays) and the :class:`~.result_panel.ResultPanel` (a refused role's fix there is applied by
:class:`~.role_fixer.RoleFixer`; "Sign in again" runs again). A user-pool (username & password) provider shows the
:class:`~.userpool_form.UserPoolForm` instead of the browser and answers the pool's challenges there.
QtWebEngine is imported when the tab is first shown (after it painted), never at the app's start.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.tokens import format_duration
from ...flows.clients import ProviderClient, ProviderClientsFile, ProviderKind, client_secret, store_client_secret
from ...flows.loopback import PATIENCE_SECONDS as SYSTEM_BROWSER_PATIENCE
from ...flows.loopback import SystemBrowserAgent
from ...flows.oidc import ProviderKeys
from ...flows.pool_providers import PoolProviders, load_pool_providers
from ...flows.run import Flow, RunRequest, RunResult, SignInRun
from ...flows.userpool import UserPoolSignIn
from ...settings import KeyringUnavailable, Secret
from ..context import AppContext
from ..icons import icon
from ..pages import PoolRef
from ..permissions import PermissionsView
from ..tasks import Operation
from .result_panel import ResultPanel
from .role_fixer import RoleFixer
from .userpool_form import UserPoolForm

if TYPE_CHECKING:
    from .browser import EmbeddedBrowser
    from .personas import PersonaProfiles

__all__ = ["TesterPage"]

PRIVATE = "Private (nothing kept)"
EMBEDDED, SYSTEM = "Embedded browser", "System browser"
BROWSER_KINDS = (ProviderKind.OIDC, ProviderKind.USER_POOL, ProviderKind.FACEBOOK, ProviderKind.AMAZON,
                 ProviderKind.SAML)
#: Providers known to refuse logins in embedded web views (``disallowed_useragent``).
REFUSE_EMBEDDED = ("accounts.google.com",)


class TesterPage(QWidget):
    #: A run ended (its RunResult), after the result panel shows it.
    run_finished = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Sign-in tester")
        self.pool: PoolRef | None = None
        self.clients: list[ProviderClient] = []
        #: The client IDs the pool's configuration names, by Logins key (the settings dialog's pick list).
        self.client_ids: dict[str, tuple[str, ...]] = {}
        self.browser: EmbeddedBrowser | None = None
        self.personas: PersonaProfiles | None = None
        self.sign_in: SignInRun | None = None
        self.operation: Operation | None = None
        #: Providers' JWKS, kept between runs (a new kid fetches again).
        self.provider_keys = ProviderKeys()
        #: How a URL reaches the system browser (a test plays that browser instead).
        self.open_in_system_browser = lambda url: QDesktopServices.openUrl(QUrl(url))
        #: How long a login in the system browser may take (counted down in the status line).
        self.system_browser_patience = SYSTEM_BROWSER_PATIENCE
        self._system_countdown = QTimer(self)
        self._system_countdown.setInterval(1000)
        self._system_countdown.timeout.connect(self._count_down_system_browser)
        self._build()

    # --- layout -------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.provider_box = self._combo("Provider", "The pool's identity providers (and guest, developer)")
        # A user pool's provider name is 90 characters: it elides rather than widening the tab past the window.
        self.provider_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.provider_box.setMinimumContentsLength(20)
        self.provider_box.currentIndexChanged.connect(self._provider_changed)
        self.edit_provider = QToolButton()
        self.edit_provider.setIcon(icon("settings"))
        self.edit_provider.setText("Settings…")
        self.edit_provider.setAccessibleName("Provider settings")
        self.edit_provider.setToolTip("Issuer, client ID and secret, scopes, redirect URI, extra parameters")
        self.edit_provider.clicked.connect(self.edit_provider_settings)
        self.flow_box = self._combo("Flow", "Enhanced: GetCredentialsForIdentity. Basic: GetOpenIdToken + STS")
        self.flow_box.addItem("Enhanced", Flow.ENHANCED)
        self.flow_box.addItem("Basic", Flow.BASIC)
        self.custom_role = QLineEdit()
        self.custom_role.setAccessibleName("Custom role ARN")
        self.custom_role.setPlaceholderText("CustomRoleArn (optional)")
        self.agent_box = self._combo("User agent", "Where the provider's page opens")
        self.agent_box.addItems([EMBEDDED, SYSTEM])
        #: True while the system browser was chosen for a provider that refuses embedded views (not by the user).
        self._system_chosen_for_provider = False
        self.agent_box.activated.connect(self._agent_chosen)
        self.persona_box = self._combo("Persona", "A test user whose browser session is kept between runs")
        self.persona_box.addItem(PRIVATE)
        self.persona_box.addItems(self._saved_personas())
        self.new_persona = QToolButton()
        self.new_persona.setIcon(icon("tester-persona"))
        self.new_persona.setText("New persona…")
        self.new_persona.setAccessibleName("New persona")
        self.new_persona.clicked.connect(self._ask_persona)
        self.clear_session = QToolButton()
        self.clear_session.setIcon(icon("tester-clear-session"))
        self.clear_session.setText("Clear session")
        self.clear_session.setAccessibleName("Clear the persona's session")
        self.clear_session.setToolTip("Forget this persona's cookies and cache (no restart needed)")
        self.clear_session.clicked.connect(self.clear_persona_session)
        self.persona_box.currentIndexChanged.connect(lambda _: self._update_controls())
        self.run_button = QPushButton(icon("tester-run"), "Sign in")
        self.run_button.setAccessibleName("Run the sign-in")
        self.run_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.run_button.setToolTip("Run the sign-in (Ctrl+Enter)")
        self.run_button.clicked.connect(self.run_sign_in)
        self.cancel_button = QPushButton(icon("cancel"), "Cancel")
        self.cancel_button.setAccessibleName("Cancel the sign-in")
        self.cancel_button.clicked.connect(self.cancel)
        self.hint = QLabel()
        self.hint.setAccessibleName("Run status")
        self.hint.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(QLabel("Provider"), 0, 0)
        grid.addWidget(self.provider_box, 0, 1)
        grid.addWidget(self.edit_provider, 0, 2)
        grid.addWidget(QLabel("Flow"), 0, 3)
        grid.addWidget(self.flow_box, 0, 4)
        grid.addWidget(self.custom_role, 0, 5, 1, 2)
        grid.addWidget(QLabel("Browser"), 1, 0)
        grid.addWidget(self.agent_box, 1, 1)
        grid.addWidget(QLabel("Persona"), 1, 3)
        grid.addWidget(self.persona_box, 1, 4)
        persona_buttons = QHBoxLayout()
        persona_buttons.addWidget(self.new_persona)
        persona_buttons.addWidget(self.clear_session)
        grid.addLayout(persona_buttons, 1, 5)
        run_buttons = QHBoxLayout()
        run_buttons.addWidget(self.run_button)
        run_buttons.addWidget(self.cancel_button)
        grid.addLayout(run_buttons, 1, 6)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(5, 2)
        self.setup_box = QGroupBox("Run")
        setup = QVBoxLayout(self.setup_box)
        setup.addLayout(grid)
        setup.addWidget(self.hint)
        self.browser_holder = QStackedWidget()
        self.browser_placeholder = QLabel("The provider's login page opens here when a sign-in runs in the embedded "
                                          "browser.")
        self.browser_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.browser_placeholder.setWordWrap(True)
        self.browser_holder.addWidget(self.browser_placeholder)
        self.user_pool_form = UserPoolForm()
        self.user_pool_form.password.returnPressed.connect(self.run_sign_in)  # Enter signs in, as in a login form
        self.browser_holder.addWidget(self.user_pool_form)
        self.results = ResultPanel(self.refresh_credentials)
        self.permissions = PermissionsView(self.ctx.runner)  # what the assumed role lets this identity do
        self.results.tabs.addTab(self.permissions, icon("permissions"), "Permissions")
        self.role_fixer = RoleFixer(self.ctx, lambda: self.pool, self.results, self.results, self)
        self.results.fix_requested.connect(self.role_fixer.apply)
        self.results.sign_in_again.connect(self.run_sign_in)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.browser_holder)
        self.splitter.addWidget(self.results)
        self.splitter.setSizes([450, 550])  # the result column fits its rows without scrolling sideways at 1280 px
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 4, 0, 0)
        box.addWidget(self.setup_box)
        box.addWidget(self.splitter, 1)
        self._update_controls()

    @staticmethod
    def _combo(name: str, tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setToolTip(tip)
        return combo

    def _update_controls(self) -> None:
        running = self.operation is not None and not self.operation.done
        client = self.current_client()
        self.run_button.setEnabled(not running and client is not None)
        self.cancel_button.setEnabled(running)
        self.edit_provider.setEnabled(not running and client is not None and client.kind is not ProviderKind.GUEST)
        self.clear_session.setEnabled(self.persona_box.currentText() != PRIVATE)

    # --- the pool and its providers ------------------------------------------------------------------
    def show_pool(self, pool: PoolRef | None) -> None:
        if self.operation is not None:
            self.operation.cancel()
        self.pool = pool
        self.clients = []
        self.provider_box.clear()
        self.results.show_result(None)
        self.permissions.clear()
        self.hint.setText("")
        if pool is not None:
            self.reload_providers()
        self._update_controls()

    def _clients_file(self) -> ProviderClientsFile:
        return ProviderClientsFile(self.ctx.settings_file.path.parent)

    def reload_providers(self) -> None:
        pool = self.pool
        if pool is None:
            return

        async def load() -> PoolProviders:
            saved = await asyncio.to_thread(self._clients_file().for_connection, pool.connection.name)
            return await load_pool_providers(pool.connection.iam, pool.connection.name, await pool.state.pool(), saved)

        self.ctx.runner.run(load(), label="Reading the pool's providers", busy=self.setup_box,
                            errors=self.results.errors, on_success=self._show_providers,
                            retry=self.reload_providers)

    def _show_providers(self, found: PoolProviders) -> None:
        chosen = self.provider_box.currentText()
        self.clients, self.client_ids, clients = found.clients, found.client_ids, found.clients
        self.provider_box.blockSignals(True)
        self.provider_box.clear()
        for client in clients:
            self.provider_box.addItem(f"{client.name} ({client.kind.value})", client.name)
        index = self.provider_box.findText(chosen)
        self.provider_box.setCurrentIndex(max(index, 0))
        self.provider_box.blockSignals(False)
        self._provider_changed()
        if not clients:
            self.hint.setText("This pool accepts no provider and no guests: add one in the Providers tab.")

    def current_client(self) -> ProviderClient | None:
        index = self.provider_box.currentIndex()
        return self.clients[index] if 0 <= index < len(self.clients) else None

    def select_provider(self, kind: ProviderKind, logins_key: str = "") -> None:
        """Choose the provider of ``kind`` (and ``logins_key`` when given)."""
        for index, client in enumerate(self.clients):
            if client.kind is kind and (not logins_key or client.logins_key == logins_key):
                self.provider_box.setCurrentIndex(index)
                return
        raise LookupError(f"the pool has no {kind.value} provider {logins_key}".strip())

    def _provider_changed(self) -> None:
        client = self.current_client()
        user_pool = client is not None and client.kind is ProviderKind.USER_POOL_PASSWORD
        if user_pool:
            assert client is not None
            self.user_pool_form.username.setText(self.user_pool_form.username.text() or client.username)
            self.browser_holder.setCurrentWidget(self.user_pool_form)
        elif self.browser_holder.currentWidget() is self.user_pool_form:
            self.browser_holder.setCurrentWidget(self.browser or self.browser_placeholder)
        refuses = client is not None and client.logins_key in REFUSE_EMBEDDED
        if not refuses and self._system_chosen_for_provider:  # back to the embedded view the user had
            self.agent_box.setCurrentText(EMBEDDED)
            self._system_chosen_for_provider = False
        if refuses:
            self._system_chosen_for_provider |= self.agent_box.currentText() != SYSTEM
            self.agent_box.setCurrentText(SYSTEM)
            self.hint.setText(f"{client.name} refuses sign-ins in embedded browsers: the system browser is chosen.")
        elif client is not None and client.problems():
            self.hint.setText("Complete the provider settings: " + " ".join(client.problems()))
        else:
            self.hint.setText("")
        self._update_controls()

    def _agent_chosen(self, _: int) -> None:
        self._system_chosen_for_provider = False  # the user's own choice stays

    def edit_provider_settings(self):
        """Open the provider settings dialog; returns it (tests fill it in and accept it)."""
        from .provider_dialog import ProviderDialog

        client = self.current_client()
        if client is None:
            return None
        dialog = ProviderDialog(client, has_secret=self._has_secret(client), parent=self,
                                client_ids=self.client_ids.get(client.logins_key, ()))
        dialog.accepted.connect(lambda: self._save_provider(dialog.client(), dialog.secret_change()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _has_secret(self, client: ProviderClient) -> bool:
        try:
            return client_secret(self.ctx.secrets, client) is not None
        except KeyringUnavailable:
            return False

    def _save_provider(self, client: ProviderClient, secret: str | None) -> None:
        def save() -> None:
            self._clients_file().put(client)
            if secret is not None:
                store_client_secret(self.ctx.secrets, client, Secret(secret) if secret else None)

        self.ctx.runner.run_blocking(save, label="Saving the provider settings", errors=self.results.errors,
                                     on_success=lambda _: self.reload_providers())

    # --- personas ------------------------------------------------------------------------------------
    def _saved_personas(self) -> list[str]:
        value = self.ctx.prefs.value("tester/personas", [])
        return [value] if isinstance(value, str) else [str(name) for name in value or []]

    def _remembering_sessions(self) -> list[str]:
        value = self.ctx.prefs.value("tester/persona-sessions", [])
        return [value] if isinstance(value, str) else [str(name) for name in value or []]

    def _ask_persona(self):
        from .persona_dialog import PersonaDialog

        dialog = PersonaDialog(self)
        dialog.chosen.connect(self.add_persona)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def add_persona(self, name: str, remember_sessions: bool = False) -> None:
        from .personas import valid_persona_name

        name = name.strip()
        if not valid_persona_name(name) or name == PRIVATE:
            self.hint.setText(f"{name!r} cannot name a persona: use letters, digits, spaces and ._@+- only.")
            return
        names = self._saved_personas()
        if name not in names:
            self.ctx.prefs.setValue("tester/personas", [*names, name])
            self.persona_box.addItem(name)
        remembering = [n for n in self._remembering_sessions() if n != name]
        self.ctx.prefs.setValue("tester/persona-sessions", [*remembering, name] if remember_sessions else remembering)
        self.persona_box.setCurrentText(name)

    def clear_persona_session(self) -> None:
        persona = self.persona_box.currentText()
        if persona == PRIVATE:
            return
        self._embedded_browser()
        assert self.personas is not None
        self.personas.clear(persona)
        self.hint.setText(f"The browser session of {persona} is cleared: the next run signs in from scratch.")

    # --- running -------------------------------------------------------------------------------------
    def _embedded_browser(self) -> EmbeddedBrowser:
        if self.browser is None:
            from .browser import EmbeddedBrowser
            from .personas import PersonaProfiles

            self.browser = EmbeddedBrowser()
            # Profiles must outlive their pages: Qt deletes children in creation order, and the browser's holder
            # was made before these profiles, so its pages go first.
            self.personas = PersonaProfiles(self.ctx.settings_file.path.parent / "tester-personas", self)
            self.browser_holder.addWidget(self.browser)
        self.browser_holder.setCurrentWidget(self.browser)
        return self.browser

    def _agent(self):
        if self.agent_box.currentText() == SYSTEM:
            return SystemBrowserAgent(self.open_in_system_browser, patience=self.system_browser_patience)
        browser = self._embedded_browser()
        assert self.personas is not None
        persona = self.persona_box.currentText()
        if persona == PRIVATE:
            browser.use_profile(self.personas.profile(None), private=True)
        else:
            profile = self.personas.profile(persona, remember_sessions=persona in self._remembering_sessions())
            if browser.page is None or browser.page.profile() is not profile:
                browser.use_profile(profile)
        return browser

    def persona(self) -> str:
        """The persona chosen ("" for a private run)."""
        persona = self.persona_box.currentText()
        return "" if persona == PRIVATE else persona

    def rerun(self, pool_id: str, provider_kind: str, logins_key: str, flow: str, persona: str) -> str | None:
        """Run again as recorded (provider, flow, persona) on the selected pool; returns why not, or None."""
        if self.pool is None or self.pool.pool_id != pool_id:
            return f"Select pool {pool_id} to re-run this run: the tester runs on the selected pool."
        try:
            self.select_provider(ProviderKind(provider_kind), logins_key)
        except LookupError as exc:
            return f"Cannot re-run: {exc} any more."
        self.flow_box.setCurrentIndex(max(0, self.flow_box.findData(Flow(flow))))
        if persona:
            self.add_persona(persona)
        else:
            self.persona_box.setCurrentText(PRIVATE)
        self.run_sign_in()
        return None

    def run_sign_in(self) -> None:
        client, pool = self.current_client(), self.pool
        if client is None or pool is None or (self.operation is not None and not self.operation.done):
            return
        user_pool = None
        if client.kind is ProviderKind.USER_POOL_PASSWORD:
            flow, username, password = self.user_pool_form.credentials()
            client = replace(client, username=username, auth_flow=flow.value)
            user_pool = UserPoolSignIn(password, self.user_pool_form)
        request = RunRequest(pool.pool_id, client, self.flow_box.currentData(),
                             self.custom_role.text().strip() or None, user_pool=user_pool)
        agent = self._agent() if client.kind in BROWSER_KINDS else None
        self.sign_in = SignInRun(pool.connection, agent, self.provider_keys)
        self.results.show_result(None)
        self.permissions.clear()
        self.hint.setText(f"Signing in with {client.name}…" + (" Finish the login in your browser." if isinstance(
            agent, SystemBrowserAgent) else ""))
        self.operation = self.ctx.runner.run(self._run(self.sign_in, request), label="Sign-in",
                                             busy=self.setup_box, errors=self.results.errors,
                                             on_success=self._finished, on_settled=self._settled)
        if isinstance(agent, SystemBrowserAgent):
            self._system_countdown.start()
        self._update_controls()

    def _count_down_system_browser(self) -> None:
        """The login in the system browser: how long it has left, in the run's status line."""
        agent = self.sign_in.agent if self.sign_in is not None else None
        running = self.operation is not None and not self.operation.done
        if not running or not isinstance(agent, SystemBrowserAgent):
            self._system_countdown.stop()
            return
        if agent.deadline is not None:
            left = format_duration(max(0.0, agent.deadline - time.monotonic()) + 0.999)
            self.hint.setText(f"Finish the login in your browser: the sign-in ends in {left} if it does not come "
                              "back.")

    async def _run(self, sign_in: SignInRun, request: RunRequest) -> RunResult:
        if request.client.kind in (*BROWSER_KINDS, ProviderKind.USER_POOL_PASSWORD):
            try:
                secret = await asyncio.to_thread(client_secret, self.ctx.secrets, request.client)
            except KeyringUnavailable:
                secret = None  # a public client needs none; a confidential one is then refused by its provider
            request = replace(request, client_secret=secret.reveal() if secret else None)
        result = await sign_in.run(request)
        if self.browser is not None and sign_in.agent is self.browser:  # for "Save as scenario": the login's steps
            result.browser_actions = self.browser.recorded_actions()
        return result

    def _finished(self, result: RunResult) -> None:
        self.results.show_result(result)
        if self.pool is not None:
            self.permissions.show_sign_in(self.pool.connection, result)
        if result.failure is not None:
            self.hint.setText(f"The sign-in failed at “{result.failure.step}”.")
        else:
            self.hint.setText("Signed in." + (" The assumed role differs from the prediction." if result.roles_differ
                                              else ""))
        self.run_finished.emit(result)

    def _settled(self) -> None:
        operation = self.operation
        if operation is not None and operation.cancelled and self.sign_in is not None:
            self.results.show_result(self.sign_in.result)
            self.hint.setText("Sign-in cancelled: nothing more was sent, and no page or listener is left open.")
        self._update_controls()

    def cancel(self) -> None:
        if self.operation is not None:
            self.operation.cancel()

    def refresh_credentials(self) -> None:
        result, sign_in = self.results.result, self.sign_in
        if result is None or sign_in is None:
            return
        self.operation = self.ctx.runner.run(sign_in.refresh(result), label="Refreshing credentials",
                                             busy=self.setup_box, errors=self.results.errors,
                                             on_success=self._finished, on_settled=self._settled)
        self._update_controls()

    def showEvent(self, event) -> None:
        """The tester opens: load QtWebEngine now (after this paint), not in the middle of the first run."""
        super().showEvent(event)
        if self.browser is None:
            QTimer.singleShot(0, self._open_browser)

    def _open_browser(self) -> None:
        if self.browser is None:
            shown = self.browser_holder.currentWidget()
            self._embedded_browser()
            if shown is self.user_pool_form:
                self.browser_holder.setCurrentWidget(shown)

    def closeEvent(self, event) -> None:
        self.cancel()
        super().closeEvent(event)

