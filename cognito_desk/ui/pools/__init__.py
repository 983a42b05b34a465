"""The identity-pool screens: the Settings tab, the New pool wizard and the Pool menu's dialogs.

:func:`install` plugs them into the main window: the Settings tab (first tab), and Pool menu actions —
New pool… (Ctrl+N), Duplicate…, Delete…, Export…, Export as CloudFormation…, Import…, Compare with file… —
each opening its window-modal dialog on the current connection and pool, and reloading the pool list (with
the new or renamed pool selected) when something changed. Installing twice is harmless.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from ..context import AppContext
from ..icons import icon
from .dialogs import CompareDialog, DeleteDialog, DuplicateDialog, ExportDialog, ImportDialog
from .settings_page import SettingsPage
from .wizard import PoolWizard

__all__ = ["PoolScreens", "install"]


class PoolScreens:
    """The pool screens of one window: its Settings tab, its Pool menu actions, the dialog open now."""

    def __init__(self, ctx: AppContext, window) -> None:
        self.ctx = ctx
        self.window = window
        self.dialog = None
        self.settings_page = SettingsPage(ctx)
        self.settings_page.saved.connect(lambda pool: window.pools_changed(select=pool["IdentityPoolId"]))
        window.add_pool_page(self.settings_page, "Settings", "settings")
        menu = window.pool_menu
        self.new_action = self._action("&New pool…", "add", self.new_pool, QKeySequence.StandardKey.New)
        self.import_action = self._action("&Import…", "import", self.import_pool)
        menu.addActions([self.new_action, self.import_action])
        menu.addSeparator()
        self.duplicate_action = self._action("&Duplicate…", "copy", self.duplicate, needs_pool=True)
        self.export_action = self._action("&Export…", "export", self.export, needs_pool=True)
        self.cloudformation_action = self._action("Export as &CloudFormation…", "export",
                                                  lambda: self.export(cloudformation=True), needs_pool=True)
        self.compare_action = self._action("C&ompare with file…", "search", self.compare, needs_pool=True)
        self.delete_action = self._action("De&lete…", "delete", self.delete, needs_pool=True)
        menu.addActions([self.duplicate_action, self.export_action, self.cloudformation_action,
                         self.compare_action])
        menu.addSeparator()
        menu.addAction(self.delete_action)

    def _action(self, text: str, icon_name: str, slot, shortcut=None, *, needs_pool: bool = False) -> QAction:
        action = QAction(icon(icon_name), text, self.window)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if needs_pool:
            action.setProperty("needsPool", True)
            action.setEnabled(self.window.current_pool() is not None)
        action.triggered.connect(slot)
        return action

    def _open(self, dialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _: dialog.deleteLater())
        dialog.open()

    def new_pool(self) -> None:
        if self.window.connection is None:
            return
        wizard = PoolWizard(self.ctx, self.window.connection, self.window)
        wizard.pool_created.connect(lambda pool: self.window.pools_changed(select=pool["IdentityPoolId"]))
        self._open(wizard)

    def import_pool(self) -> None:
        self.import_file("")

    def import_file(self, path: str) -> ImportDialog | None:
        """The Import dialog; with ``path`` (a file opened with the app) filled in and its preview under way."""
        if self.window.connection is None:
            return None
        dialog = ImportDialog(self.ctx, self.window.connection, self.window)
        dialog.created.connect(lambda pool: self.window.pools_changed(select=pool["IdentityPoolId"]))
        self._open(dialog)
        if path:
            dialog.path.setText(path)
            dialog.make_preview()
        return dialog

    def duplicate(self) -> None:
        pool = self.window.current_pool()
        if pool is not None:
            dialog = DuplicateDialog(self.ctx, pool, self.window)
            dialog.created.connect(lambda made: self.window.pools_changed(select=made["IdentityPoolId"]))
            self._open(dialog)

    def delete(self) -> None:
        pool = self.window.current_pool()
        if pool is not None:
            dialog = DeleteDialog(self.ctx, pool, self.window)
            dialog.deleted.connect(lambda _: self.window.pools_changed())
            self._open(dialog)

    def export(self, *, cloudformation: bool = False) -> None:
        pool = self.window.current_pool()
        if pool is not None:
            self._open(ExportDialog(self.ctx, pool, self.window, cloudformation=cloudformation))

    def compare(self) -> None:
        pool = self.window.current_pool()
        if pool is not None:
            self._open(CompareDialog(self.ctx, pool, self.window))


def install(window) -> PoolScreens:
    """Plug the pool screens into ``window``."""
    return PoolScreens(window.ctx, window)
