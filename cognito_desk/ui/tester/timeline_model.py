"""The call timeline of a run as a table: request, step, duration, Logins key, amr of the Cognito token, result,
details (a user pool's role claims).

Owns :class:`TimelineModel`, a read-only Qt table model over the plain :class:`~cognito_desk.flows.timeline.Call`
list of a run; a failed call's row is marked so the failing request stands out.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ...flows.timeline import Call

__all__ = ["TimelineModel"]

_ParentIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
COLUMNS = ("Request", "Step", "Duration", "Logins sent", "amr", "Result", "Details")


class TimelineModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.calls: list[Call] = []

    def set_calls(self, calls: list[Call]) -> None:
        self.beginResetModel()
        self.calls = list(calls)
        self.endResetModel()

    def rowCount(self, parent: _ParentIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.calls)

    def columnCount(self, parent: _ParentIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(
                COLUMNS):
            return COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index: _ParentIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.calls):
            return None
        call = self.calls[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(call, index.column(), role == Qt.ItemDataRole.ToolTipRole)
        if role == Qt.ItemDataRole.ForegroundRole and not call.ok:
            return QBrush(QColor("#b3261e"))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(call: Call, column: int, tooltip: bool) -> str:
        if column == 0:
            return call.name
        if column == 1:
            return call.step
        if column == 2:
            return f"{call.duration_ms:.0f} ms"
        if column == 3:
            return ", ".join(call.logins_keys) if call.logins_sent else "no Logins"
        if column == 4:
            return ", ".join(call.amr)
        if column == 6:
            return call.note
        if call.cancelled:
            return "cancelled"
        if call.error:
            return call.error if tooltip else call.error.split(":", 1)[0]
        return "ok"
