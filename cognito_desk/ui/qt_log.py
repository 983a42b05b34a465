"""Qt's and QtWebEngine's own messages go to the app's log file, not to the terminal.

Owns :func:`route_qt_logging`, called by the desktop app before its QApplication exists: a Qt message handler
writes every Qt message — QtWebEngine's "Failed to initialize Vulkan" and software-rendering notes, the
platform plugin's remarks — to ``cognito-desk.log`` in the app's log directory with its level and category
(critical and fatal ones also to stderr), and Chromium, which writes straight to stderr ("Failed to connect to
the bus"), is asked for fatal messages only (``--log-level=3`` in ``QTWEBENGINE_CHROMIUM_FLAGS``) unless the
user set a log level or enabled logging there to debug it. The log file (and ``logging``) is opened on the
first message, not before the window is painted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

if TYPE_CHECKING:
    import logging

__all__ = ["LOG_FILE", "QtMessageLog", "quiet_chromium", "route_qt_logging"]

LOG_FILE = "cognito-desk.log"
CHROMIUM_FLAGS = "QTWEBENGINE_CHROMIUM_FLAGS"
#: Chromium's LOG() output from FATAL up only.
QUIET_CHROMIUM = "--log-level=3"
#: Qt's message kinds as ``logging`` levels (DEBUG, INFO, WARNING, ERROR, CRITICAL).
_LEVELS = {QtMsgType.QtDebugMsg: 10, QtMsgType.QtInfoMsg: 20, QtMsgType.QtWarningMsg: 30,
           QtMsgType.QtCriticalMsg: 40, QtMsgType.QtFatalMsg: 50}
_ERROR = 40


def quiet_chromium(environ: MutableMapping[str, str]) -> None:
    """Add ``--log-level=3`` to Chromium's flags in ``environ``, unless the user chose how Chromium logs."""
    flags = environ.get(CHROMIUM_FLAGS, "")
    if "--log-level" not in flags and "--enable-logging" not in flags:
        environ[CHROMIUM_FLAGS] = f"{flags} {QUIET_CHROMIUM}".strip()


class QtMessageLog:
    """The Qt message handler: each message to the log file (opened on first use), severe ones to stderr too."""

    def __init__(self, directory: Path | None = None) -> None:
        #: The log directory; None: the app's (``diagnostics.log_dir``), looked up with the first message.
        self.directory = directory
        self._logger: logging.Logger | None = None

    @property
    def path(self) -> Path:
        if self.directory is None:
            from ..diagnostics import log_dir

            self.directory = log_dir()
        return self.directory / LOG_FILE

    def _open(self) -> logging.Logger:
        import logging

        logger = logging.getLogger("cognito_desk.qt")
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
        try:
            from ..settings.files import private_dir

            path = self.path
            private_dir(path.parent)  # owner-only, like everything else the app writes
            handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        except OSError:  # no writable log directory: the terminal it is
            handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        return logger

    def __call__(self, kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if self._logger is None:
            self._logger = self._open()
        level = _LEVELS.get(kind, 30)
        self._logger.log(level, "qt %s: %s", context.category or "default", message)
        if level >= _ERROR:
            print(message, file=sys.stderr, flush=True)


def route_qt_logging(directory: Path | None = None) -> QtMessageLog:
    """Send Qt's messages to the log file in ``directory`` (default: the app's log directory); quiet Chromium."""
    quiet_chromium(os.environ)
    handler = QtMessageLog(directory)
    qInstallMessageHandler(handler)
    return handler
