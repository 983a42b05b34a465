"""The New persona dialog: a test user's name, and what its browser profile keeps on disk, said in words.

Owns :class:`PersonaDialog` (``chosen(name, remember_sessions)``) and the two sentences :data:`KEPT` /
:data:`KEPT_WITH_SESSIONS` it shows. Widgets only: the profiles themselves are :mod:`.personas`' (which loads
QtWebEngine; this module does not).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

__all__ = ["KEPT", "KEPT_WITH_SESSIONS", "PersonaDialog"]

#: What a persona keeps on disk between runs (shown in the persona dialog).
KEPT = ("Kept on disk (owner-only) between runs: the persona's persistent cookies, cache and visited links. "
        "Session cookies — an identity provider's sign-in session that ends when a browser closes — stay in "
        "memory and are gone when cognito-desk closes.")
KEPT_WITH_SESSIONS = ("Kept on disk (owner-only) between runs: all the persona's cookies — session cookies "
                      "(the provider's sign-in session) included —, cache and visited links.")


class PersonaDialog(QDialog):
    """A new persona: its name, and whether its session cookies are written to disk too — saying what is kept."""

    chosen = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New persona")
        self.setAccessibleName("New persona")
        self.name = QLineEdit()
        self.name.setAccessibleName("Persona name")
        self.name.setPlaceholderText("e.g. alice")
        self.remember = QCheckBox("Remember its session cookies on disk too (the provider's sign-in session)")
        self.remember.setAccessibleName("Remember session cookies")
        self.kept = QLabel(KEPT)
        self.kept.setWordWrap(True)
        self.kept.setAccessibleName("What the persona keeps")
        self.remember.toggled.connect(lambda on: self.kept.setText(KEPT_WITH_SESSIONS if on else KEPT))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("Create the persona")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(QLabel("Name of the test user:"))
        box.addWidget(self.name)
        box.addWidget(self.remember)
        box.addWidget(self.kept)
        box.addWidget(buttons)

    def accept(self) -> None:
        self.chosen.emit(self.name.text(), self.remember.isChecked())
        super().accept()
