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
