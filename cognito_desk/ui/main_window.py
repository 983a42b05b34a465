"""The main window: connection switcher, pool list, the selected pool's tabs, menus and status bar.

Owns :class:`MainWindow` — the layout (pool list on the left, the pool's header and tabs on the right,
in a splitter whose state is remembered), the menus (File, Edit, View, Pool, Help) with standard
shortcuts, opening a connection profile through :func:`cognito_desk.backend.open_connection` (on the
runner, never blocking), reopening the last used connection and the last selected pool per connection,
and telling every pool tab (:class:`~.pages.PoolPage`) which pool is selected — with one
:class:`~cognito_desk.admin.pool_state.PoolState` per selection, made from the connection's
:class:`~cognito_desk.admin.pool_state.ConnectionState` and closed when another pool or connection is chosen — and
which tab is shown (tabs load when first shown). Opening a profile while another is still connecting cancels that
connect (and closes its connection if it completed anyway), so the switcher, the status bar and the window always
show the same connection. A Local connection whose embedded service went away moves to a new one (said once, in
the notice bar and the status bar; Retry and F5 then work). Screens plug in through :meth:`add_pool_page` and the
public menus; the composition root (``app.py``) wires them and lists them in :attr:`MainWindow.screens`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .context import AppContext
from .icons import app_icon, icon
from .pages import PoolPage, PoolRef
from .pool_list import PoolList
from .status import StatusBar
from .tasks import Operation
from .theme import THEMES, apply_theme
from .widgets.error_banner import ErrorBanner
from .widgets.notice import NoticeBar

if TYPE_CHECKING:
    from ..admin.pool_state import ConnectionState
    from ..backend import Connection
    from ..settings import Settings

__all__ = ["MainWindow"]


class _FillingLayout(QVBoxLayout):
    """The pool pane's layout, filling the scroll area's height: reporting no height-for-width keeps the scroll
    area from sizing the pane to its *preferred* height for the width (a tab's wrapped labels made the Tester
    216 px taller than the window, its bottom cut off) — it scrolls only below the pane's minimum height."""

    def hasHeightForWidth(self) -> bool:
        return False


