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
still reach it, and the view shows the refused address (:attr:`EmbeddedBrowser.refused`). This module imports
QtWebEngine and is itself imported only when the tester first needs a browser, so the rest of the app never
pays for Chromium.
"""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineCertificateError,
    QWebEngineLoadingInfo,
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from ...flows.agent import Arrival, reaches
from ..icons import icon

__all__ = ["WEB_SCHEMES", "CatchingPage", "EmbeddedBrowser"]

#: What a provider page may navigate to; anything else would start another application (xdg-open).
WEB_SCHEMES = ("http", "https", "about", "data", "blob")

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


# What the view shows once the answer is in hand (the provider's page would only say the code was used).
_CAUGHT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>body{font-family:sans-serif;margin:3em;
color:#333}code{background:#eef;padding:2px 4px}</style></head><body><h2>Answer caught</h2><p>The provider sent
{what} to <code>{where}</code>. cognito-desk stopped it in this view and takes it from here: see the result on
the right.</p></body></html>"""


class CatchingPage(QWebEnginePage):
    """A page that refuses, and reports, the first main-frame navigation reaching :attr:`stop_at`."""

    #: The URL, and whether the navigation may carry a form (a redirect never does).
    caught = Signal(QUrl, bool)
    #: A navigation to a scheme another application would handle, refused.
    scheme_refused = Signal(QUrl)

    def __init__(self, profile: QWebEngineProfile, parent=None) -> None:
        super().__init__(profile, parent)
        self.settings().setUnknownUrlSchemePolicy(QWebEngineSettings.UnknownUrlSchemePolicy.DisallowUnknownUrlSchemes)
        self.loadingChanged.connect(self._loading_changed)
        self.stop_at: str | None = None
        self.certificate_problem = ""
        self.certificateError.connect(self._certificate_error)

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
        self.back_button.clicked.connect(self.view.back)
        self.reload_button.clicked.connect(self.view.reload)
        self.stop_button.clicked.connect(self.view.stop)
        self.view.urlChanged.connect(self._show_url)
        self.view.loadStarted.connect(lambda: self._loading(True))
        self.view.loadFinished.connect(lambda _ok: self._loading(False))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for widget in (self.back_button, self.reload_button, self.stop_button, self.tls_label):
            bar.addWidget(widget)
        bar.addWidget(self.url_bar, 1)
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
        self.page = CatchingPage(profile, self.view)
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

        page.caught.connect(caught)
        page.stop_at = stop_at
        try:
            self.view.load(QUrl(start(stop_at)))
            answer = await arrival
        finally:
            page.stop_at = None
            page.caught.disconnect(caught)
            if not arrival.done():
                self.view.stop()
        self._show_caught(answer)
        return answer

    def _show_refused(self, url: QUrl) -> None:
        self.refused.setText(f"Not opened: the page asked another application to open {url.toString()} — "
                             "cognito-desk keeps provider pages inside this view.")
        self.refused.show()

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
