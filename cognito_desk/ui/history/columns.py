"""How the runs table spends its width: each column as wide as its content, on one line.

Owns :func:`size_history_columns`: dates, outcomes, names and durations take the width their content needs;
the pool and identity IDs get room for their start and end and are elided in the middle (their tooltips carry
the whole ID, :class:`~.model.RunsModel`); the assumed role takes what is left. Nothing wraps onto a second line.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableView

__all__ = ["size_history_columns"]

#: Columns of :class:`~.model.RunsModel` holding IDs (pool, identity), and the role column that stretches.
ID_COLUMNS = (4, 5)
ROLE_COLUMN = 6
#: How many characters of an ID stay visible ("us-east-1:0f3b…c41e").
ID_CHARACTERS = 24


def size_history_columns(table: QTableView) -> None:
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    id_width = table.fontMetrics().horizontalAdvance("0" * ID_CHARACTERS)
    for column in ID_COLUMNS:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, id_width)
    header.setSectionResizeMode(ROLE_COLUMN, QHeaderView.ResizeMode.Stretch)
