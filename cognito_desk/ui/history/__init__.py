"""The History tab (issue 11): past tester and scenario runs, compared, exported, saved as scenarios.

:func:`install` adds the tab to the main window and connects it to the sign-in tester when the window
has one: every tester run is recorded (with the persona chosen there), and Re-run hands a recorded run
back to the tester (provider, flow, persona) and starts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .panel import HistoryPage

if TYPE_CHECKING:
    from ..main_window import MainWindow

__all__ = ["HistoryPage", "connect_tester", "install"]


def connect_tester(history: HistoryPage, tester, window: MainWindow) -> None:
    """Record ``tester``'s runs in ``history``; let ``history`` re-run through ``tester``."""
    from ...flows.clients import ProviderKind
    from ...flows.run import Flow
    from ..tester.page import PRIVATE

    tabs = window.tabs  # the slots below hold the window's children only, never the (Python-owned) window

    def finished(result) -> None:
        persona = tester.persona_box.currentText()
        history.record_run(result, "" if persona == PRIVATE else persona)

    def rerun(record) -> None:
        if tester.pool is None or tester.pool.pool_id != record.pool_id:
            history.say(f"Select pool {record.pool_id} to re-run this run: the tester runs on the selected pool.")
            return
        try:
            tester.select_provider(ProviderKind(record.provider_kind), record.logins_key)
        except LookupError as exc:
            history.say(f"Cannot re-run: {exc} any more.")
            return
        tester.flow_box.setCurrentIndex(max(0, tester.flow_box.findData(Flow(record.flow))))
        if record.persona:
            tester.add_persona(record.persona)
        else:
            tester.persona_box.setCurrentText(PRIVATE)
        tabs.setCurrentWidget(tester)
        tester.run_sign_in()

    tester.run_finished.connect(finished)
    history.rerun_requested.connect(rerun)


def install(window: MainWindow) -> HistoryPage:
    """Add the History tab (after the tester, if there is one) and connect the two."""
    from ..tester.page import TesterPage

    history = HistoryPage(window.ctx, window)
    window.add_pool_page(history, "History", "history")
    for index in range(window.tabs.count()):
        page = window.tabs.widget(index)
        if isinstance(page, TesterPage):
            connect_tester(history, page, window)
    return history
