"""The window fits the screen: a failure's explanation, however long, scrolls inside its banner and the sign-in
result scrolls inside its tab, so neither grows the window (issue 19: 1047 px on a 1000 px screen)."""

from __future__ import annotations

import pytest

from cognito_desk.admin.failures import FailureReport
from cognito_desk.ui.runner.headless import GPU_LESS_NOISE

# The Tester tab loads QtWebEngine, which says so without a GPU (the app sends that to its log file).
pytestmark = pytest.mark.qt_log_ignore(*GPU_LESS_NOISE)

#: The screen of the report: 1600×1000, less a panel.
REPORTED_SCREEN_HEIGHT = 1000 - 40
#: A common laptop screen's width, and what the pool list and the window's margins take of it.
NARROW_SCREEN_WIDTH = 1280
POOL_LIST_WIDTH = 320 + 30


def _report(sentences: int) -> FailureReport:
    cause = " ".join(["The provider answered the authorization request with an error page."] * sentences)
    return FailureReport("Sign-in failed at the provider", cause, "Register the redirect URI. " * sentences,
                         [(f"Detail {n}", "x" * 40) for n in range(sentences)], raw="invalid_client\n" * 40)


def test_a_long_failure_explanation_scrolls_instead_of_growing_the_window(connected_window, run, wait_until, qtbot):
    window = connected_window
    pool_id = run(window.connection.identity.create_identity_pool(
        identity_pool_name="fits", allow_unauthenticated_identities=True))["IdentityPoolId"]
    window.pools_changed(select=pool_id)
    wait_until(lambda: window.current_pool() is not None, 30, "the pool to be selected")
    window.setGeometry(window.screen().availableGeometry())
    window.show()
    qtbot.waitExposed(window)
    tester = window.screens["tester"]
    window.tabs.setCurrentWidget(tester)
    wait_until(lambda: not window.ctx.runner.running, 30, "the tester to load the pool's providers and roles")

    def tallest_after(report: FailureReport) -> int:
        tester.results.errors.show_report(report, label="Step “Provider login”")
        window.connection_errors.show_report(report, label="Connecting to local")
        window.layout().activate()
        return window.minimumSizeHint().height()

    short = tallest_after(_report(1))
    long = tallest_after(_report(60))
    assert long == short, "a longer explanation made the window taller instead of scrolling"
    window.connection_errors.clear()  # the reported case: a failed sign-in, the connection fine
    wait_until(lambda: window.layout().activate() is not None and window.minimumSizeHint().height() < long, 10,
               "the layout without the connection banner")
    assert window.minimumSizeHint().height() <= REPORTED_SCREEN_HEIGHT
    scroll = tester.results.errors.body_scroll.verticalScrollBar()
    wait_until(lambda: scroll.maximum() > 0, 10, "the explanation to scroll")  # the rest is a scroll away


def test_no_tab_makes_the_window_taller_than_the_screen(connected_window, run, wait_until, qtbot):
    """Every tab, with a long connection error above it: the pool's pane scrolls, the window stays on the screen."""
    window = connected_window
    pool_id = run(window.connection.identity.create_identity_pool(
        identity_pool_name="every-tab", allow_unauthenticated_identities=True))["IdentityPoolId"]
    window.pools_changed(select=pool_id)
    wait_until(lambda: window.current_pool() is not None, 30, "the pool to be selected")
    window.show()
    qtbot.waitExposed(window)
    window.connection_errors.show_report(_report(60), label="Connecting to local")
    tallest, widest = {}, {}
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        wait_until(lambda: not window.ctx.runner.running, 30, f"the {window.tabs.tabText(index)} tab to load")
        window.layout().activate()
        tallest[window.tabs.tabText(index)] = window.minimumSizeHint().height()
        widest[window.tabs.tabText(index)] = window.tabs.widget(index).minimumSizeHint().width()
    assert max(tallest.values()) <= REPORTED_SCREEN_HEIGHT, tallest
    # Nor wider than a 1280 px screen leaves beside the pool list at its usual width: no sideways scrolling there.
    assert max(widest.values()) <= NARROW_SCREEN_WIDTH - POOL_LIST_WIDTH, widest
