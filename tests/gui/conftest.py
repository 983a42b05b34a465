"""GUI test fixtures: offscreen Qt, a qasync loop per test, the real main window hidden with fresh settings.

* ``qt_loop`` — a ``qasync.QEventLoop`` on pytest-qt's ``qapp``, set as the asyncio loop for the test.
* ``run(coro, timeout=30)`` — run a coroutine on that loop (Qt events are processed meanwhile).
* ``wait_until(predicate, timeout=15, what=...)`` — keep the loop (and Qt) running until ``predicate()``.
* ``app_ctx`` — the app's collaborators on a temporary config dir (one Local profile whose data dir is
  temporary and whose service enforces ``local_quotas``: AWS's request quotas, as real AWS does, unless a test
  module overrides that fixture with a lab quota file), clients retrying as ``client_retry`` says (default:
  botocore's standard mode), session-only secrets, window state in a temporary INI file.
* ``main_window`` — :func:`cognito_desk.ui.app.build_window` (every screen plugged in), hidden; at the end
  its runner's operations are cancelled and waited for (none outlives the test), it is closed, its connection
  and embedded service stopped, and any top-level widget a test leaked fails it.
* After each test body, whatever it left running on the loop (the window's operations, any task) is cancelled
  and waited for with the loop running, before pytest-qt processes Qt events: no task outlives its test.
* ``connected_window`` — ``main_window`` after start-up: the Local connection open and the pool list shown.
* ``assert_accessible(widget)`` — fails naming every control under ``widget`` (buttons, inputs, lists,
  tables, and the buttons Qt adds inside line edits) that has no accessible name: screen readers and GUI
  robots cannot see those.

Qt warnings fail tests (``qt_log_level_fail`` in pyproject.toml); the sandbox of QtWebEngine's Chromium is
switched off here only (tests run as root), never in the shipped app.
"""

from __future__ import annotations

import asyncio
import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox --disable-background-networking "
                      "--disable-component-update --disable-sync --no-first-run")

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

# QtWebEngine (loaded later, on demand, by the sign-in tester) needs this before the QApplication exists.
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


@pytest.fixture(autouse=True)
def garbage_on_the_gui_thread(qapp):
    """As the app does (``ui/collector.py``): no automatic collection during a test — it could run in a worker
    thread and destroy Qt objects there —, then deleted widgets and cyclic garbage cleared on this thread."""
    gc.collect()
    gc.disable()
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.enable()
    gc.collect()


def _run_on(loop, qapp, coro, timeout: float = 30.0):
    """Run ``coro`` on ``loop`` (tests and teardowns: never qasync's ``run_until_complete``). qasync's makes a
    last pass over Qt events after the loop stopped, running callbacks with no running asyncio loop: a task still
    in flight then fails inside anyio ("no running event loop") and leaves its httpx connection locked for good,
    its exception never retrieved. Here that pass runs with the loop set as the running one."""
    future = asyncio.ensure_future(asyncio.wait_for(coro, timeout), loop=loop)
    future.add_done_callback(lambda _: loop.stop())
    loop.run_forever()
    asyncio.events._set_running_loop(loop)
    try:
        qapp.processEvents()
    finally:
        asyncio.events._set_running_loop(None)
    return future.result()


