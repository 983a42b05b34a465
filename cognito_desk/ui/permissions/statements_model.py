"""The statements table of the Permissions view: one row per statement, with this identity's values in.

Owns :class:`StatementsModel` (a ``QAbstractTableModel``): policy and statement number (Sid), effect, the
statement as this identity sees it (:class:`~cognito_desk.admin.permissions.StatementView`) and, after an
access check, whether it applied and why not — the deciding statements are bold on a highlighted row.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ...admin.permissions import StatementView
from ...core.permissions import Evaluation
from ...core.permissions.evaluate import StatementCheck

HEADERS = ("Statement", "Effect", "For this identity", "In the last check")
_DECIDING = QColor(255, 214, 102, 110)
Index = QModelIndex | QPersistentModelIndex


class StatementsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[StatementView] = []
        self.checks: dict[tuple[str, str, int], StatementCheck] = {}
        self.deciding: set[tuple[str, str, int]] = set()

    def set_statements(self, rows: list[StatementView]) -> None:
        self.beginResetModel()
        self.rows, self.checks, self.deciding = list(rows), {}, set()
        self.endResetModel()

    def set_check(self, evaluation: Evaluation | None) -> None:
        self.checks = {(c.kind, c.policy, c.index): c for c in evaluation.statements} if evaluation else {}
        self.deciding = {(c.kind, c.policy, c.index) for c in evaluation.deciding} if evaluation else set()
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(HEADERS) - 1))

    def deciding_rows(self) -> list[int]:
        return [n for n, row in enumerate(self.rows) if self._key(row) in self.deciding]

    @staticmethod
    def _key(row: StatementView) -> tuple[str, str, int]:
        return row.kind, row.policy, row.index

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and section < len(HEADERS):
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        key = self._key(row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(row, index.column(), role == Qt.ItemDataRole.ToolTipRole)
        if role == Qt.ItemDataRole.BackgroundRole and key in self.deciding:
            return QBrush(_DECIDING)
        if role == Qt.ItemDataRole.FontRole and key in self.deciding:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, row: StatementView, column: int, tooltip: bool) -> str:
        if column == 0:
            return row.label + (" (session policy)" if row.kind == "session" else "")
        if column == 1:
            return row.effect
        if column == 2:
            missing = f" — no value for {', '.join(row.unresolved)}" if row.unresolved else ""
            return row.summary + missing
        check = self.checks.get(self._key(row))
        if check is None:
            return ""
        if check.applies:
            return ("DECIDES: " if self._key(row) in self.deciding else "applies: ") + row.effect
        return check.reason if tooltip or len(check.reason) < 90 else check.reason[:87] + "…"