class MainWindow(QMainWindow):
    #: The open connection changed (a Connection, or None while switching).
    connection_changed = Signal(object)
    #: The selected pool changed (a PoolRef, or None).
    pool_changed = Signal(object)
    #: A page of the current connection's pool list arrived (for start-up timing and tests).
    pools_shown = Signal()
    #: Opening the connection or listing its pools failed (the error is shown in the window).
    connection_failed = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.connection: Connection | None = None
        self.settings: Settings | None = None
        #: What the open connection knows across pools (the account's roles, IAM providers, provider usage).
        self.connection_state: ConnectionState | None = None
        #: Every screen plugged in by ``app.build_window``, by name (``"pools"``, ``"roles"``, ``"tester"`` …).
        self.screens: dict[str, object] = {}
        self._pages: list[PoolPage] = []
        self._pool: PoolRef | None = None
        self._connecting: Operation | None = None
        self._checking: Operation | None = None
        self._recovering = False
        self.setWindowTitle("cognito-desk")
        self.setWindowIcon(app_icon())
        self.setAccessibleName("cognito-desk")
        self._build_toolbar()
        self._build_central()
        self.status = StatusBar(ctx.runner)
        self.setStatusBar(self.status)
        self._build_menus()
        self._restore_geometry()
        ctx.runner.failed.connect(self._operation_failed)

    # --- layout ------------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar("Connection")
        bar.setObjectName("connectionToolbar")
        bar.setMovable(False)
        bar.addWidget(QLabel(" Connection: "))
        self.connection_box = QComboBox()
        self.connection_box.setAccessibleName("Connection")
        self.connection_box.setToolTip("The backend this window talks to")
        self.connection_box.setMinimumWidth(200)
        self.connection_box.activated.connect(lambda _: self.open_profile(self.connection_box.currentText()))
        bar.addWidget(self.connection_box)
        self.refresh_action = QAction(icon("refresh"), "&Refresh", self)
        self.refresh_action.setShortcuts([QKeySequence(Qt.Key.Key_F5), QKeySequence("Ctrl+R")])
        self.refresh_action.setToolTip("Reload the pools and the selected pool (F5)")
        self.refresh_action.triggered.connect(self.refresh)
        bar.addAction(self.refresh_action)
        self.toolbar = bar
        self.addToolBar(bar)

    def _build_central(self) -> None:
        self.connection_errors = ErrorBanner(name="Connection error")
        self.connection_notice = NoticeBar(name="Connection notice")
        self.pool_list = PoolList(self.ctx.runner)
        self.pool_list.selected.connect(self._pool_selected)
        self.pool_list.model.page_loaded.connect(lambda _: self.pools_shown.emit())
        self.pool_list.model.page_failed.connect(self.connection_failed.emit)
        self.pool_title = QLabel("")
        self.pool_title.setObjectName("poolHeader")
        self.pool_title.setAccessibleName("Pool name")
        self.pool_id_label = QLabel("")
        self.pool_id_label.setObjectName("poolSubheader")
        self.pool_id_label.setAccessibleName("Pool ID")
        self.pool_id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_id_button = QToolButton()
        self.copy_id_button.setIcon(icon("copy"))
        self.copy_id_button.setToolTip("Copy the pool ID")
        self.copy_id_button.setAccessibleName("Copy the pool ID")
        self.copy_id_button.clicked.connect(self.copy_pool_id)
        header = QHBoxLayout()
        header.addWidget(self.pool_title)
        header.addWidget(self.pool_id_label)
        header.addWidget(self.copy_id_button)
        header.addStretch()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Pool tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(lambda _: self._tell_current())
        pool_pane = QWidget()
        box = _FillingLayout(pool_pane)
        box.setContentsMargins(8, 4, 4, 4)
        box.addLayout(header)
        box.addWidget(self.tabs, 1)
        self.no_pool = QLabel("Select an identity pool on the left, or create one with Pool ▸ New pool… (Ctrl+N).")
        self.no_pool.setObjectName("emptyState")
        self.no_pool.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_pool.setWordWrap(True)
        self.no_pool.setAccessibleName("No pool selected")
        self.right = QStackedWidget()
        self.right.addWidget(self.no_pool)
        # However tall a tab's content (the Roles & rules editors, a long explanation), the pool's pane scrolls
        # rather than growing the window past the screen.
        self.pool_scroll = QScrollArea()
        self.pool_scroll.setObjectName("poolPane")
        self.pool_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.pool_scroll.setWidgetResizable(True)
        self.pool_scroll.setWidget(pool_pane)
        self.right.addWidget(self.pool_scroll)
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.pool_list)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)  # a wide tab must not squeeze the pool list away
        self.pool_list.setMinimumWidth(240)
        self.splitter.setSizes([320, 860])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.connection_errors)
        layout.addWidget(self.connection_notice)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

    def _build_menus(self) -> None:
        menus = self.menuBar()
        self.file_menu = menus.addMenu("&File")
        self.edit_menu = menus.addMenu("&Edit")
        self.view_menu = menus.addMenu("&View")
        self.pool_menu = menus.addMenu("&Pool")
        self.help_menu = menus.addMenu("&Help")
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.find_action = QAction(icon("search"), "&Find pool", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self._find)
        self.copy_id_action = QAction(icon("copy"), "&Copy pool ID", self)
        self.copy_id_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_id_action.triggered.connect(self.copy_pool_id)
        self.edit_menu.addActions([self.find_action, self.copy_id_action])
        self.view_menu.addAction(self.refresh_action)
        theme_menu = self.view_menu.addMenu("&Theme")
        group = QActionGroup(self)
        chosen = str(self.ctx.prefs.value("theme", "system"))
        for name in THEMES:
            action = QAction(name.capitalize() + (" (follow the system)" if name == "system" else ""), self,
                             checkable=True, checked=name == chosen)
            action.triggered.connect(lambda _=False, name=name: self.set_theme(name))
            group.addAction(action)
            theme_menu.addAction(action)

    # --- pool tabs ---------------------------------------------------------------------------------
    def add_pool_page(self, page: QWidget, title: str, icon_name: str | None = None) -> None:
        """Add a per-pool tab; ``page`` implements :class:`~.pages.PoolPage`."""
        if icon_name:
            self.tabs.addTab(page, icon(icon_name), title)
        else:
            self.tabs.addTab(page, title)
        self._pages.append(page)  # type: ignore[arg-type]
        page.show_pool(self._pool)  # type: ignore[attr-defined]
        self._tell_current()

    def _tell_current(self) -> None:
        """Tell the tabs that load when first shown which one is shown now."""
        shown = self.tabs.currentWidget()
        for page in self._pages:
            if hasattr(page, "set_current"):
                page.set_current(page is shown)

    def current_pool(self) -> PoolRef | None:
        return self._pool

    def _pool_selected(self, row: dict | None) -> None:
        if row is None or self.connection is None or self.connection_state is None:
            self._show_pool(None)
            return
        pool_id = row["IdentityPoolId"]
        self.ctx.prefs.setValue(f"connections/{self.connection.name}/pool", pool_id)
        if self._pool is not None and self._pool.pool_id == pool_id and self._pool.connection is self.connection:
            if row["IdentityPoolName"] != self._pool.name:  # renamed: the same pool and state, a new header
                self._pool = replace(self._pool, name=row["IdentityPoolName"])
                self.pool_title.setText(self._pool.name)
            return
        self._show_pool(PoolRef(self.connection, pool_id, row["IdentityPoolName"], self.connection_state.pool(pool_id)))

    def _show_pool(self, pool: PoolRef | None) -> None:
        """The one place the selection changes: the previous pool's state stops loading, every tab is told."""
        if pool is None and self._pool is None:
            return
        if self._pool is not None:
            self._pool.state.close()
        self._pool = pool
        self.right.setCurrentIndex(0 if pool is None else 1)
        self.pool_title.setText(pool.name if pool else "")
        self.pool_id_label.setText(pool.pool_id if pool else "")
        for action in self.pool_menu.actions():
            if action.property("needsPool"):
                action.setEnabled(pool is not None)
        for page in self._pages:
            page.show_pool(pool)
        self.pool_changed.emit(pool)

    def pools_changed(self, select: str | None = None) -> None:
        """Reload the pool list (after a create, import or delete), then select ``select`` if given."""
        if self.connection_state is not None:
            self.connection_state.pools_changed()
        self.pool_list.refresh(self.connection, select=select)

    def refresh(self) -> None:
        """F5: forget what the connection and the pool state hold, read the pools and the selected pool again —
        after replacing a Local service that went away."""
        if self.connection is not None and self.connection.local_service is not None:
            self._recover(then=self._reload)
        else:
            self._reload()

    def _reload(self) -> None:
        if self.connection_state is not None:
            self.connection_state.forget()
        self.pools_changed()
        pool = self._pool
        if pool is not None and self.connection_state is not None:
            self._show_pool(PoolRef(pool.connection, pool.pool_id, pool.name, self.connection_state.pool(pool.pool_id)))

    def copy_pool_id(self) -> None:
        if self._pool is not None:
            QGuiApplication.clipboard().setText(self._pool.pool_id)
            self.status.showMessage(f"Copied {self._pool.pool_id}", 3000)

    def _find(self) -> None:
        self.pool_list.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.pool_list.filter.selectAll()

    # --- connections -------------------------------------------------------------------------------
    def start(self) -> None:
        """Once the window is painted and the context loaded: read the settings, open the last used connection."""
        self.ctx.runner.run_blocking(self.ctx.settings_file.load, label="Reading settings",
                                     on_success=self._settings_loaded, errors=self.connection_errors,
                                     retry=self.start)

    def _settings_loaded(self, settings: Settings) -> None:
        self.reload_profiles(settings)
        self.open_profile(settings.active_profile)

    def reload_profiles(self, settings: Settings) -> None:
        """Show the profiles of ``settings`` in the switcher (after the connections dialog saved)."""
        self.settings = settings
        current = self.connection.name if self.connection else settings.active_profile
        self.connection_box.blockSignals(True)
        self.connection_box.clear()
        self.connection_box.addItems([profile.name for profile in settings.profiles])
        self.connection_box.setCurrentText(current)
        self.connection_box.blockSignals(False)

    def open_profile(self, name: str) -> None:
        from ..backend import open_connection
        from ..settings import Settings

        try:
            profile = self.settings.profile(name)
        except (KeyError, AttributeError):  # no such profile, or the settings are not read yet
            return
        self._close_connection()
        self.connection_box.setCurrentText(name)
        self.status.show_connection(None, connecting=name)
        self.connection_changed.emit(None)

        def failed(error: BaseException) -> None:
            self.connection_errors.show_error(error, label=f"Connecting to {name}",
                                              retry=lambda: self.open_profile(name))
            self.connection_failed.emit()

        connecting = self.ctx.runner.run(
            open_connection(profile, self.ctx.secrets, self.ctx.local, retry=self.ctx.retry),
            label=f"Connecting to {name}", on_success=self._connected, busy=self.splitter, on_failure=failed)
        connecting.task.add_done_callback(lambda task: self._close_if_overtaken(connecting, task))
        self._connecting = connecting
        if name != self.settings.active_profile:
            self.settings = Settings(self.settings.profiles, name)
            self.ctx.runner.run_blocking(lambda: self.ctx.settings_file.remember_active(name),
                                         label="Remembering the connection", errors=self.connection_errors)

    def _close_connection(self) -> None:
        """Whatever was open or opening stops: the connect under way (closed if it completes anyway), the
        caller check, the pool list, the selected pool's state and the connection itself."""
        for operation in (self._connecting, self._checking):
            if operation is not None:
                operation.cancel()
        self._connecting = self._checking = None
        self.pool_list.show_connection(None)
        self._show_pool(None)
        if self.connection_state is not None:
            self.connection_state.close()
        old, self.connection, self.connection_state = self.connection, None, None
        if old is not None:
            self.ctx.runner.run(old.aclose(), label=f"Closing {old.name}")

    def _close_if_overtaken(self, connecting: Operation, task) -> None:
        """A connect cancelled after it had completed: nobody will use that connection, close it."""
        if connecting.cancelled and not task.cancelled() and task.exception() is None:
            connection = task.result()
            self.ctx.runner.run(connection.aclose(), label=f"Closing {connection.name}")

    def _connected(self, connection: Connection) -> None:
        from ..admin.pool_state import ConnectionState

        self._connecting = None
        self.connection = connection
        self.connection_state = ConnectionState(connection.identity, connection.iam)
        self.status.show_connection(connection)
        remembered = self.ctx.prefs.value(f"connections/{connection.name}/pool")
        self.pool_list.show_connection(connection, select=str(remembered) if remembered else None)
        self.connection_changed.emit(connection)
        self._check_caller(connection)

    def _check_caller(self, connection: Connection) -> None:
        """The status bar's account: who the connection signs as (STS GetCallerIdentity)."""
        self._checking = self.ctx.runner.run(
            connection.test(), label="Checking who we are", on_success=self.status.show_caller,
            on_failure=lambda error: self.status.showMessage(f"Could not check the caller: {error}"))

    def _operation_failed(self, error: BaseException) -> None:
        from ..aws.transport import ConnectionFailed

        if isinstance(error, ConnectionFailed) and self.connection is not None \
                and self.connection.local_service is not None:
            self._recover()

    def _recover(self, then=None) -> None:
        """Ask the Local connection to move if its service went away; say so once; then ``then()``."""
        connection = self.connection
        if connection is None or self._recovering:  # nothing to check, or a check already under way
            if then is not None:
                then()
            return
        self._recovering = True

        def settled() -> None:
            self._recovering = False

        def moved(news) -> None:
            if news is not None and connection is self.connection:
                self.connection_notice.say(news.message)
                self.status.show_connection(connection)
                self._check_caller(connection)
            if then is not None:
                then()

        self.ctx.runner.run(connection.recover(), label="Checking the embedded service", on_success=moved,
                            on_settled=settled, errors=self.connection_errors, retry=self.refresh)

    # --- state -------------------------------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        self.ctx.prefs.setValue("theme", name)
        apply_theme(QApplication.instance(), name)

    def _restore_geometry(self) -> None:
        geometry = self.ctx.prefs.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 760)
        splitter = self.ctx.prefs.value("window/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    def closeEvent(self, event) -> None:
        self.ctx.prefs.setValue("window/geometry", self.saveGeometry())
        self.ctx.prefs.setValue("window/splitter", self.splitter.saveState())
        self.ctx.prefs.sync()
        self.ctx.runner.cancel_all()
        super().closeEvent(event)
