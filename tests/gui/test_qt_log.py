"""Qt's and Chromium's own messages stay out of the terminal: what the app routes when QtWebEngine starts (as the
Tester does) lands in the app's log file; Chromium is asked for fatal messages only unless the user chose."""

from __future__ import annotations

import os
import subprocess
import sys

from cognito_desk.ui.qt_log import LOG_FILE, quiet_chromium

#: A process that starts QtWebEngine the way the app does: the app's message routing first, then a web view.
WEB_VIEW = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from cognito_desk.ui.qt_log import route_qt_logging
route_qt_logging(Path(sys.argv[1]))
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
from PySide6.QtWebEngineWidgets import QWebEngineView
view = QWebEngineView()
view.resize(320, 240)
view.show()
view.loadFinished.connect(lambda ok: QTimer.singleShot(300, app.quit))
QTimer.singleShot(60000, app.quit)
view.setHtml("<p>sign-in</p>")
app.exec()
del view
print("done", flush=True)
"""


def test_qtwebengine_starting_says_nothing_in_the_terminal_and_logs_to_the_app_log(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1",
               QTWEBENGINE_CHROMIUM_FLAGS="--disable-gpu --no-sandbox")
    done = subprocess.run([sys.executable, "-c", WEB_VIEW, str(tmp_path / "log")], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and done.stdout.strip() == "done", done.stderr
    assert done.stderr.strip() == "", "Qt or Chromium wrote to the terminal"
    log = (tmp_path / "log" / LOG_FILE).read_text()
    assert "WARNING qt default: " in log  # e.g. "Failed to create RHI for backend: OpenGL" without a GPU


def test_without_routing_chromium_and_qt_write_to_the_terminal(tmp_path):
    """The counter-proof: the same process without the app's routing is what users saw."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1",
               QTWEBENGINE_CHROMIUM_FLAGS="--disable-gpu --no-sandbox")
    script = WEB_VIEW.replace("route_qt_logging(Path(sys.argv[1]))", "")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and done.stderr.strip() != ""


def test_chromium_is_quieted_unless_the_user_chose_its_logging():
    environ = {"QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu"}
    quiet_chromium(environ)
    assert environ["QTWEBENGINE_CHROMIUM_FLAGS"] == "--disable-gpu --log-level=3"
    chosen = {"QTWEBENGINE_CHROMIUM_FLAGS": "--enable-logging --log-level=0"}
    quiet_chromium(chosen)
    assert chosen["QTWEBENGINE_CHROMIUM_FLAGS"] == "--enable-logging --log-level=0"
    empty: dict[str, str] = {}
    quiet_chromium(empty)
    assert empty == {"QTWEBENGINE_CHROMIUM_FLAGS": "--log-level=3"}
