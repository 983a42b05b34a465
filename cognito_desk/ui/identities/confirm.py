"""Asking before something that cannot be undone, without blocking the event loop.

Owns :func:`ask`: a window-modal :class:`QMessageBox` opened with ``open()`` (never ``exec()``, which would
spin a nested loop under qasync) whose accept button names the action ("Delete 130 identities"); ``then``
runs only when the user accepts. The box is returned so tests (and screenshots) can reach its buttons.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

__all__ = ["ask"]


def ask(parent: QWidget, title: str, question: str, action: str, then: Callable[[], object]) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, title, question, QMessageBox.StandardButton.NoButton, parent)
    box.setAccessibleName(title)
    accept = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    accept.setAccessibleName(action)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setAccessibleName("Cancel")
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: then() if button is accept else None)
    box.open()
    return box
