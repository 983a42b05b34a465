"""Python's cyclic garbage collected on the GUI thread only, a little at a time.

Owns :class:`GuiThreadCollector`. Widgets often sit in reference cycles (a signal connected to a lambda
over its own widget); when Python's automatic collector runs, it frees them in whatever thread happened
to allocate — in this app an ``asyncio.to_thread`` worker or the embedded service's thread — and Qt
objects destroyed off the GUI thread warn ("Timers cannot be stopped from another thread") or crash.
So the automatic collector is switched off and a timer on the GUI thread collects whenever the
allocation counts pass the usual thresholds (the youngest generation every tick it is due, the older
ones as Python would schedule them).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

__all__ = ["GuiThreadCollector"]


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_if_due)
        self.timer.start(interval_ms)
        gc.disable()

    def collect_if_due(self) -> int:
        """Collect the generations whose counts passed their thresholds (what Python would collect now)."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                return gc.collect(generation)
        return 0

    def settle(self) -> None:
        """Start-up is over: move every object alive now out of the collector's sight (``gc.freeze``), so
        later collections walk only what the session allocates, not the modules and widgets of start-up
        (a full collection of that heap stalls the window for tens of milliseconds)."""
        gc.freeze()

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()
