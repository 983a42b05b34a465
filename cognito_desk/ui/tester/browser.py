"""The embedded browser user agent: the provider's page in a QWebEngineView, the redirect caught in the view.

Owns :class:`EmbeddedBrowser` — the view with its URL, TLS state, back / reload / stop — and its
:meth:`EmbeddedBrowser.navigate`, the :class:`~cognito_desk.flows.agent.UserAgent` method: it loads the
login page and waits until a main-frame navigation reaches the redirect URI or ACS URL. That navigation
is refused in :meth:`CatchingPage.acceptNavigationRequest` (nothing listens on a port, nothing reaches the
ACS); for a POST (a SAML response, ``form_post``) the fields of the form that was about to be submitted
are read from the page. A provider page never reaches another application: navigations to anything but
web schemes (``ssh:``, ``mailto:``, any registered URL handler) are refused — the page's unknown-scheme
policy tells Chromium to refuse them (``DisallowUnknownUrlSchemes``: the default lets one click through to
``QDesktopServices`` and ``xdg-open``), :meth:`CatchingPage.acceptNavigationRequest` refuses any that would
still reach it, and the view shows the refused address (:attr:`EmbeddedBrowser.refused`). The login ends — as a
:class:`~cognito_desk.flows.agent.ProviderError` with the provider's words (:mod:`cognito_desk.flows.provider_errors`)
— as soon as a provider page loads as an HTTP 4xx/5xx document or cannot load (:attr:`CatchingPage.provider_refused`),
or when a page stays :attr:`EmbeddedBrowser.patience` seconds without a new one, counted down beside the
address. While a login waits, the page records which fields the user filled and which buttons they clicked
(selectors only, never values: :meth:`EmbeddedBrowser.recorded_actions`), so a run saved as a scenario replays
the same login. This module imports QtWebEngine and is itself imported only when the tester first needs a
browser, so the rest of the app never pays for Chromium.
"""

from __future__ import annotations

import asyncio
import html
import json
import secrets
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineCertificateError,
    QWebEngineLoadingInfo,
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineScript,
    QWebEngineSettings,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from ...core.tokens import format_duration
from ...flows.agent import Arrival, ProviderError, reaches
from ...flows.provider_errors import error_page, stalled
from ...flows.recording import BrowserAction, tidy_actions
from ..icons import icon

__all__ = ["WEB_SCHEMES", "CatchingPage", "EmbeddedBrowser"]

#: What a provider page may navigate to; anything else would start another application (xdg-open).
WEB_SCHEMES = ("http", "https", "about", "data", "blob")

#: How long a provider page may stay without a new page before the sign-in ends there (a person types a password
#: and reads a consent screen well within it; an error page or a stuck page never moves on).
PATIENCE_SECONDS = 300.0

# The fields of the form whose action is the stop address (JSON text: PySide6 cannot return JS objects).
_FORM_FIELDS = """(function (target) {
  for (const form of document.forms) {
    let action;
    try { action = new URL(form.getAttribute('action') || '', location.href); } catch (e) { continue; }
    if ((action.origin + action.pathname).replace(/\\/$/, '') !== target) continue;
    const fields = {};
    for (const element of form.elements) { if (element.name) fields[element.name] = element.value; }
    return JSON.stringify({action: action.href, fields: fields});
  }
  return '';
})(%s)"""


# Records, in an isolated world the provider's own scripts cannot reach, each field changed and button clicked on
# a provider page (never a value), told to the app through the console under a per-page tag. A selector is
# qualified by its form's short hidden fields (oidc-provider's login and consent forms differ only there).
_RECORDER = """(function (tag) {
  if (window.__cognitoDeskRecorder) return;
  window.__cognitoDeskRecorder = true;
  const word = /^[A-Za-z][\\w.:-]{0,63}$/;
  function own(el) {
    const name = el.tagName.toLowerCase();
    if (el.id && /^[A-Za-z][\\w-]*$/.test(el.id)) return '#' + el.id;
    if (el.name && word.test(el.name)) return name + "[name='" + el.name + "']";
    if (el.type && /^[a-z]+$/.test(el.type) && name !== 'a') return name + "[type='" + el.type + "']";
    return name;
  }
  function selector(el) {
    const mine = own(el);
    const form = el.form || el.closest('form');
    if (mine.startsWith('#') || !form) return mine;
    const marks = Array.from(form.querySelectorAll('input[type=hidden][name]'))
      .filter(h => word.test(h.name) && /^[A-Za-z][\\w.-]{0,31}$/.test(h.value));
    return marks.map(h => "form:has(input[name='" + h.name + "'][value='" + h.value + "'])").join('')
      + (marks.length ? ' ' : '') + mine;
  }
  function say(what) { console.log(tag + JSON.stringify(what)); }
  document.addEventListener('change', function (event) {
    const el = event.target;
    const fields = [HTMLInputElement, HTMLTextAreaElement, HTMLSelectElement];
    if (!fields.some(kind => el instanceof kind)) return;
    if (['hidden', 'submit', 'button', 'image', 'reset', 'file'].includes(el.type)) return;
    say({action: 'fill', selector: selector(el), field: el.name || el.id || el.type, secret: el.type === 'password'});
  }, true);
  document.addEventListener('click', function (event) {
    const el = event.target instanceof Element && event.target.closest('button, input[type=submit], input[type=image]');
    if (!el || el.disabled) return;
    say({action: 'click', selector: selector(el), field: (el.textContent || el.value || '').trim().slice(0, 40)});
  }, true);
})(%s)"""


