"""The GUI process's composition root: QApplication, the qasync loop, settings, services, the main window.

Owns :func:`run` (what ``cognito-desk`` with no subcommand calls) and :func:`build_window`, which makes
the main window and plugs every screen into it — the one place where screens are wired together, used
by the app and by the GUI tests alike. The window is shown first; the screens are plugged in, the
settings read, the embedded service started and the first pool list fetched only after it has been
painted. On exit the
open connection is closed and the embedded services this process runs are stopped.

Only Qt and the shell's own modules are imported before the first paint; then the qasync loop starts,
and the settings, the keyring, the AWS clients and the embedded service are imported in a worker thread.

``COGNITO_DESK_TRACE_T0`` (a ``time.time()`` taken by whoever started the process) makes the app print
``painted <s>`` and ``ready <s>`` (the Local connection's pool list shown) to stderr, and
``COGNITO_DESK_QUIT_WHEN_READY=1`` closes it then — for the start-up benchmark and the process test.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from .. import __version__
from ..settings.files import owner_only_umask, private_dir
from .collector import GuiThreadCollector
from .context import AppContext
from .icons import app_icon
from .main_window import MainWindow
from .qt_log import route_qt_logging
from .tasks import Runner
from .theme import apply_theme

if TYPE_CHECKING:
    from ..aws.retry import RetryPolicy

__all__ = ["build_window", "run"]

PREFS_FILE = "window-state.ini"
#: The screen modules ``build_window`` plugs in, in this order. Importing them is the slow part of plugging them in, so
#: the app imports them in a worker thread first (:func:`import_screens`).
SCREENS = ("connections", "pools", "identities", "providers", "roles", "tags", "tester", "about", "history")


def import_screens() -> None:
    """Import every screen module (no widget is made): safe in a worker thread."""
    for name in SCREENS:
        importlib.import_module(f"{__package__}.{name}")


def build_window(ctx: AppContext, window: MainWindow | None = None) -> MainWindow:
    """Plug every screen into ``window`` (a new one if None) — the one place where screens are wired, one way:
    each screen package's ``install(window)`` adds its tab, menus and actions and returns the screen, which the
    window keeps in :attr:`MainWindow.screens` under the package's name.

    The app paints the bare window first, opens the last connection, and plugs the screens in once its
    pools are shown (their modules imported in a worker thread by :func:`import_screens`); screens' heavy
    imports belong inside this function, not at the top of this module. The order of :data:`SCREENS` is the
    order of the tabs and menus; History comes after the Tester, whose runs it records and re-runs.
    """
    window = window or MainWindow(ctx)
    for name in SCREENS:
        if name not in window.screens:
            window.screens[name] = importlib.import_module(f"{__package__}.{name}").install(window)
    return window


def make_context(prefs_path: str, **collaborators) -> AppContext:
    """The context on the window-state file ``prefs_path``; ``collaborators`` as :class:`AppContext` takes them."""
    return AppContext(QSettings(prefs_path, QSettings.Format.IniFormat), Runner(), **collaborators)


def scratch_context(directory: Path, data_dir: Path | None = None, quotas: str = "off",
                    retry: RetryPolicy | None = None) -> AppContext:
    """A context on a scratch ``directory`` (tests, benchmarks, screenshots): settings there with one Local
    profile on ``data_dir`` (default ``directory/data``) enforcing ``quotas`` (``LocalProfile.quotas``), secrets
    for this session only, window state there; the clients retry as ``retry`` says (default: as botocore)."""
    from ..backend import LocalServices
    from ..settings import LocalProfile, SessionSecrets, Settings, SettingsFile

    settings_file = SettingsFile(directory / "config")
    profile = LocalProfile("local", data_dir=str(data_dir or directory / "data"), quotas=quotas)
    settings_file.save(Settings((profile,), "local"))
    return make_context(str(directory / "config" / PREFS_FILE), settings_file=settings_file,
                        secrets=SessionSecrets(), local=LocalServices(), retry=retry)


class _FirstPaint(QObject):
    """Notes the window's first paint event."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.painted = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self.painted = True
        return False


def _show_and_paint(app: QApplication, window: MainWindow, patience: float = 5.0) -> None:
    """Show ``window`` and let Qt paint it before anything else is loaded (a minimised window: give up waiting)."""
    watcher = _FirstPaint(window)
    window.show()
    deadline = time.monotonic() + patience
    while not watcher.painted and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def run(files: list[str]) -> int:
    """The desktop app, opening ``files`` (already checked by ``cli.py``); Qt gets no argument of the user's."""
    owner_only_umask()  # before anything (QtWebEngine's profiles included) writes under the app's folders
    trace_t0 = float(os.environ["COGNITO_DESK_TRACE_T0"]) if os.environ.get("COGNITO_DESK_TRACE_T0") else None
    quit_when_ready = os.environ.get("COGNITO_DESK_QUIT_WHEN_READY") == "1"

    def trace(event: str) -> None:
        if trace_t0 is not None:
            print(f"{event} {time.time() - trace_t0:.3f}", file=sys.stderr, flush=True)

    # QtWebEngine (loaded on demand by the sign-in tester) needs this before the QApplication exists.
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    route_qt_logging()  # Qt's and Chromium's own chatter: to the app's log file, not the terminal
    app = QApplication([sys.argv[0]])
    app.setApplicationName("cognito-desk")
    app.setApplicationDisplayName("cognito-desk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("io.github.cognitodesk.CognitoDesk")  # resources/linux/*.desktop
    app.setWindowIcon(app_icon())
    ctx = make_context(str(_config_dir() / PREFS_FILE))
    apply_theme(app, str(ctx.prefs.value("theme", "system")))
    window = MainWindow(ctx)
    collector = GuiThreadCollector(app)
    _show_and_paint(app, window)
    trace("painted")

    import asyncio

    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    closed = loop.create_future()
    app.lastWindowClosed.connect(lambda: closed.done() or closed.set_result(None))

    def pools_shown() -> None:
        window.pools_shown.disconnect(pools_shown)
        trace("ready")
        if files:
            from .open_files import open_paths

            open_paths(window, files)
        if quit_when_ready:
            QTimer.singleShot(0, window.close)

    window.pools_shown.connect(pools_shown)
    for number in (signal.SIGINT, signal.SIGTERM):  # Ctrl+C in a terminal, or a service manager: close cleanly
        signal.signal(number, lambda *_: QTimer.singleShot(0, window.close))
    plugged = []

    def plug_screens() -> None:
        """After the first connection shows its pools (or fails): the screens, imported in a worker thread."""
        if not plugged:
            plugged.append(True)
            ctx.runner.run(asyncio.to_thread(import_screens), label="Loading screens",
                           on_success=lambda _: (build_window(ctx, window), collector.settle()),
                           errors=window.connection_errors)

    window.pools_shown.connect(plug_screens)
    window.connection_failed.connect(plug_screens)
    ctx.runner.run(ctx.load(), label="Starting", on_success=lambda _: window.start(),
                   errors=window.connection_errors)
    try:
        with loop:
            loop.run_until_complete(closed)
            loop.run_until_complete(ctx.runner.drain())  # cancelled work over before the loop's last pass
            if window.connection is not None:
                loop.run_until_complete(window.connection.aclose())
    finally:
        if ctx.loaded:
            ctx.local.stop_all()
        collector.stop()
    return 0


def _config_dir():
    from ..settings.paths import config_dir

    return private_dir(config_dir())
