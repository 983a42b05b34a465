"""The "Manage connections" dialog: every connection profile, with add / edit / duplicate / remove / connect.

Owns :class:`ManageConnectionsDialog`. It lists the profiles (kind, region, where they point, which one is
active), opens :class:`~.editor.ConnectionDialog` for add / edit / duplicate, and removes a profile and its
stored keys after an inline confirmation (no modal box; the last connection cannot be removed). After every
change it emits :attr:`ManageConnectionsDialog.changed` with the new settings and the connection the window
should (re)open, if any.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...admin import connections as logic
from ...settings import ConnectionProfile, EndpointProfile, LocalProfile, Settings
from ..context import AppContext
from ..icons import icon
from ..tasks import Operation
from ..widgets.error_banner import ErrorBanner
from .editor import ConnectionDialog

__all__ = ["ManageConnectionsDialog", "describe_profile"]

_NAME_ROLE = Qt.ItemDataRole.UserRole


def describe_profile(profile: ConnectionProfile) -> str:
    """One line saying what a profile is and where it points."""
    if isinstance(profile, LocalProfile):
        return f"Local · {profile.region} · {profile.data_dir or 'default data directory'}"
    how = {"aws-profile": f"AWS profile {profile.aws_profile}", "keyring": "keys in the keyring",
           "environment": "keys from the environment"}[profile.credentials.value]
    if isinstance(profile, EndpointProfile):
        return f"Custom endpoint · {profile.url} · {profile.region} · {how}"
    return f"AWS · {profile.region} · {how}"


class ManageConnectionsDialog(QDialog):
    #: The settings after a change, and the connection to (re)open (None: leave the open one alone).
    changed = Signal(object, object)

    def __init__(self, ctx: AppContext, settings: Settings, current: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.settings, self.current = ctx, settings, current
        self.editor: ConnectionDialog | None = None
        self._removing: Operation | None = None
        self.setWindowTitle("Manage connections")
        self.setAccessibleName("Manage connections")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.list = QListWidget()
        self.list.setAccessibleName("Connections")
        self.list.setSpacing(3)
        self.list.setIconSize(self.list.iconSize().expandedTo(self.list.fontMetrics().boundingRect("M").size() * 2))
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.list.itemActivated.connect(lambda _: self.edit())
        self.buttons: dict[str, QPushButton] = {}
        side = QVBoxLayout()
        for key, text, icon_name, slot, tip in (
                ("add", "&Add…", "add", self.add, "Add a connection (Local, AWS or Custom endpoint)"),
                ("edit", "&Edit…", "settings", self.edit, "Edit the selected connection"),
                ("duplicate", "D&uplicate…", "copy", self.duplicate, "Copy the selected connection's settings"),
                ("remove", "&Remove", "delete", self.confirm_remove, "Remove the selected connection and its keys"),
                ("connect", "C&onnect", "connection", self.connect_selected, "Open the selected connection")):
            button = QPushButton(icon(icon_name), text)
            button.setAccessibleName(text.replace("&", "").rstrip("…"))
            button.setToolTip(tip)
            button.clicked.connect(slot)
            self.buttons[key] = button
            side.addWidget(button)
        side.addStretch()
        self.confirm = QFrame()
        self.confirm.setObjectName("errorBanner")
        self.confirm_text = QLabel()
        self.confirm_text.setWordWrap(True)
        self.confirm_text.setAccessibleName("Confirm removal")
        self.confirm_yes = QPushButton("Remove")
        self.confirm_yes.setAccessibleName("Yes, remove it")
        self.confirm_yes.clicked.connect(self.remove)
        self.confirm_no = QPushButton("Keep")
        self.confirm_no.setAccessibleName("No, keep it")
        self.confirm_no.clicked.connect(self.confirm.hide)
        row = QHBoxLayout(self.confirm)
        row.addWidget(self.confirm_text, 1)
        row.addWidget(self.confirm_yes)
        row.addWidget(self.confirm_no)
        self.confirm.hide()
        self.errors = ErrorBanner(name="Connection change problem")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        close.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(side)
        box = QVBoxLayout(self)
        box.addLayout(top, 1)
        box.addWidget(self.confirm)
        box.addWidget(self.errors)
        box.addWidget(close)
        self.resize(700, 380)
        self._fill(current)

    def done(self, result: int) -> None:
        """Closing the dialog cancels a removal still running (its list is about to go)."""
        if self._removing is not None:
            self._removing.cancel()
        super().done(result)

    def _fill(self, select: str | None) -> None:
        self.list.clear()
        for profile in self.settings.profiles:
            active = " (active)" if profile.name == self.settings.active_profile else ""
            item = QListWidgetItem(icon("connection"), f"{profile.name}{active}\n{describe_profile(profile)}")
            item.setData(_NAME_ROLE, profile.name)
            self.list.addItem(item)
            if profile.name == select:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def selected(self) -> str | None:
        item = self.list.currentItem()
        return item.data(_NAME_ROLE) if item is not None else None

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        for key in ("edit", "duplicate", "connect"):
            self.buttons[key].setEnabled(chosen)
        last = len(self.settings.profiles) <= 1
        self.buttons["remove"].setEnabled(chosen and not last)
        self.buttons["remove"].setToolTip("The only connection cannot be removed; add another one first" if last
                                          else "Remove the selected connection and its keys")
        self.confirm.hide()

    # --- actions -----------------------------------------------------------------------------------
    def add(self) -> None:
        self._open_editor(ConnectionDialog(self.ctx, self.settings, parent=self))

    def edit(self) -> None:
        if self.selected() is not None:
            self._open_editor(ConnectionDialog(self.ctx, self.settings, edit=self.selected(), parent=self))

    def duplicate(self) -> None:
        if self.selected() is not None:
            self._open_editor(ConnectionDialog(self.ctx, self.settings, duplicate=self.selected(), parent=self))

    def _open_editor(self, dialog: ConnectionDialog) -> None:
        self.editor = dialog
        dialog.saved.connect(self._saved)
        dialog.open()

    def _saved(self, settings: Settings, name: str, original: str | None) -> None:
        self.settings = settings
        reopen = logic.connection_to_open(self.current, name, original)
        if reopen is not None:
            self.current = reopen
        self._fill(name)
        self.changed.emit(settings, reopen)

    def confirm_remove(self) -> None:
        name = self.selected()
        if name is None:
            return
        self.confirm_text.setText(f"Remove the connection “{name}” and the keys stored for it? Its pools stay "
                                  "where they are.")
        self.confirm.show()
        self.confirm_no.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove(self) -> None:
        name = self.selected()
        self.confirm.hide()
        if name is None:
            return
        settings = self.settings
        self._removing = self.ctx.runner.run_blocking(
            lambda: logic.remove_connection(settings, name, self.ctx.settings_file, self.ctx.secrets),
            label=f"Removing {name}", busy=self.list, errors=self.errors,
            on_success=lambda new: self._removed(new, name))

    def _removed(self, settings: Settings, name: str) -> None:
        self.settings = settings
        reopen = settings.active_profile if name == self.current else None
        if reopen is not None:
            self.current = reopen
        self._fill(self.current)
        self.changed.emit(settings, reopen)

    def connect_selected(self) -> None:
        name = self.selected()
        if name is not None:
            self.current = name
            self.changed.emit(self.settings, name)
            self.accept()
