"""Accessible names for the buttons Qt puts inside a line edit (its clear button and its icon actions).

Owns :func:`name_inner_buttons`: Qt draws those buttons itself and gives them no name, so screen readers and
GUI robots announce an anonymous "button". Call it once the edit has its accessible name and its actions.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QToolButton

__all__ = ["name_inner_buttons"]

#: Qt's object name for the action behind a line edit's clear button.
_CLEAR_ACTION = "_q_qlineeditclearaction"


def name_inner_buttons(edit: QLineEdit) -> None:
    """Name each button inside ``edit``: "Clear <field>" for the clear button, else its action's text."""
    field = edit.accessibleName() or edit.placeholderText()
    for button in edit.findChildren(QToolButton):
        action = button.defaultAction()
        if action is None:
            continue
        if action.objectName() == _CLEAR_ACTION:
            name = f"Clear {field[:1].lower()}{field[1:]}" if field else "Clear"
        else:
            name = action.text() or action.toolTip() or field
        button.setAccessibleName(name)
        button.setToolTip(button.toolTip() or name)
