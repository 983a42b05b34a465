"""A table model over a paged AWS listing: rows arrive a page at a time as the view scrolls near the end.

Owns :class:`PagedTableModel` and :class:`Column`. The model holds only the rows fetched so far;
``canFetchMore`` is true while the listing has a next token and no page is loading, and ``fetchMore``
starts the next page as a coroutine through the window's :class:`~cognito_desk.ui.tasks.Runner` (never
blocking the UI thread); the page's rows are appended when it arrives. :meth:`reset` starts over with a
new page source (another pool, a filter). A failed page is reported to the model's error banner with a
Retry that fetches that page again; rows already shown stay.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ..tasks import Operation, Runner
from ..widgets.error_banner import ErrorBanner

__all__ = ["Column", "PageSource", "PagedTableModel"]

Row = dict[str, Any]
#: ``await source(next_token)`` → (rows of the page, the next token or None at the end).
PageSource = Callable[[str | None], Coroutine[Any, Any, tuple[list[Row], str | None]]]
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Row], str]
    tooltip: Callable[[Row], str] | None = None


class PagedTableModel(QAbstractTableModel):
    #: Emitted after each page lands (with the number of rows it brought).
    page_loaded = Signal(int)
    #: Emitted when a page could not be fetched (after the error banner shows why).
    page_failed = Signal()

    def __init__(self, columns: Sequence[Column], runner: Runner, *, label: str = "Loading",
                 errors: ErrorBanner | None = None, parent=None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.runner = runner
        self.label = label
        self.errors = errors
        self.rows: list[Row] = []
        self._source: PageSource | None = None
        self._next: str | None = None
        self._more = False
        self._loading: Operation | None = None

    # --- what is loaded -------------------------------------------------------------------------
    def reset(self, source: PageSource | None) -> None:
        """Forget every row and start listing from ``source`` (None: empty, nothing to fetch)."""
        if self._loading is not None:
            self._loading.cancel()
            self._loading = None
        self.beginResetModel()
        self.rows = []
        self._source = source
        self._next = None
        self._more = source is not None
        self.endResetModel()

    @property
    def loading(self) -> bool:
        return self._loading is not None

    @property
    def complete(self) -> bool:
        return not self._more

    def row(self, index: _Index) -> Row:
        return self.rows[index.row()]

    def remove_where(self, predicate: Callable[[Row], bool]) -> int:
        """Drop the rows ``predicate`` picks (after a delete), keeping the rest and the paging position."""
        removed = 0
        for position in range(len(self.rows) - 1, -1, -1):
            if predicate(self.rows[position]):
                self.beginRemoveRows(QModelIndex(), position, position)
                del self.rows[position]
                self.endRemoveRows()
                removed += 1
        return removed

    # --- Qt's model interface --------------------------------------------------------------------
    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows) or index.column() >= len(self.columns):
            return None
        column, row = self.columns[index.column()], self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.columns)):
            return self.columns[section].title
        return None

    def canFetchMore(self, parent: _Index = _ROOT) -> bool:
        return not parent.isValid() and self._more and self._loading is None

    def fetchMore(self, parent: _Index = _ROOT) -> None:
        if not self.canFetchMore(parent) or self._source is None:
            return
        source, token = self._source, self._next

        operation: Operation | None = None

        def settled() -> None:
            if self._loading is operation:  # not a newer page's marker, after a reset
                self._loading = None

        def landed(page: tuple[list[Row], str | None]) -> None:
            if source is not self._source:  # reset meanwhile
                return
            rows, self._next = page
            self._more = self._next is not None
            if rows:
                self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
                self.rows.extend(rows)
                self.endInsertRows()
            self.page_loaded.emit(len(rows))

        def failed(error: BaseException) -> None:
            if self.errors is not None:
                self.errors.show_error(error, label=self.label, retry=self.fetchMore)
            self.page_failed.emit()

        operation = self._loading = self.runner.run(source(token), label=self.label, on_success=landed,
                                                    on_failure=failed, on_settled=settled)
