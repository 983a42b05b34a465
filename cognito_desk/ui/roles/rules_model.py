"""The rules table: a Qt table model over one role mapping's ordered rules (``admin.rules.RoleMapping``).

Owns :class:`RulesModel` — columns #, Claim, Match type, Value, Role ARN; every cell but # is editable; rows are
inserted and removed through the mapping (so the 26th rule is refused by the same code that refuses it
everywhere, and :attr:`RulesModel.refused` says why), and reordered by drag and drop in the view (an internal
move carrying row numbers) or :meth:`moveRows`. :attr:`RulesModel.edited` fires after every change so the
preview can follow the edit. With no mapping (Token type, or none selected) the table is empty and read-only.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt, Signal

from cognito_desk.admin.rules import MATCH_TYPES, RULE_LIMIT_MESSAGE, RoleMapping, Rule

__all__ = ["RulesModel"]

MIME_TYPE = "application/x-cognito-desk-rule-rows"
COLUMNS = ("#", "Claim", "Match type", "Value", "Role ARN")
FIELDS = (None, "claim", "match_type", "value", "role_arn")
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class RulesModel(QAbstractTableModel):
    #: Anything changed (a cell, a row added, removed or moved).
    edited = Signal()
    #: An insertion was refused (the limit's message).
    refused = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.mapping: RoleMapping | None = None

    def set_mapping(self, mapping: RoleMapping | None) -> None:
        self.beginResetModel()
        self.mapping = mapping if mapping is not None and mapping.type == "Rules" else None
        self.endResetModel()

    @property
    def rules(self) -> list[Rule]:
        return self.mapping.rules if self.mapping is not None else []

    # --- reading ----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rules)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return str(section + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rules):
            return None
        rule, column = self.rules[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return str(index.row() + 1) if column == 0 else getattr(rule, FIELDS[column])
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return "Equals, Contains, StartsWith or NotEqual (case-sensitive; an array claim matches when any " \
                   "element does, NotEqual when none does)"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Rule {index.row() + 1}: {rule.claim} {rule.match_type} {rule.value} → {rule.role_arn}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if self.mapping is not None else Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        if index.column() > 0:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    # --- editing ----------------------------------------------------------------------------------
    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() == 0:
            return False
        text = str(value).strip()
        if index.column() == 2 and text not in MATCH_TYPES:
            return False
        setattr(self.rules[index.row()], FIELDS[index.column()], text)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        self.edited.emit()
        return True

    def insertRows(self, row: int, count: int, parent: Index = _ROOT) -> bool:
        if self.mapping is None or parent.isValid() or not 0 <= row <= len(self.rules) or count < 1:
            return False
        if count > self.mapping.room():
            self.refused.emit(RULE_LIMIT_MESSAGE)
            return False
        self.beginInsertRows(QModelIndex(), row, row + count - 1)
        for offset in range(count):
            self.mapping.add_rule(Rule(), at=row + offset)
        self.endInsertRows()
        self._renumber(row)
        self.edited.emit()
        return True

    def removeRows(self, row: int, count: int, parent: Index = _ROOT) -> bool:
        if parent.isValid() or count < 1 or row < 0 or row + count > len(self.rules):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        for _ in range(count):
            self.mapping.remove_rule(row)
        self.endRemoveRows()
        self._renumber(row)
        self.edited.emit()
        return True

    def moveRows(self, source_parent: Index, source_row: int, count: int, destination_parent: Index,
                 destination_child: int) -> bool:
        """Move one rule from ``source_row`` to before ``destination_child`` (Qt's convention; rules move singly)."""
        rows = len(self.rules)
        if (source_parent.isValid() or destination_parent.isValid() or count != 1 or not 0 <= source_row < rows
                or not 0 <= destination_child <= rows or destination_child in (source_row, source_row + 1)):
            return False
        if not self.beginMoveRows(QModelIndex(), source_row, source_row, QModelIndex(), destination_child):
            return False
        at = destination_child - 1 if destination_child > source_row else destination_child
        self.mapping.move_rule(source_row, at)
        self.endMoveRows()
        self._renumber(min(source_row, at))
        self.edited.emit()
        return True

    def _renumber(self, first: int) -> None:
        if first < len(self.rules):
            self.dataChanged.emit(self.index(first, 0), self.index(len(self.rules) - 1, 0),
                                  [Qt.ItemDataRole.DisplayRole])

    # --- drag and drop ----------------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        data = QMimeData()
        rows = sorted({index.row() for index in indexes if index.isValid()})
        data.setData(MIME_TYPE, QByteArray(",".join(map(str, rows)).encode()))
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        return self.mapping is not None and action == Qt.DropAction.MoveAction and data.hasFormat(MIME_TYPE)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        text = bytes(data.data(MIME_TYPE).data()).decode()
        rows = [int(part) for part in text.split(",") if part]
        if len(rows) != 1:  # the view selects whole single rows
            return False
        destination = row if row >= 0 else parent.row() if parent.isValid() else len(self.rules)
        self.moveRows(QModelIndex(), rows[0], 1, QModelIndex(), destination)
        return False  # the move is done: the view must not remove the source row
