"""The role-mapping part of the Roles & rules tab: one mapping per provider, its type, ambiguity rule and rules.

Owns :class:`MappingEditor` — pick the provider whose mapping is shown, add a mapping for another of the pool's
providers (at most 10) or remove one, choose Token or Rules and the ambiguous-role resolution (default
authenticated role or deny), and edit the rules in a table (:class:`~.rules_model.RulesModel`: add, remove,
drag-and-drop reorder or Move up / Move down (Ctrl+Up / Ctrl+Down), the 26th refused with the reason shown).
Every change emits :attr:`edited`.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cognito_desk.admin.roles_snapshot import mapping_keys
from cognito_desk.admin.rules import AMBIGUOUS_RESOLUTIONS, MAPPING_TYPES, LimitReached, RolesForm

from ..icons import icon
from .rules_model import RulesModel

__all__ = ["MappingEditor"]

AMBIGUOUS_LABELS = {"AuthenticatedRole": "Use the default authenticated role", "Deny": "Deny the request"}


class MappingEditor(QWidget):
    edited = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.form: RolesForm | None = None
        self.pool: dict = {}
        self.provider = QComboBox()
        self.provider.setAccessibleName("Role mapping of provider")
        self.new_provider = QComboBox()
        for combo in (self.provider, self.new_provider):  # provider names run long: the layout gives them room
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(18)
        self.new_provider.setAccessibleName("Provider to map")
        self.add_mapping_button = QPushButton(icon("add"), "Add mapping")
        self.add_mapping_button.setAccessibleName("Add a role mapping")
        self.remove_mapping_button = QPushButton(icon("delete"), "Remove mapping")
        self.remove_mapping_button.setAccessibleName("Remove this role mapping")
        self.type = QComboBox()
        self.type.setAccessibleName("Mapping type")
        self.type.addItems(MAPPING_TYPES)
        self.ambiguous = QComboBox()
        self.ambiguous.setAccessibleName("Ambiguous role resolution")
        for value in AMBIGUOUS_RESOLUTIONS:
            self.ambiguous.addItem(AMBIGUOUS_LABELS[value], value)
        self.model = RulesModel(self)
        self.view = QTableView()
        self.view.setAccessibleName("Rules")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDragDropOverwriteMode(False)
        self.view.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().hide()
        self.add_rule_button = QPushButton(icon("add"), "Add rule")
        self.add_rule_button.setAccessibleName("Add a rule")
        self.remove_rule_button = QPushButton(icon("delete"), "Remove rule")
        self.remove_rule_button.setAccessibleName("Remove the selected rule")
        self.up_button = QPushButton("Move &up")
        self.up_button.setAccessibleName("Move the selected rule up")
        self.up_button.setShortcut("Ctrl+Up")
        self.down_button = QPushButton("Move &down")
        self.down_button.setAccessibleName("Move the selected rule down")
        self.down_button.setShortcut("Ctrl+Down")
        self.note = QLabel("")
        self.note.setObjectName("mappingNote")
        self.note.setAccessibleName("Rules note")
        self.note.setWordWrap(True)
        top = QHBoxLayout()
        for widget in (QLabel("Provider:"), self.provider, self.remove_mapping_button):
            top.addWidget(widget)
        top.setStretch(1, 1)
        adding = QHBoxLayout()
        for widget in (QLabel("New mapping for:"), self.new_provider, self.add_mapping_button):
            adding.addWidget(widget)
        adding.setStretch(1, 1)
        settings = QHBoxLayout()
        for widget in (QLabel("Type:"), self.type, QLabel("When ambiguous:"), self.ambiguous):
            settings.addWidget(widget)
        settings.addStretch()
        rule_buttons = QHBoxLayout()
        rule_buttons.addWidget(self.add_rule_button)
        rule_buttons.addWidget(self.remove_rule_button)
        rule_buttons.addWidget(self.up_button)
        rule_buttons.addWidget(self.down_button)
        rule_buttons.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(adding)
        layout.addLayout(settings)
        layout.addWidget(self.view, 1)
        layout.addLayout(rule_buttons)
        self.provider.currentIndexChanged.connect(self._show_mapping)
        self.add_mapping_button.clicked.connect(self.add_mapping)
        self.remove_mapping_button.clicked.connect(self.remove_mapping)
        self.type.currentTextChanged.connect(self._type_changed)
        self.ambiguous.currentIndexChanged.connect(self._ambiguous_changed)
        self.add_rule_button.clicked.connect(self.add_rule)
        self.remove_rule_button.clicked.connect(self.remove_rule)
        self.up_button.clicked.connect(lambda: self.move_rule(-1))
        self.down_button.clicked.connect(lambda: self.move_rule(+1))
        self.model.edited.connect(self._rules_edited)
        self.model.refused.connect(self.note.setText)

    def show_form(self, form: RolesForm | None, pool: dict) -> None:
        self.form, self.pool = form, pool
        self._fill_providers()

    def _fill_providers(self, select: str | None = None) -> None:
        mapped = list(self.form.mappings) if self.form else []
        self.provider.blockSignals(True)
        self.provider.clear()
        self.provider.addItems(mapped)
        if select in mapped:
            self.provider.setCurrentText(select)
        self.provider.blockSignals(False)
        self.new_provider.clear()
        self.new_provider.addItems([key for key in mapping_keys(self.pool) if key not in mapped])
        self.add_mapping_button.setEnabled(self.new_provider.count() > 0 and self.form is not None)
        self._show_mapping()

    def current(self):
        key = self.provider.currentText()
        return self.form.mappings.get(key) if self.form and key else None

    def _show_mapping(self) -> None:
        mapping = self.current()
        for widget in (self.type, self.ambiguous, self.remove_mapping_button):
            widget.setEnabled(mapping is not None)
        if mapping is not None:
            self.type.blockSignals(True)
            self.type.setCurrentText(mapping.type)
            self.type.blockSignals(False)
            self.ambiguous.blockSignals(True)
            self.ambiguous.setCurrentIndex(max(self.ambiguous.findData(mapping.ambiguous_role_resolution), 0))
            self.ambiguous.blockSignals(False)
        self.model.set_mapping(mapping)
        rules = mapping is not None and mapping.type == "Rules"
        for button in (self.add_rule_button, self.remove_rule_button, self.up_button, self.down_button):
            button.setEnabled(rules)
        self._update_note()

    def _update_note(self) -> None:
        mapping = self.current()
        if mapping is None:
            self.note.setText("No role mapping: this provider's users get the default authenticated role.")
        elif mapping.type == "Token":
            self.note.setText("Token: the role comes from the token's cognito:roles / cognito:preferred_role.")
        else:
            self.note.setText(f"{len(mapping.rules)} of 25 rules; the first matching rule wins. "
                              "Drag rows to reorder.")

    def add_mapping(self) -> None:
        key = self.new_provider.currentText()
        if not key or self.form is None:
            return
        try:
            self.form.add_mapping(key)
        except (LimitReached, ValueError) as exc:
            self.note.setText(str(exc))
            return
        self._fill_providers(select=key)
        self.edited.emit()

    def remove_mapping(self) -> None:
        key = self.provider.currentText()
        if self.form is not None and key in self.form.mappings:
            self.form.remove_mapping(key)
            self._fill_providers()
            self.edited.emit()

    def _type_changed(self, kind: str) -> None:
        mapping = self.current()
        if mapping is not None and kind:
            mapping.type = kind
            self._show_mapping()
            self.edited.emit()

    def _ambiguous_changed(self) -> None:
        mapping = self.current()
        if mapping is not None:
            mapping.ambiguous_role_resolution = self.ambiguous.currentData()
            self.edited.emit()

    def add_rule(self) -> None:
        row = self.model.rowCount()
        if self.model.insertRows(row, 1):
            self.view.setCurrentIndex(self.model.index(row, 1))
            self.view.edit(self.model.index(row, 1))

    def remove_rule(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.model.removeRows(index.row(), 1)

    def move_rule(self, step: int) -> None:
        """Move the selected rule one place up (-1) or down (+1): drag and drop for the keyboard."""
        row = self.view.currentIndex().row()
        target = row + step
        if row < 0 or not 0 <= target < self.model.rowCount():
            return
        self.model.moveRows(QModelIndex(), row, 1, QModelIndex(), target + 1 if step > 0 else target)
        self.view.setCurrentIndex(self.model.index(target, max(self.view.currentIndex().column(), 1)))

    def _rules_edited(self) -> None:
        self._update_note()
        self.edited.emit()
