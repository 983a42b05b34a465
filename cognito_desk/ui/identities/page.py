"""The Identities tab: a lazily paged table of the pool's identities, find by ID, details, delete many.

Owns :class:`IdentitiesPage`. The table is a :class:`~cognito_desk.ui.models.paged.PagedTableModel` over
``ListIdentities`` (60 a page; the next page loads only as the view nears the end, so nothing loads the whole pool)
with the columns of :mod:`cognito_desk.admin.identities`; each listing (another pool, Hide disabled toggled,
Refresh) gets a model of its own, so a page still arriving for the previous listing can never land in the new one. A
pool is listed when the tab is first shown, not before (:class:`~cognito_desk.ui.pages.PoolTab`). "Find" checks the
ID with the model, then shows it in the details pane (``DescribeIdentity``). Delete asks first, naming how many,
then runs :class:`~cognito_desk.admin.identities.Deletion` (batches of 60) with a progress strip and Stop; the rows
that were deleted leave the table, the others stay. The pool's developer provider (``DescribeIdentityPool``, shared
through the pool state) tells the details pane whether developer identifiers exist. Hide disabled is remembered.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...admin.identities import COLUMNS, Deletion, count_text, identity_id_problems, identity_pages
from ..context import AppContext
from ..icons import icon
from ..models.paged import Column, PagedTableModel
from ..pages import PoolRef, PoolTab
from ..tasks import Operation
from ..widgets.error_banner import ErrorBanner
from ..widgets.line_edit import name_inner_buttons
from .confirm import ask
from .deletion import DeletionBar
from .details import IdentityDetailsPane

__all__ = ["IdentitiesPage"]

PREF_HIDE_DISABLED = "identities/hideDisabled"
_COLUMNS = [Column(c.title, c.text, c.tooltip) for c in COLUMNS]


class IdentitiesPage(PoolTab, QWidget):
    def __init__(self, ctx: AppContext, window) -> None:
        super().__init__()
        self.ctx, self.window, self.runner = ctx, window, ctx.runner
        self.setAccessibleName("Identities")
        self.pool: PoolRef | None = None
        self.developer_provider: str | None = None
        self.model: PagedTableModel | None = None
        self.confirmation = None
        self._listed: PoolRef | None = None  # the pool the table lists (None: not yet, or nothing)
        self._deleting: Operation | None = None
        self.errors = ErrorBanner(name="Identities error")
        self._build_toolbar()
        self.view = QTableView()
        self.view.setAccessibleName("Identities")
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.delete_action = QAction(icon("delete"), "Delete selected identities…", self.view)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self.ask_delete)
        self.view.addAction(self.delete_action)
        self.empty = QLabel()
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("No identities")
        self.empty.hide()
        self.details = IdentityDetailsPane(self.runner)
        self.details.changed.connect(self._developer_change)
        self.deletion_bar = DeletionBar()
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("Last action")
        self.outcome.hide()
        table = QWidget()
        table_box = QVBoxLayout(table)
        table_box.setContentsMargins(0, 0, 0, 0)
        table_box.addWidget(self.view, 1)
        table_box.addWidget(self.empty, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("identitiesSplitter")
        self.splitter.addWidget(table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setCollapsible(0, False)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 6, 0, 0)
        box.addLayout(self.toolbar)
        box.addWidget(self.find_problem)
        box.addWidget(self.errors)
        box.addWidget(self.deletion_bar)
        box.addWidget(self.outcome)
        box.addWidget(self.splitter, 1)
        self.find_identity_action = QAction(icon("search"), "Find &identity by ID…", self)
        self.find_identity_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.find_identity_action.setProperty("needsPool", True)
        self.find_identity_action.setEnabled(False)
        self.find_identity_action.triggered.connect(self.focus_find)
        window.pool_menu.addAction(self.find_identity_action)
        self._set_model(None)

    def _build_toolbar(self) -> None:
        self.find_field = QLineEdit()
        self.find_field.setAccessibleName("Find identity by ID")
        self.find_field.setPlaceholderText("Find an identity by ID, e.g. us-east-1:0f3b1a7e-…")
        self.find_field.setClearButtonEnabled(True)
        name_inner_buttons(self.find_field)
        self.find_field.returnPressed.connect(self.find)
        self.find_field.textChanged.connect(lambda _: self.find_problem.hide())
        self.find_button = QPushButton(icon("search"), "Find")
        self.find_button.setAccessibleName("Find the identity")
        self.find_button.clicked.connect(self.find)
        self.find_problem = QLabel()
        self.find_problem.setObjectName("errorTitle")
        self.find_problem.setWordWrap(True)
        self.find_problem.setAccessibleName("Identity ID problem")
        self.find_problem.hide()
        self.hide_disabled = QCheckBox("Hide disabled")
        self.hide_disabled.setAccessibleName("Hide disabled identities")
        self.hide_disabled.setToolTip("ListIdentities HideDisabled: leave out identities disabled by a merge")
        self.hide_disabled.setChecked(str(self.ctx.prefs.value(PREF_HIDE_DISABLED, "false")).lower() == "true")
        self.hide_disabled.toggled.connect(self._hide_disabled_toggled)
        self.refresh_button = QToolButton()
        self.refresh_button.setIcon(icon("refresh"))
        self.refresh_button.setAccessibleName("Reload the identities")
        self.refresh_button.setToolTip("List the identities again from the first page")
        self.refresh_button.clicked.connect(self.refresh)
        self.delete_button = QPushButton(icon("delete"), "Delete…")
        self.delete_button.setAccessibleName("Delete the selected identities")
        self.delete_button.setToolTip("DeleteIdentities, 60 per call (Delete)")
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.ask_delete)
        self.count_label = QLabel()
        self.count_label.setObjectName("poolSubheader")
        self.count_label.setAccessibleName("Identities loaded")
        self.toolbar = QHBoxLayout()
        self.toolbar.addWidget(self.find_field, 2)
        self.toolbar.addWidget(self.find_button)
        self.toolbar.addSpacing(12)
        self.toolbar.addWidget(self.hide_disabled)
        self.toolbar.addWidget(self.refresh_button)
        self.toolbar.addStretch(1)
        self.toolbar.addWidget(self.count_label)
        self.toolbar.addWidget(self.delete_button)

    # --- the pool ----------------------------------------------------------------------------------------
    def clear(self) -> None:
        self.developer_provider, self._listed = None, None
        self.errors.clear()
        self.outcome.hide()
        self.find_problem.hide()
        self.details.show_pool(self.pool)
        self._set_model(None)

    def load(self, pool: PoolRef) -> None:
        """List the pool (the tab is shown for the first time since it was selected)."""
        self._listed = pool

        def known(described: dict) -> None:
            self.developer_provider = described.get("DeveloperProviderName")
            self.details.show_pool(pool, self.developer_provider)

        self.run(pool.state.pool(), label="Reading the pool", on_success=known, errors=self.errors)
        self._relist()

    def refresh(self) -> None:
        self._relist()

    def _hide_disabled_toggled(self, hide: bool) -> None:
        self.ctx.prefs.setValue(PREF_HIDE_DISABLED, hide)
        self._relist()

    def _relist(self) -> None:
        if self.pool is None or self._listed is None:
            return
        source = identity_pages(self.pool.connection.identity, self.pool.pool_id,
                                hide_disabled=self.hide_disabled.isChecked())
        self._set_model(source)
        self.model.fetchMore()

    def _set_model(self, source) -> None:
        """A new model for a new listing (see the module docstring); the old one is stopped and dropped."""
        old, old_selection = self.model, self.view.selectionModel()
        if old is not None:
            old.reset(None)
        self.model = PagedTableModel(_COLUMNS, self.runner, label="Loading identities", errors=self.errors,
                                     parent=self)
        self.model.reset(source)
        self.model.page_loaded.connect(lambda _: self._update_state())
        self.model.rowsRemoved.connect(lambda *_: self._update_state())
        self.view.setModel(self.model)
        for column, width in enumerate((335, 130, 170, 170)):
            self.view.setColumnWidth(column, width)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        for gone in (old, old_selection):
            if gone is not None:
                gone.deleteLater()
        self._update_state()

    def _update_state(self) -> None:
        model = self.model
        listed = self._listed is not None
        empty = listed and model.complete and not model.rows and not model.loading
        hidden = "enabled " if self.hide_disabled.isChecked() else ""
        self.empty.setText(f"No {hidden}identities in this pool yet. They appear once someone signs in "
                           "(GetId), or your backend calls GetOpenIdTokenForDeveloperIdentity.")
        self.empty.setVisible(empty)
        self.view.setVisible(not empty)
        if not listed:
            self.count_label.setText("")
        elif model.complete:
            self.count_label.setText(count_text(len(model.rows)))
        else:
            self.count_label.setText(f"{len(model.rows)} loaded — scroll for more")
        self._selection_changed()

    # --- selection, find -----------------------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [self.model.rows[row]["IdentityId"] for row in rows]

    def _selection_changed(self, *_: QItemSelection) -> None:
        count = len(self.view.selectionModel().selectedRows()) if self.view.selectionModel() else 0
        self.delete_button.setEnabled(count > 0 and self._deleting is None)
        self.delete_button.setText(f"Delete {count}…" if count > 1 else "Delete…")

    def _current_changed(self, current: QModelIndex, _: QModelIndex) -> None:
        if current.isValid():
            self.details.show_identity(self.model.row(current)["IdentityId"])

    def focus_find(self) -> None:
        tabs = self.window.tabs
        tabs.setCurrentWidget(self)
        self.find_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_field.selectAll()

    def find(self) -> None:
        identity_id = self.find_field.text().strip()
        problems = identity_id_problems(identity_id)
        if problems:
            self.find_problem.setText("\n".join(problems))
            self.find_problem.show()
            return
        self.find_problem.hide()
        for position, row in enumerate(self.model.rows):
            if row["IdentityId"] == identity_id:  # loaded already: select it (the details follow)
                self.view.selectRow(position)
                self.view.scrollTo(self.model.index(position, 0))
                return
        self.view.clearSelection()
        self.details.show_identity(identity_id)

    # --- delete --------------------------------------------------------------------------------------
    def ask_delete(self) -> None:
        ids = self.selected_ids()
        if not ids or self.pool is None or self._deleting is not None:
            return
        deletion = Deletion(ids)
        self.confirmation = ask(self, "Delete identities", deletion.question(), f"Delete {count_text(deletion.total)}",
                                lambda: self._delete(deletion))

    def _delete(self, deletion: Deletion) -> None:
        pool, model = self.pool, self.model
        if pool is None:
            return
        self.outcome.hide()
        self.deletion_bar.start(deletion)

        def settled() -> None:
            operation = self._deleting
            self._deleting = None
            self.deletion_bar.finish()
            gone = set(deletion.deleted)
            if model is self.model and gone:
                model.remove_where(lambda row: row["IdentityId"] in gone)
            if self.details.details is not None and self.details.details.identity_id in gone:
                self.details.clear()
            said = deletion.outcome()
            if operation is not None and operation.cancelled and not deletion.finished:
                said += " The call in flight was cancelled: it may or may not have deleted its batch — reload to see."
            self._say(said)

        self._deleting = self.runner.run(deletion.run(pool.connection.identity, on_batch=self.deletion_bar.advance),
                                         label=f"Deleting {count_text(deletion.total)}", errors=self.errors,
                                         on_settled=settled)
        self._selection_changed()

    # --- after changes -------------------------------------------------------------------------------
    def _developer_change(self, said: str) -> None:
        self._say(f"{said} The list shows what was loaded before; reload it to see the change.")

    def _say(self, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.show()
        self.window.status.showMessage(text, 8000)
