"""The self-test's QtWebEngine check: load a page, read its title, and say whether Chromium's sandbox was on.

Owns :func:`check_page_title`, run by ``cognito-desk --self-test`` (``cognito_desk.selftest``) after it
has chosen the offscreen platform. It creates the QApplication if there is none, loads the page in an
off-the-record profile (nothing is written to disk), waits for ``loadFinished`` (or a render-process
crash, or the timeout) in a local event loop, and compares the title. The sandbox is never switched off
here: as root Chromium refuses to start with it on, so that case fails at once with the two ways on
instead of hanging.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer, QUrl, qVersion
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, qWebEngineChromiumVersion
from PySide6.QtWidgets import QApplication

from ..selftest import Check

__all__ = ["check_page_title", "sandbox_state"]


def sandbox_state(environ: os._Environ | dict = os.environ) -> str:
    """``on``, or ``off`` with the setting that turned it off."""
    if environ.get("QTWEBENGINE_DISABLE_SANDBOX", "") not in ("", "0"):
        return "off (QTWEBENGINE_DISABLE_SANDBOX)"
    if "--no-sandbox" in environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split():
        return "off (--no-sandbox)"
    return "on"


class _Load:
    """One page load in a local event loop: ``loadFinished``, a render-process crash or the timeout ends it."""

    def __init__(self, page: QWebEnginePage) -> None:
        self.page = page
        self.outcome: dict[str, object] = {}
        self._loop = QEventLoop()
        page.loadFinished.connect(self._finished)
        page.renderProcessTerminated.connect(self._crashed)

    def _finished(self, ok: bool) -> None:
        self.outcome.setdefault("loaded", ok)
        self._loop.quit()

    def _crashed(self, status: QWebEnginePage.RenderProcessTerminationStatus, code: int) -> None:
        self.outcome.setdefault("crashed", f"render process ended ({status.name}, exit code {code})")
        self._loop.quit()

    def run(self, url: str, timeout: float) -> str | None:
        """Load ``url``; None when it loaded, else what went wrong."""
        self.outcome.clear()
        QTimer.singleShot(int(timeout * 1000), self._loop.quit)
        self.page.load(QUrl(url))
        self._loop.exec()
        if "crashed" in self.outcome:
            return str(self.outcome["crashed"])
        if "loaded" not in self.outcome:
            return f"no answer from {url} within {timeout:.0f} s"
        return None if self.outcome["loaded"] else f"loading {url} failed"

    def text(self, timeout: float) -> str:
        """The page's visible text (``runJavaScript`` hands back strings, not objects)."""
        result: list[str] = []

        def got(value: object) -> None:
            result.append(value if isinstance(value, str) else "")
            self._loop.quit()

        QTimer.singleShot(int(timeout * 1000), self._loop.quit)
        self.page.runJavaScript("document.body ? document.body.innerText : ''", 0, got)
        self._loop.exec()
        return result[0] if result else ""


def check_page_title(url: str, expected_title: str, timeout: float) -> list[Check]:
    """Load ``url`` and compare its title; on Linux also read Chromium's own sandbox report."""
    sandbox = sandbox_state()
    versions = f"Qt {qVersion()}, Chromium {qWebEngineChromiumVersion()}"
    if sandbox == "on" and hasattr(os, "geteuid") and os.geteuid() == 0:
        return [Check("web engine", False, f"{versions}: running as root, where Chromium's sandbox cannot start; "
                      "run as a normal user, or set QTWEBENGINE_DISABLE_SANDBOX=1 to test without the sandbox")]
    app = QCoreApplication.instance() or QApplication([sys.argv[0]])
    profile = QWebEngineProfile(app)  # off the record: no cookies, cache or storage on disk
    page = QWebEnginePage(profile)
    load = _Load(page)
    started = time.perf_counter()
    failure = load.run(url, timeout)
    elapsed = 1000 * (time.perf_counter() - started)
    title = page.title()
    if failure is None and title != expected_title:
        failure = f"page title {title!r}, expected {expected_title!r}"
    checks = [Check("web engine", failure is None, f"{versions}: {failure or f'page title read in {elapsed:.0f} ms'}")]
    if failure is None and sys.platform.startswith("linux"):
        report = "" if load.run("chrome://sandbox", timeout) else load.text(timeout)
        checks.append(_sandbox_check(sandbox, report))
    elif failure is None:
        checks.append(Check("chromium sandbox", sandbox == "on", sandbox, required=False))
    del load, page  # pages go before their profile
    profile.deleteLater()
    return checks


def _sandbox_check(setting: str, report: str) -> Check:
    """What chrome://sandbox says (``Layer 1 Sandbox  Namespace`` ... ``You are adequately sandboxed.``)."""
    fields = dict(line.split("\t", 1) for line in report.splitlines() if "\t" in line)
    layer = fields.get("Layer 1 Sandbox", "unknown")
    adequate = "You are adequately sandboxed" in report
    seccomp = fields.get("Seccomp-BPF sandbox") == "Yes"
    summary = f"layer-1 {layer.lower()}, seccomp-bpf {'yes' if seccomp else 'no'}"
    if not report:
        return Check("chromium sandbox", False, f"{setting}; chrome://sandbox could not be read", required=False)
    state = "on" if adequate else "OFF"
    return Check("chromium sandbox", adequate, f"{state} ({summary}; setting: {setting})", required=False)
