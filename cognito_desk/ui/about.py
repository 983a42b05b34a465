"""Help → About: what this copy of cognito-desk is, where it keeps things, and a diagnostics report.

Owns :class:`AboutDialog` and :func:`show_about` (what the Help menu calls). The dialog shows the
version, the Qt, Qt for Python and Chromium versions, the install, data, settings and log folders
(:class:`cognito_desk.diagnostics.AppPaths`), and the license. "Copy diagnostics" puts
:func:`cognito_desk.diagnostics.diagnostics_text` on the clipboard — versions, paths, keyring backend,
the Qt/Chromium environment switches, never a secret; asking keyring for its backend can block on D-Bus,
so the report is built in a worker thread through the dialog's :class:`~.tasks.Runner`. Chromium's version
comes from QtWebEngine's library, loaded here on demand (the main window never loads it at start-up).
"""

from __future__ import annotations

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..diagnostics import LICENSE, AppPaths, diagnostics_text
from .icons import app_icon
from .tasks import Runner
from .widgets.error_banner import ErrorBanner

__all__ = ["AboutDialog", "install", "runtime_versions", "show_about"]


def runtime_versions() -> dict[str, str]:
    """Qt, Qt for Python and Chromium versions, by name."""
    from PySide6.QtWebEngineCore import qWebEngineChromiumVersion, qWebEngineVersion

    return {"Qt": qVersion(), "Qt for Python": PySide6.__version__,
            "Chromium": f"{qWebEngineChromiumVersion()} (QtWebEngine {qWebEngineVersion()})"}


def _value(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setAccessibleName(name)
    label.setWordWrap(True)
    return label


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, paths: AppPaths | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About cognito-desk")
        self.setAccessibleName("About cognito-desk")
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(480)
        self.paths = paths or AppPaths.current()
        self.versions = runtime_versions()
        self.runner = Runner(self)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        logo.setAccessibleName("cognito-desk logo")
        title = QLabel(f"<b>cognito-desk {__version__}</b><br>Amazon Cognito identity pools on the desktop")
        title.setAccessibleName("Name and version")
        header = QHBoxLayout()
        header.addWidget(logo)
        header.addWidget(title, 1)

        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        rows = [("Version", f"{__version__} ({'installed bundle' if self.paths.frozen else 'source checkout'})"),
                *self.versions.items(),
                ("Install folder", str(self.paths.install)), ("Data folder", str(self.paths.data)),
                ("Settings folder", str(self.paths.settings)), ("Log folder", str(self.paths.logs)),
                ("License", LICENSE)]
        for name, text in rows:
            self.fields[name] = _value(text, name)
            form.addRow(f"{name}:", self.fields[name])

        self.copy_button = QPushButton("&Copy diagnostics")
        self.copy_button.setAccessibleName("Copy diagnostics")
        self.copy_button.setToolTip("Copy versions, folders and the keyring backend (no secrets) for a bug report")
        self.copy_button.clicked.connect(self.copy_diagnostics)
        self.copied = QLabel()
        self.copied.setAccessibleName("Copy status")
        self.errors = ErrorBanner(self, name="Diagnostics error")
        self.errors.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        actions = QHBoxLayout()
        actions.addWidget(self.copy_button)
        actions.addWidget(self.copied, 1)
        actions.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(form)
        layout.addWidget(self.errors)
        layout.addLayout(actions)

    def copy_diagnostics(self) -> None:
        self.copied.setText("Collecting…")
        runtime = dict(self.versions)
        self.runner.run_blocking(lambda: diagnostics_text(self.paths, runtime), label="Collecting diagnostics",
                                 on_success=self._copy, errors=self.errors,
                                 on_settled=lambda: self.copied.setText(""))

    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.copied.setText("Copied to the clipboard")

    def done(self, result: int) -> None:
        self.runner.cancel_all()
        super().done(result)


def show_about(parent: QWidget | None = None) -> AboutDialog:
    """Open the About dialog (window-modal, without a nested event loop) and return it."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def install(window):
    """Help ▸ About cognito-desk (the application menu's About on macOS); returns the action."""
    about = window.help_menu.addAction("&About cognito-desk", lambda: show_about(window))
    about.setMenuRole(about.MenuRole.AboutRole)
    return about
