"""Connection screens: the Add/Edit connection dialog, "Manage connections", and their place in the window.

:func:`install` (called by the composition root) adds File ▸ New connection… (Ctrl+Shift+N) and File ▸
Manage connections… plus a "Manage…" button beside the connection switcher, and applies what the dialogs
save: the switcher is reloaded and a new connection, or the open one after an edit, is (re)opened.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from ...admin import connections as logic
from ..icons import icon
from .editor import ConnectionDialog
from .manager import ManageConnectionsDialog

__all__ = ["ConnectionActions", "ConnectionDialog", "ManageConnectionsDialog", "install"]


class ConnectionActions(QObject):
    """The window's connection actions; :attr:`dialog` is the dialog they opened last (for tests)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: ConnectionDialog | ManageConnectionsDialog | None = None
        self.new_action = QAction(icon("add"), "&New connection…", window)
        self.new_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_action.setToolTip("Add a connection: Local, AWS or a custom endpoint (Ctrl+Shift+N)")
        self.new_action.triggered.connect(lambda: self._with_settings(self._open_new))
        self.manage_action = QAction(icon("connection"), "&Manage connections…", window)
        self.manage_action.setIconText("Manage…")
        self.manage_action.setToolTip("Add, edit, duplicate or remove connections")
        self.manage_action.triggered.connect(lambda: self._with_settings(self._open_manager))
        actions = window.file_menu.actions()
        window.file_menu.insertActions(actions[0] if actions else None, [self.new_action, self.manage_action])
        window.toolbar.insertAction(window.refresh_action, self.manage_action)
        window.toolbar.widgetForAction(self.manage_action).setToolButtonStyle(
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

    def _with_settings(self, then) -> None:
        ctx = self.window.ctx
        ctx.runner.run_blocking(ctx.settings_file.load, label="Reading the connections", on_success=then,
                                errors=self.window.connection_errors)

    def _current(self) -> str | None:
        connection = self.window.connection
        return connection.name if connection is not None else self.window.connection_box.currentText() or None

    def _open_new(self, settings) -> None:
        dialog = ConnectionDialog(self.window.ctx, settings, parent=self.window)
        dialog.saved.connect(lambda new, name, original: self.apply(
            new, logic.connection_to_open(self._current(), name, original)))
        self._show(dialog)

    def _open_manager(self, settings) -> None:
        dialog = ManageConnectionsDialog(self.window.ctx, settings, self._current(), parent=self.window)
        dialog.changed.connect(self.apply)
        self._show(dialog)

    def _show(self, dialog) -> None:
        self.dialog = dialog
        dialog.open()

    def apply(self, settings, reopen: str | None) -> None:
        """Show the saved connections in the switcher and (re)open ``reopen`` if given."""
        self.window.reload_profiles(settings)
        if reopen is not None:
            self.window.open_profile(reopen)


def install(window) -> ConnectionActions:
    """Wire the connection screens into ``window`` (see the module docstring)."""
    return ConnectionActions(window)
