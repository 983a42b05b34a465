"""Qt item models of the history panel: the runs table and the compare table, over plain records.

Owns :class:`RunsModel` (one row per :class:`~cognito_desk.scenarios.record.RunRecord`: when, outcome,
provider, persona, pool, identity, assumed role, duration; failed runs painted in the error colour with the
failed step as tooltip; the pool and identity IDs, which the table elides, whole in their tooltips) and
:class:`CompareModel` (the rows of
:func:`~cognito_desk.scenarios.compare.compare_runs`; a row whose runs differ is bold on a highlight
background, and says "differs" to assistive technology).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ...scenarios.compare import Difference
from ...scenarios.record import RunRecord
from ..models.rows import ParentIndex, RowsTableModel

__all__ = ["CompareModel", "RunsModel"]

FAILED = QColor("#c0392b")
DIFFERS = QColor("#fff1c2")


def _role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1] if arn else ""


def _outcome(record: RunRecord) -> str:
    if record.passed:
        return "passed"
    if not record.ok:
        return f"FAILED ({record.outcome})"
    keys = dict.fromkeys(text.split(":", 1)[0] for text in record.expectation_failures)
    return f"FAILED (expected {', '.join(keys)})"


class RunsModel(RowsTableModel):
    COLUMNS = ("Started", "Outcome", "Provider", "Persona", "Pool", "Identity", "Assumed role", "Duration")

    @property
    def records(self) -> list[RunRecord]:
        return self.rows

    def set_records(self, records: list[RunRecord]) -> None:
        self.set_rows(records)

    def _text(self, record: RunRecord, column: int) -> str:
        return [
            datetime.fromtimestamp(record.started_at).strftime("%Y-%m-%d %H:%M:%S"),
            _outcome(record),
            record.provider if record.source == "tester" else f"{record.provider} · {record.source}",
            record.persona or "private", record.pool_id, record.identity_id, _role_name(record.assumed_role),
            f"{record.duration_ms / 1000:.2f} s",
        ][column]

    def data(self, index: ParentIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.row_at(index)
        if record is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(record, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() in (4, 5):  # shown elided in the middle: the whole ID here
                return self._text(record, index.column()) or None
            if index.column() == 6:
                return record.assumed_role or None
            if not record.passed:
                return "\n".join([*record.expectation_failures,
                                  f"{record.failed_step}: {record.error_message}" if record.error_code else ""]).strip()
        if role == Qt.ItemDataRole.ForegroundRole and not record.passed:
            return QBrush(FAILED)
        if role == Qt.ItemDataRole.UserRole:
            return record.id
        return None


class CompareModel(RowsTableModel):
    COLUMNS = ("Section", "What", "Run A", "Run B")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.titles = ("Run A", "Run B")

    def set_rows(self, rows: list[Difference], titles: tuple[str, str] = ("Run A", "Run B")) -> None:
        self.titles = titles
        super().set_rows(rows)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return (*self.COLUMNS[:2], *self.titles)[section]
        return super().headerData(section, orientation, role)

    def data(self, index: ParentIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.section, row.label, row.left, row.right)[index.column()]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = (row.section, row.label, row.left, row.right)[index.column()]
            return f"{text} (differs)" if row.differs and index.column() >= 2 else text
        if role == Qt.ItemDataRole.BackgroundRole and row.differs:
            return QBrush(DIFFERS)
        if role == Qt.ItemDataRole.ForegroundRole and row.differs:
            return QBrush(QColor("#1d2733"))
        if role == Qt.ItemDataRole.FontRole and row.differs:
            font = QFont()
            font.setBold(True)
            return font
        return None
