"""Form parts of the connection dialogs: a masked secret input with a reveal toggle, and a field with its error.

Owns :class:`SecretEdit` (a password-echo line edit whose eye button shows the text while held down
toggled; the value leaves it only as a :class:`~cognito_desk.settings.Secret`) and :class:`Field`
(any input with the inline message that says what is wrong with it, hidden while there is nothing to say).
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from ...settings import Secret
from ..icons import icon
from ..widgets.line_edit import name_inner_buttons

__all__ = ["Field", "SecretEdit"]



class SecretEdit(QWidget):
    """A masked input for a secret; the eye button reveals it (and masks it again)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(name)
        self.edit.setClearButtonEnabled(True)
        name_inner_buttons(self.edit)
        self.reveal_button = QToolButton()
        self.reveal_button.setIcon(icon("reveal"))
        self.reveal_button.setCheckable(True)
        self.reveal_button.setAccessibleName(f"Show the {name.lower()}")
        self.reveal_button.setToolTip(f"Show or hide the {name.lower()}")
        self.reveal_button.toggled.connect(self._reveal)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.reveal_button)
        self.setFocusProxy(self.edit)

    def _reveal(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.reveal_button.setAccessibleName(f"{'Hide' if shown else 'Show'} the {self.edit.accessibleName().lower()}")

    def secret(self) -> Secret:
        return Secret(self.edit.text().strip())

    def set_secret(self, value: Secret | None) -> None:
        self.edit.setText(value.reveal() if value else "")

    @property
    def masked(self) -> bool:
        return self.edit.echoMode() is QLineEdit.EchoMode.Password


class Field(QWidget):
    """An input with its inline error message underneath."""

    def __init__(self, widget: QWidget, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widget = widget
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self._unnamed = f"{name} problem"
        self.error.setAccessibleName(self._unnamed)
        self.error.setWordWrap(True)
        self.error.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(self.error)
        self.setFocusProxy(widget)

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setAccessibleName(message or self._unnamed)  # a screen reader reads the message itself
        self.error.setVisible(bool(message))