# What an error page says, and whether it still offers something to fill (JSON text, read in an isolated world).
_ERROR_PAGE = """JSON.stringify({text: document.body ? document.body.innerText : '',
  fields: !!document.querySelector('input:not([type=hidden]):not([type=submit]), textarea, select')})"""


# What the view shows once the answer is in hand (the provider's page would only say the code was used).
_CAUGHT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>body{font-family:sans-serif;margin:3em;
color:#333}code{background:#eef;padding:2px 4px}</style></head><body><h2>Answer caught</h2><p>The provider sent
{what} to <code>{where}</code>. cognito-desk stopped it in this view and takes it from here: see the result on
the right.</p></body></html>"""


class CatchingPage(QWebEnginePage):
    """A page that refuses, and reports, the first main-frame navigation reaching :attr:`stop_at` — and, while it
    waits for one, reports a provider page that came back as an error (:attr:`provider_refused`)."""

    #: The URL, and whether the navigation may carry a form (a redirect never does).
    caught = Signal(QUrl, bool)
    #: A navigation to a scheme another application would handle, refused.
    scheme_refused = Signal(QUrl)
    #: While a login runs, a page loaded as an error: the ProviderError it means (the provider's words read from it).
    provider_refused = Signal(object)

    def __init__(self, profile: QWebEngineProfile, parent=None, *, record: bool = False) -> None:
        super().__init__(profile, parent)
        self.settings().setUnknownUrlSchemePolicy(QWebEngineSettings.UnknownUrlSchemePolicy.DisallowUnknownUrlSchemes)
        self.loadingChanged.connect(self._loading_changed)
        self.stop_at: str | None = None
        self.certificate_problem = ""
        self.certificateError.connect(self._certificate_error)
        self.loadingChanged.connect(self._loaded)
        #: What the user did on the provider's pages while a login waited (with ``record``).
        self.recorded: list[BrowserAction] = []
        self._tag = f"cognito-desk:{secrets.token_hex(8)}:"
        if record:
            script = QWebEngineScript()
            script.setName("cognito-desk login recorder")
            script.setSourceCode(_RECORDER % json.dumps(self._tag))
            script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentReady)
            script.setWorldId(QWebEngineScript.ScriptWorldId.ApplicationWorld)
            script.setRunsOnSubFrames(False)
            self.scripts().insert(script)

    def javaScriptConsoleMessage(self, level, message: str, line: int, source: str) -> None:
        if not message.startswith(self._tag):
            super().javaScriptConsoleMessage(level, message, line, source)
        elif self.stop_at is not None:
            try:
                self.recorded.append(BrowserAction.from_dict(json.loads(message[len(self._tag):])))
            except (ValueError, KeyError, TypeError):
                pass  # not the recorder's own words

    def _loaded(self, info: QWebEngineLoadingInfo) -> None:
        """QtWebEngine reports a main-frame load's HTTP status: a 4xx/5xx document (or no answer at all) on the
        provider's pages ends the login at once, with what the page says."""
        if self.stop_at is None or info.status() != QWebEngineLoadingInfo.LoadStatus.LoadFailedStatus:
            return
        domain, code = info.errorDomain(), info.errorCode()
        Domain = QWebEngineLoadingInfo.ErrorDomain
        if domain == Domain.HttpStatusCodeDomain and code >= 400:
            status: int | None = code
        elif domain in (Domain.ConnectionErrorDomain, Domain.DnsErrorDomain):
            status = None
        else:
            return  # a navigation stopped on purpose (the redirect caught), or one the page replaced
        url, reason = info.url().toString(), info.errorString()

        def read(found: object) -> None:
            try:
                page = json.loads(found) if isinstance(found, str) and found else {}
            except ValueError:
                page = {}
            error = error_page(url, status, str(page.get("text", "")), reason, fields_shown=bool(page.get("fields")))
            if error is not None:
                self.provider_refused.emit(error)

        self.runJavaScript(_ERROR_PAGE, QWebEngineScript.ScriptWorldId.ApplicationWorld.value, read)

    def acceptNavigationRequest(self, url: QUrl, navigation_type, is_main_frame: bool) -> bool:
        if url.scheme().lower() not in WEB_SCHEMES:
            self.scheme_refused.emit(url)
            return False
        if self.stop_at and is_main_frame and reaches(url.toString(), self.stop_at):
            self.caught.emit(url, navigation_type != QWebEnginePage.NavigationType.NavigationTypeRedirect)
            return False
        return super().acceptNavigationRequest(url, navigation_type, is_main_frame)

    def _loading_changed(self, info: QWebEngineLoadingInfo) -> None:
        # Chromium refuses such a navigation before acceptNavigationRequest: its start is where it can be seen.
        if info.status() == QWebEngineLoadingInfo.LoadStatus.LoadStartedStatus and \
                info.url().scheme().lower() not in WEB_SCHEMES:
            self.scheme_refused.emit(info.url())

    def _certificate_error(self, error: QWebEngineCertificateError) -> None:
        self.certificate_problem = f"{error.url().host()}: {error.description()}"
        error.rejectCertificate()


class EmbeddedBrowser(QWidget):
    """The provider's pages with their address, TLS state and back / reload / stop."""

    #: A navigation reached the stop address (for timing: the redirect is in hand).
    redirect_caught = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Embedded browser")
        self.view = QWebEngineView(self)
        self.view.setAccessibleName("Provider page")
        self.back_button = self._tool("tester-back", "Back", "Back to the previous page (Alt+Left)", "Alt+Left")
        self.reload_button = self._tool("refresh", "Reload", "Reload the page (F5 in the page)", "")
        self.stop_button = self._tool("tester-stop", "Stop", "Stop loading the page", "")
        self.tls_label = QLabel()
        self.tls_label.setAccessibleName("Connection security")
        self.url_bar = QLineEdit()
        self.url_bar.setReadOnly(True)
        self.url_bar.setAccessibleName("Page address")
        self.url_bar.setPlaceholderText("The provider's page appears here when a sign-in runs")
        self.refused = QLabel()
        self.refused.setWordWrap(True)
        self.refused.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refused.setAccessibleName("Refused link")
        self.refused.hide()
        #: Seconds a provider page may stay without a new page before the login is ended there.
        self.patience = PATIENCE_SECONDS
        self.countdown = QLabel()
        self.countdown.setAccessibleName("Time left on this page")
        self.countdown.setToolTip("The sign-in ends if the provider's page stays this long without a new page")
        self.countdown.hide()
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._deadline = 0.0
        self._waiting: asyncio.Future[Arrival] | None = None
        self.back_button.clicked.connect(self.view.back)
        self.reload_button.clicked.connect(self.view.reload)
        self.stop_button.clicked.connect(self.view.stop)
        self.view.urlChanged.connect(self._show_url)
        self.view.urlChanged.connect(lambda _: self._restart_countdown())
        self.view.loadStarted.connect(lambda: self._loading(True))
        self.view.loadFinished.connect(lambda _ok: self._loading(False))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for widget in (self.back_button, self.reload_button, self.stop_button, self.tls_label):
            bar.addWidget(widget)
        bar.addWidget(self.url_bar, 1)
        bar.addWidget(self.countdown)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(bar)
        box.addWidget(self.refused)
        box.addWidget(self.view, 1)
        self.page: CatchingPage | None = None
        #: Where the last answer was caught (its address without query), shown in the bar meanwhile.
        self.caught_at = ""
        self._loading(False)

    def _tool(self, icon_name: str, text: str, tip: str, shortcut: str) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon(icon_name))
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        if shortcut:
            button.setShortcut(shortcut)
        return button

    def use_profile(self, profile: QWebEngineProfile, *, private: bool = False) -> None:
        """Show pages in ``profile`` from now on (a private profile is deleted after its page)."""
        old = self.page
        self.page = CatchingPage(profile, self.view, record=True)
        self.page.scheme_refused.connect(self._show_refused)
        self.view.setPage(self.page)
        if old is not None:
            old_profile = old.profile()
            if old_profile.isOffTheRecord():
                old.destroyed.connect(old_profile.deleteLater)
            old.deleteLater()
        self._show_url(QUrl())

    async def navigate(self, start: Callable[[str], str], stop_at: str) -> Arrival:
        """The :class:`~cognito_desk.flows.agent.UserAgent` method: open the page, wait for the redirect."""
        page = self.page
        if page is None:
            raise RuntimeError("the embedded browser has no profile yet")
        arrival: asyncio.Future[Arrival] = asyncio.get_running_loop().create_future()
        target = stop_at.split("?", 1)[0].rstrip("/")

        def caught(url: QUrl, may_post: bool) -> None:
            self.redirect_caught.emit()
            if not may_post:
                arrival.done() or arrival.set_result(Arrival(url.toString()))
                return
            page.runJavaScript(_FORM_FIELDS % json.dumps(target), 0,
                               lambda found: arrival.done() or arrival.set_result(_arrival(url, found)))

        def provider_refused(error: ProviderError) -> None:
            arrival.done() or arrival.set_exception(error)

        page.caught.connect(caught)
        page.provider_refused.connect(provider_refused)
        page.stop_at = stop_at
        page.recorded.clear()
        self._waiting = arrival
        try:
            self.view.load(QUrl(start(stop_at)))
            self._restart_countdown()
            self._ticker.start()
            answer = await arrival
        finally:
            self._waiting = None
            self._ticker.stop()
            self.countdown.hide()
            page.stop_at = None
            page.caught.disconnect(caught)
            page.provider_refused.disconnect(provider_refused)
            if not arrival.done():
                self.view.stop()
        self._show_caught(answer)
        return answer

    def _show_refused(self, url: QUrl) -> None:
        self.refused.setText(f"Not opened: the page asked another application to open {url.toString()} — "
                             "cognito-desk keeps provider pages inside this view.")
        self.refused.show()

    def recorded_actions(self) -> tuple[BrowserAction, ...]:
        """What the user did on the provider's pages during the last login (no values)."""
        return tidy_actions(self.page.recorded) if self.page is not None else ()

    def _restart_countdown(self) -> None:
        """A new page: the provider has ``patience`` seconds again."""
        if self._waiting is not None:
            self._deadline = time.monotonic() + self.patience
            self._tick()

    def _tick(self) -> None:
        waiting = self._waiting
        if waiting is None or waiting.done():
            return
        left = self._deadline - time.monotonic()
        if left <= 0:
            url = self.page.url().toString() if self.page is not None else ""
            waiting.set_exception(stalled(url, self.patience))
            return
        self.countdown.setText(f"ends in {format_duration(left + 0.999)} without a new page")
        self.countdown.setAccessibleDescription(self.countdown.text())
        self.countdown.show()

    def _show_caught(self, answer: Arrival) -> None:
        where = answer.url.split("?", 1)[0].split("#", 1)[0]
        what = "a SAML response" if "SAMLResponse" in answer.form else "its answer"
        self.view.setHtml(_CAUGHT_PAGE.replace("{what}", what).replace("{where}", html.escape(where)))
        self.caught_at = where

    def _show_url(self, url: QUrl) -> None:
        self.refused.hide()
        if url.scheme() == "data":  # the "answer caught" page: the bar keeps the address the answer went to
            self.url_bar.setText(f"{self.caught_at} (answer caught)")
            return
        self.url_bar.setText(url.toString())
        self.url_bar.setCursorPosition(0)
        problem = self.page.certificate_problem if self.page is not None else ""
        if problem:
            self.tls_label.setPixmap(icon("tester-unlocked").pixmap(16, 16))
            self.tls_label.setToolTip(f"TLS certificate refused: {problem}")
        elif url.scheme() == "https":
            self.tls_label.setPixmap(icon("tester-lock").pixmap(16, 16))
            self.tls_label.setToolTip("Encrypted (TLS)")
        elif url.scheme():
            self.tls_label.setPixmap(icon("tester-unlocked").pixmap(16, 16))
            self.tls_label.setToolTip("Not encrypted (plain http)")
        else:
            self.tls_label.clear()
            self.tls_label.setToolTip("")
        self.tls_label.setAccessibleDescription(self.tls_label.toolTip())
        self.back_button.setEnabled(self.view.history().canGoBack())

    def _loading(self, loading: bool) -> None:
        self.stop_button.setEnabled(loading)
        self.reload_button.setEnabled(not loading and not self.view.url().isEmpty())


def _arrival(url: QUrl, found: object) -> Arrival:
    """A GET arrival, or the POST the page was about to submit when a form targets the stop address."""
    if isinstance(found, str) and found:
        form = json.loads(found)
        return Arrival(str(form["action"]), "POST", {str(k): str(v) for k, v in form["fields"].items()})
    return Arrival(url.toString())
