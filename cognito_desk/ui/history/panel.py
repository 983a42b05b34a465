"""The History tab: every tester and scenario run kept locally — filter, open, re-run, compare, export, save.

Owns :class:`HistoryPage` (a :class:`~cognito_desk.ui.pages.PoolPage`): filters by pool (following the
selected pool, "All pools" to see every one), provider, persona and outcome over the
:class:`~cognito_desk.scenarios.history.HistoryStore`; the runs table (newest first); the selected run's
report (the same HTML as the exported one) or, with two runs selected, the compare table with differences
highlighted; actions Open, Re-run (handed to the tester through :attr:`HistoryPage.rerun_requested`),
Compare, Export JSON / HTML, Save as scenario, Delete. :meth:`record_run` keeps a tester run. File and
database work goes through the runner's ``run_blocking``; errors show in the page's banner.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...flows.run import RunResult
from ...scenarios.compare import compare_runs
from ...scenarios.history import HistoryFilter, HistoryStore, history_path
from ...scenarios.record import RunRecord, record_of
from ...scenarios.reports import html_report, json_report
from ...scenarios.saving import reference_fields, scenario_text
from ..context import AppContext
from ..icons import icon
from ..pages import PoolRef
from ..tasks import Operation
from ..widgets.error_banner import ErrorBanner
from .columns import size_history_columns
from .model import CompareModel, RunsModel
from .references_dialog import ReferencesDialog

__all__ = ["HistoryPage"]

ALL = ""
FILTERS = (("pool_id", "All pools", "Filter by pool"), ("provider", "All providers", "Filter by provider"),
           ("persona", "All personas", "Filter by persona"), ("outcome", "All outcomes", "Filter by outcome"))


class _LazyStore:
    """The page's :class:`HistoryStore`, opened by the first worker that needs it. Worker closures capture this
    plain object, never the page: a widget wrapper released on a worker thread would be destroyed there."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._store: HistoryStore | None = None
        self._lock = threading.Lock()

    def get(self) -> HistoryStore:
        with self._lock:
            if self._store is None:
                self._store = HistoryStore(self.path)
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


