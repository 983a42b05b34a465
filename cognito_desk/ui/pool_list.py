"""The list of identity pools of the current connection, with a filter box, paged lazily.

Owns :class:`PoolList`: a :class:`~.models.paged.PagedTableModel` over ``ListIdentityPools`` (60 a page,
no upper limit; the next page loads as the view nears the end) behind a case-insensitive filter on
name and ID, an error banner for a failed page, and an empty state. It emits :attr:`PoolList.selected`
with the pool's row (``IdentityPoolId``, ``IdentityPoolName``) or None, and can re-select a pool by ID
once its page has arrived (:meth:`select_pool`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from .icons import icon
from .models.paged import Column, PagedTableModel
from .tasks import Runner
from .widgets.error_banner import ErrorBanner
from .widgets.line_edit import name_inner_buttons

if TYPE_CHECKING:
    from ..backend import Connection

__all__ = ["PoolList"]

PAGE_SIZE = 60
COLUMNS = [Column("Name", lambda row: row["IdentityPoolName"], lambda row: row["IdentityPoolName"]),
           Column("ID", lambda row: row["IdentityPoolId"], lambda row: row["IdentityPoolId"])]


def _pages(connection: Connection):
    async def page(token: str | None):
        answer = await connection.identity.list_identity_pools(max_results=PAGE_SIZE, next_token=token)
        return list(answer.get("IdentityPools", [])), answer.get("NextToken")
    return page


class PoolList(QWidget):
    selected = Signal(object)

    def __init__(self, runner: Runner, parent=None) -> None:
        super().__init__(parent)
        self.errors = ErrorBanner(name="Pool list error")
        self.model = PagedTableModel(COLUMNS, runner, label="Loading identity pools", errors=self.errors,
                                     parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter pools by name or ID")
        self.filter.setAccessibleName("Filter pools")
        self.filter.setClearButtonEnabled(True)
        self.filter.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition).setText("Filter")
        name_inner_buttons(self.filter)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        # A table, not a tree: QTreeView fetches every page as soon as one lands; a table asks for the next
        # page only when it is scrolled near the end.
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAccessibleName("Identity pools")
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setColumnWidth(0, 150)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.empty = QLabel("No identity pools on this connection yet.\nPool ▸ New pool… (Ctrl+N) creates one.")
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("No pools")
        self.empty.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.filter)
        box.addWidget(self.errors)
        box.addWidget(self.view, 1)
        box.addWidget(self.empty, 1)
        self._pending: str | None = None
        self.model.page_loaded.connect(self._page_loaded)
        self.model.modelReset.connect(self._update_empty)

    def show_connection(self, connection: Connection | None, *, select: str | None = None,
                        keep: bool = False) -> None:
        """List the pools of ``connection`` from the first page; re-select ``select`` when it arrives. With
        ``keep``, the selection is not cleared meanwhile (only if ``select`` turns out to be gone)."""
        self._pending = select
        self.errors.clear()
        self.model.reset(_pages(connection) if connection is not None else None)
        if not (keep and select):
            self.selected.emit(None)
        if connection is not None:
            self.model.fetchMore()

    def refresh(self, connection: Connection | None, *, select: str | None = None) -> None:
        """List the pools again (after a save, create or delete) and select ``select`` or the pool selected now —
        the selection stays meanwhile, so the tabs keep what they show."""
        current = self.current_pool()
        self.show_connection(connection, select=select or (current["IdentityPoolId"] if current else None),
                             keep=True)

    def current_pool(self) -> dict | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.model.row(self.proxy.mapToSource(index))

    def select_pool(self, pool_id: str) -> bool:
        for position, row in enumerate(self.model.rows):
            if row["IdentityPoolId"] == pool_id:
                index = self.proxy.mapFromSource(self.model.index(position, 0))
                if index.isValid():
                    flags = QItemSelectionModel.SelectionFlag
                    self.view.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
                    self.view.scrollTo(index)
                    return True
        return False

    def _page_loaded(self, _: int) -> None:
        self._update_empty()
        if self._pending is not None:
            if self.select_pool(self._pending):
                self._pending = None
            elif not self.model.complete:
                self.model.fetchMore()  # keep paging until the remembered pool appears
            else:
                self._pending = None
                self.selected.emit(None)  # gone (deleted elsewhere): nothing is selected any more

    def _update_empty(self) -> None:
        empty = self.model.complete and not self.model.rows and not self.model.loading
        self.empty.setVisible(empty)
        self.view.setVisible(not empty)

    def _current_changed(self, current: QModelIndex, _: QModelIndex) -> None:
        self.selected.emit(self.model.row(self.proxy.mapToSource(current)) if current.isValid() else None)
