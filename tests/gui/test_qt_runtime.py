"""The Qt binding the app runs on keeps Python's reference counts: PySide6 6.12.0 lost one reference to
``True`` on every Python-side ``Signal.emit()`` and aborted the process after a few hundred emits (it is
excluded in pyproject.toml). A long desktop session emits millions."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    bare = Signal()
    valued = Signal(object)


def test_emitting_signals_keeps_the_reference_counts_of_true_and_false():
    emitter = _Emitter()
    received = []
    emitter.bare.connect(lambda: received.append(1))
    emitter.valued.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(2000):
        emitter.bare.emit()
        emitter.valued.emit(None)
    assert len(received) == 4000
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before


def test_the_event_loop_keeps_the_reference_count_of_none(run):
    """PySide6 6.12.0 also dropped a reference to ``None`` on every qasync callback ("deallocating None")."""
    import asyncio

    async def spin():
        before = sys.getrefcount(None)
        for _ in range(2000):
            await asyncio.sleep(0)
        return before, sys.getrefcount(None)

    before, after = run(spin())
    assert after >= before - 50  # small moves are other objects; the bug lost ~2,000
