"""The History tab (issue 11): past tester and scenario runs, compared, exported, saved as scenarios.

:func:`install` adds the tab to the main window and connects it to the sign-in tester when the window
has one, through the narrow :class:`Rerunner` interface: every tester run is recorded (with the persona chosen
there), and Re-run shows the tester and asks it to run the recorded run again (provider, flow, persona).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from .panel import HistoryPage

if TYPE_CHECKING:
    from ..main_window import MainWindow

__all__ = ["HistoryPage", "Rerunner", "connect_tester", "install"]


class Rerunner(Protocol):
    """What History needs of the sign-in tester — no more: its finished runs, the persona they ran as, and a way
    to run a recorded run again (``rerun`` returns why it cannot, or None once started)."""

    run_finished: Any

    def persona(self) -> str: ...

    def rerun(self, pool_id: str, provider_kind: str, logins_key: str, flow: str, persona: str) -> str | None: ...


def connect_tester(history: HistoryPage, tester: Rerunner, show_tester: Callable[[], object]) -> None:
    """Record ``tester``'s runs in ``history``; let ``history`` re-run through ``tester`` (then shown)."""
    tester.run_finished.connect(lambda result: history.record_run(result, tester.persona()))

    def rerun(record) -> None:
        problem = tester.rerun(record.pool_id, record.provider_kind, record.logins_key, record.flow, record.persona)
        if problem:
            history.say(problem)
        else:
            show_tester()

    history.rerun_requested.connect(rerun)


def install(window: MainWindow) -> HistoryPage:
    """Add the History tab and connect it to the window's sign-in tester, if it has one."""
    history = HistoryPage(window.ctx, window)
    window.add_pool_page(history, "History", "history")
    tester = window.screens.get("tester")
    if tester is not None:
        tabs = window.tabs  # the slot holds the window's child only, never the (Python-owned) window
        connect_tester(history, tester, lambda: tabs.setCurrentWidget(tester))
    return history