def _finish_tasks(loop, qapp, runner=None) -> None:
    """Cancel what is still running on ``loop`` — ``runner``'s operations first (their callbacks run), then any
    other task — and wait for it with the loop running, until nothing is left (a clean-up may start more)."""
    if runner is not None:
        _run_on(loop, qapp, runner.drain())
    while pending := [task for task in asyncio.all_tasks(loop) if not task.done()]:
        for task in pending:
            task.cancel()
        _run_on(loop, qapp, asyncio.wait(pending))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Right after the test body, before pytest-qt processes the Qt events left (with no asyncio loop running:
    a task still in flight would be stepped there and fail, reported in a later test), what the test left
    running is cancelled and over."""
    try:
        return (yield)
    finally:
        loop = item.funcargs.get("qt_loop")
        if loop is not None and not loop.is_closed():
            ctx = item.funcargs.get("app_ctx")
            _finish_tasks(loop, QApplication.instance(), ctx.runner if ctx is not None else None)


@pytest.fixture
def qt_loop(qapp):
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    _finish_tasks(loop, qapp)
    loop.close()  # also joins the worker threads of asyncio.to_thread
    asyncio.set_event_loop(None)


@pytest.fixture
def run(qt_loop, qapp):
    """Run ``coro`` on the loop (see :func:`_run_on`)."""
    def run(coro, timeout: float = 30.0):
        return _run_on(qt_loop, qapp, coro, timeout)
    return run


@pytest.fixture
def wait_until(run):
    def wait_until(predicate, timeout: float = 15.0, what: str = "the condition"):
        async def poll():
            while not predicate():
                await asyncio.sleep(0.02)
        try:
            run(poll(), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None
    return wait_until


@pytest.fixture
def local_quotas() -> str:
    return "aws"


@pytest.fixture
def client_retry():
    return None


@pytest.fixture
def app_ctx(tmp_path, qt_loop, qapp, local_quotas, client_retry):
    from cognito_desk.ui.app import scratch_context

    ctx = scratch_context(tmp_path, quotas=local_quotas, retry=client_retry)
    yield ctx
    _finish_tasks(qt_loop, qapp, ctx.runner)
    ctx.local.stop_all()


@pytest.fixture
def main_window(app_ctx, qtbot, qt_loop, qapp):
    from cognito_desk.ui.app import build_window

    before = set(QApplication.topLevelWidgets())
    window = build_window(app_ctx)

    def close_connection(_):
        """Nothing the test started outlives it: every operation cancelled and over, the connection closed."""
        _finish_tasks(qt_loop, qapp, app_ctx.runner)
        if window.connection is not None:
            _run_on(qt_loop, qapp, window.connection.aclose())

    # pytest-qt closes and deletes the window before this fixture's own teardown runs.
    qtbot.addWidget(window, before_close_func=close_connection)
    yield window
    QCoreApplication.sendPostedEvents(None, 0)
    leaked = [w for w in QApplication.topLevelWidgets() if w not in before and w.isVisible()]
    assert not leaked, f"widgets left open by the test: {[w.accessibleName() or type(w).__name__ for w in leaked]}"


@pytest.fixture
def connected_window(main_window, wait_until):
    main_window.start()
    wait_until(lambda: main_window.connection is not None and main_window.pool_list.model.complete
               and not main_window.pool_list.model.loading, 30, "the Local connection and its pool list")
    return main_window


_CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox, QPlainTextEdit, QTextEdit)


def _qt_internal(widget: QWidget) -> bool:
    """Parts Qt makes inside its own widgets (header views, a line edit's clear button, a combo's popup…)."""
    parent = widget.parent()
    if widget.metaObject().className() == "QLineEditIconButton":
        return False  # the clear button and action buttons Qt adds inside a line edit: users press those
    return (widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView)
            or isinstance(parent, (QLineEdit, QAbstractSpinBox, QComboBox))
            or (parent is not None and type(parent).__name__ in ("QComboBoxPrivateContainer", "QTabBar"))
            or (isinstance(widget, QAbstractItemView) and isinstance(widget.parent(), QWidget)
                and type(widget.parent()).__name__ == "QFrame" and widget.parent().isWindow()))


@pytest.fixture
def assert_accessible():
    def check(root: QWidget) -> None:
        nameless = []
        for widget in root.findChildren(QWidget):
            if not isinstance(widget, _CONTROLS) or _qt_internal(widget):
                continue
            if not widget.accessibleName() and not (isinstance(widget, QAbstractButton) and widget.text()):
                nameless.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parent()).__name__}")
        assert not nameless, f"controls without an accessible name: {nameless}"
    return check
