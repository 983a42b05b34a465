"""The call timeline of a run as a table: request, step, duration, Logins key, amr of the Cognito token, result,
details (a user pool's role claims).

Owns :class:`TimelineModel`, a read-only Qt table model over the plain :class:`~cognito_desk.flows.timeline.Call`
list of a run; a failed call's row is marked so the failing request stands out.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from ...flows.timeline import Call
from ..models.rows import ParentIndex, RowsTableModel

__all__ = ["TimelineModel"]

COLUMNS = ("Request", "Step", "Duration", "Logins sent", "amr", "Result", "Details")


class TimelineModel(RowsTableModel):
    COLUMNS = COLUMNS

    @property
    def calls(self) -> list[Call]:
        return self.rows

    def set_calls(self, calls: list[Call]) -> None:
        self.set_rows(calls)

    def data(self, index: ParentIndex, role: int = Qt.ItemDataRole.DisplayRole):
        call = self.row_at(index)
        if call is None:
            return None
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