class HistoryPage(QWidget):
    #: The user asked to run a recorded run again (its RunRecord).
    rerun_requested = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, path: Path | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Run history")
        self.path = path or history_path(ctx.settings_file.path.parent)
        #: Opened on first use in a worker thread; closures run there never hold a widget (see _LazyStore).
        self.store = _LazyStore(self.path)
        self.runs = RunsModel(self)
        self.compare_model = CompareModel(self)
        self._loading: Operation | None = None
        self._build()
        self.reload()

    def _build(self) -> None:
        self.errors = ErrorBanner(self, name="History error")
        self.filters: dict[str, QComboBox] = {}
        bar = QHBoxLayout()
        for key, everything, name in FILTERS:
            box = QComboBox(self)
            box.setAccessibleName(name)
            box.setToolTip(name)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)  # pool names and IDs run long: never widen the window for them
            box.addItem(everything, ALL)
            box.currentIndexChanged.connect(self.reload)
            self.filters[key] = box
            bar.addWidget(box)
        bar.addStretch(1)
        self.table = QTableView(self)
        self.table.setAccessibleName("Runs")
        self.table.setModel(self.runs)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        size_history_columns(self.table)
        self.table.verticalHeader().hide()
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated.connect(lambda _index: self.open_selected())  # Enter or double-click
        actions = QHBoxLayout()
        self.open_button = self._button("Open", "Show the selected run's report (Enter)", "search", self.open_selected)
        self.rerun_button = self._button("Re-run", "Run the selected run again in the tester (Ctrl+Shift+Return)",
                                         "tester-run", self.rerun_selected, QKeySequence("Ctrl+Shift+Return"))
        self.compare_button = self._button("Compare", "Compare the two selected runs side by side", "copy",
                                           self.compare_selected)
        self.json_button = self._button("Export JSON…", "Export the selected runs (or all shown) as JSON", "export",
                                        lambda: self._ask_file("json"))
        self.html_button = self._button("Export HTML…", "Export a self-contained HTML report", "export",
                                        lambda: self._ask_file("html"))
        self.save_button = self._button("Save as scenario…", "Save the selected run as a scenario file", "add",
                                        self.save_selected_as_scenario)
        self.delete_button = self._button("Delete", "Forget the selected runs (Del in the list)", "delete",
                                          self.delete_selected)
        delete = QAction("Delete runs", self.table)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        delete.triggered.connect(self.delete_selected)
        self.table.addAction(delete)
        for button in (self.open_button, self.rerun_button, self.compare_button, self.json_button, self.html_button,
                       self.save_button, self.delete_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.only_differences = QCheckBox("Only differences", self)
        self.only_differences.setAccessibleName("Compare: only differences")
        self.only_differences.setToolTip("Compare: show only the rows where the two runs differ")
        self.only_differences.toggled.connect(self.compare_selected)
        actions.addWidget(self.only_differences)
        self.summary = QLabel(self)
        self.summary.setAccessibleName("History summary")
        self.report = QTextBrowser(self)
        self.report.setAccessibleName("Run report")
        self.report.setOpenLinks(False)
        self.compare_view = QTableView(self)
        self.compare_view.setAccessibleName("Compared runs")
        self.compare_view.setModel(self.compare_model)
        self.compare_view.verticalHeader().hide()
        self.compare_view.horizontalHeader().setStretchLastSection(True)
        self.detail = QStackedWidget(self)
        self.detail.setAccessibleName("Run details")
        self.detail.addWidget(self.report)
        self.detail.addWidget(self.compare_view)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        box = QVBoxLayout(self)
        box.addWidget(self.errors)
        box.addLayout(bar)
        box.addLayout(actions)
        box.addWidget(self.summary)
        box.addWidget(split, 1)
        self._selection_changed()

    def _button(self, text: str, tip: str, icon_name: str, slot, shortcut: QKeySequence | None = None) -> QPushButton:
        button = QPushButton(icon(icon_name), text, self)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        button.clicked.connect(slot)
        if shortcut is not None:
            button.setShortcut(shortcut)
        return button

    # --- loading -----------------------------------------------------------------------------------
    def current_filter(self) -> HistoryFilter:
        return HistoryFilter(**{key: str(box.currentData() or "") for key, box in self.filters.items()})

    def reload(self) -> None:
        """Load the runs the filters select; a load still under way is cancelled (its answer never lands)."""
        wanted = self.current_filter()
        if self._loading is not None:
            self._loading.cancel()

        lazy, keys = self.store, list(self.filters)

        def load() -> tuple[list[RunRecord], dict[str, list[str]]]:
            store = lazy.get()
            return store.list(wanted), {key: store.values(key) for key in keys}

        self._loading = self.ctx.runner.run_blocking(load, label="Loading the run history", errors=self.errors,
                                                     on_success=self._show)

    def _show(self, loaded: tuple[list[RunRecord], dict[str, list[str]]]) -> None:
        records, values = loaded
        for key, box in self.filters.items():
            current = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            if key == "outcome":
                box.addItem("Passed / succeeded", "success")
                box.addItem("Failed", "failed")
            for value in values[key]:
                if box.findData(value) < 0:
                    box.addItem(value, value)
            if current and box.findData(current) < 0:
                box.addItem(current, current)
            box.setCurrentIndex(max(0, box.findData(current)))
            box.blockSignals(False)
        chosen = {r.id for r in self.selected()}
        self.runs.set_records(records)
        selection = self.table.selectionModel()
        for row, record in enumerate(records):
            if record.id in chosen:
                selection.select(self.runs.index(row, 0), selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
        failed = sum(1 for r in records if not r.passed)
        self.summary.setText(f"{len(records)} run{'s' if len(records) != 1 else ''} shown, {failed} failed.")
        self._selection_changed()

    def show_pool(self, pool: PoolRef | None) -> None:
        box = self.filters["pool_id"]
        if pool is None:
            return
        if box.findData(pool.pool_id) < 0:
            box.addItem(pool.pool_id, pool.pool_id)
        box.setCurrentIndex(box.findData(pool.pool_id))

    def record_run(self, result: RunResult, persona: str = "") -> None:
        """Keep a tester run (the connection's name from its provider client)."""
        record = record_of(result, connection=result.request.client.connection, persona=persona)
        lazy = self.store
        self.ctx.runner.run_blocking(lambda: lazy.get().add(record), label="Recording the run",
                                     errors=self.errors, on_success=lambda _: self.reload())

    def say(self, text: str) -> None:
        """A one-line note above the runs (what an action did, or why it could not)."""
        self.summary.setText(text)

    # --- selection and actions ---------------------------------------------------------------------
    def selected(self) -> list[RunRecord]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.runs.records[row] for row in rows if row < len(self.runs.records)]

    def _selection_changed(self, *_args) -> None:
        count = len(self.selected())
        for button in (self.open_button, self.rerun_button, self.save_button):
            button.setEnabled(count == 1)
        self.compare_button.setEnabled(count == 2)
        self.delete_button.setEnabled(count > 0)
        for button in (self.json_button, self.html_button):
            button.setEnabled(bool(self.runs.records))
        if count == 1:
            self.open_selected()
        elif count == 2:
            self.compare_selected()

    def open_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1:
            return
        self.report.setHtml(html_report(chosen, title="Run report"))
        self.detail.setCurrentWidget(self.report)

    def compare_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) != 2:
            return
        older, newer = sorted(chosen, key=lambda r: r.started_at)
        rows = compare_runs(older, newer)
        if self.only_differences.isChecked():
            rows = [row for row in rows if row.differs]
        self.compare_model.set_rows(rows, (f"Run A (#{older.id})", f"Run B (#{newer.id})"))
        self.compare_view.resizeColumnsToContents()
        self.detail.setCurrentWidget(self.compare_view)

    def rerun_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) == 1:
            self.rerun_requested.emit(chosen[0])

    def delete_selected(self) -> None:
        ids = [r.id for r in self.selected() if r.id is not None]
        if ids:
            lazy = self.store
            self.ctx.runner.run_blocking(lambda: lazy.get().delete(ids), label="Deleting runs", errors=self.errors,
                                         on_success=lambda _: self.reload())

    def save_selected_as_scenario(self):
        """Ask where the login fields' values come from (when the run filled any), then where to save; returns the
        references dialog, or None when there is nothing to ask (tests fill it in and accept it)."""
        chosen = self.selected()
        if len(chosen) != 1:
            return None
        fields = reference_fields(chosen[0])
        if not fields:
            self._ask_file("toml")
            return None
        dialog = ReferencesDialog(fields, self)
        dialog.accepted.connect(lambda: self._ask_file("toml", dialog.references()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _ask_file(self, kind: str, references: dict[str, str] | None = None) -> None:
        names = {"json": ("runs.json", "JSON (*.json)"), "html": ("runs.html", "HTML report (*.html)"),
                 "toml": ("scenario.cdscenario", "Scenario (*.cdscenario *.toml)")}
        default, pattern = names[kind]
        dialog = QFileDialog(self, "Save as scenario" if kind == "toml" else f"Export {kind.upper()}",
                             str(Path.home() / default), pattern)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setAccessibleName(dialog.windowTitle())
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path), kind, references))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def export_to(self, path: Path, kind: str, references: dict[str, str] | None = None) -> None:
        """Write the selected runs (all shown when none is selected) as ``json`` / ``html``, or ``toml``: the
        selected run as a scenario (the login fields' values as ``references``), saying why it would not replay
        as it is when it would not."""
        records = self.selected() or list(self.runs.records)
        problems: list[str] = []
        if kind == "toml":
            if len(self.selected()) != 1:
                return
            try:
                text, problems = scenario_text(records[0], references)
            except ValueError as exc:
                self.say(f"Not saved: {exc}.")
                return
        elif kind == "json":
            text = json_report(records)
        else:
            text = html_report(records, title="cognito-desk run history")

        def write() -> None:
            partial = path.with_name(f".{path.name}.partial")
            partial.write_text(text, encoding="utf-8")
            partial.replace(path)  # never a half-written report or scenario under the chosen name

        self.ctx.runner.run_blocking(write, label=f"Writing {path.name}",
                                     errors=self.errors,
                                     on_success=lambda _: self.say(" ".join([f"Saved {path}.", *problems])))

    def closeEvent(self, event) -> None:
        self.store.close()
        super().closeEvent(event)
