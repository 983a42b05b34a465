"""The GUI process's composition root: QApplication, the qasync loop, settings, services, the main window.

Owns :func:`run` (what ``cognito-desk`` with no subcommand calls) and :func:`build_window`, which makes
the main window and plugs every screen into it — the one place where screens are wired together, used
by the app and by the GUI tests alike. The window is shown first; the settings are read, the
embedded service started and the first pool list fetched only after it has been painted. On exit the
open connection is closed and the embedded services this process runs are stopped.

``COGNITO_DESK_TRACE_T0`` (a ``time.time()`` taken by whoever started the process) makes the app print
``painted <s>`` and ``ready <s>`` (the Local connection's pool list shown) to stderr, and
``COGNITO_DESK_QUIT_WHEN_READY=1`` closes it then — for the start-up benchmark and the process test.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

import qasync
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from .. import __version__
from ..backend import LocalServices
from ..settings import KeyringSecrets, SettingsFile, config_dir
from .context import AppContext
from .icons import app_icon
from .main_window import MainWindow
from .tasks import Runner
from .theme import apply_theme

__all__ = ["build_window", "run"]

PREFS_FILE = "window-state.ini"


def build_window(ctx: AppContext) -> MainWindow:
    """The main window with every screen plugged in."""
    return MainWindow(ctx)


def make_context(settings_file: SettingsFile, prefs_path: str, secrets=None) -> AppContext:
    prefs = QSettings(prefs_path, QSettings.Format.IniFormat)
    return AppContext(settings_file, secrets if secrets is not None else KeyringSecrets(), LocalServices(), prefs,
                      Runner())


class _FirstPaint(QObject):
    """Calls ``then`` once, right after the window's first paint event."""

    def __init__(self, window: MainWindow, then) -> None:
        super().__init__(window)
        self._then = then
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


def run(argv: list[str]) -> int:
    trace_t0 = float(os.environ["COGNITO_DESK_TRACE_T0"]) if os.environ.get("COGNITO_DESK_TRACE_T0") else None
    quit_when_ready = os.environ.get("COGNITO_DESK_QUIT_WHEN_READY") == "1"

    def trace(event: str) -> None:
        if trace_t0 is not None:
            print(f"{event} {time.time() - trace_t0:.3f}", file=sys.stderr, flush=True)

    app = QApplication([sys.argv[0], *argv])
    app.setApplicationName("cognito-desk")
    app.setApplicationDisplayName("cognito-desk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("cognito-desk")
    app.setWindowIcon(app_icon())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    settings_file = SettingsFile()
    ctx = make_context(settings_file, str(config_dir() / PREFS_FILE))
    apply_theme(app, str(ctx.prefs.value("theme", "system")))
    window = build_window(ctx)
    closed = loop.create_future()
    app.lastWindowClosed.connect(lambda: closed.done() or closed.set_result(None))

    def painted() -> None:
        trace("painted")
        window.start()

    def pools_shown() -> None:
        window.pools_shown.disconnect(pools_shown)
        trace("ready")
        if quit_when_ready:
            QTimer.singleShot(0, window.close)

    window.pools_shown.connect(pools_shown)
    _FirstPaint(window, painted)
    window.show()
    try:
        with loop:
            loop.run_until_complete(closed)
            if window.connection is not None:
                loop.run_until_complete(window.connection.aclose())
    finally:
        ctx.local.stop_all()
    return 0
