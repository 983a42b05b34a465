"""An autouse fixture for GUI test modules: collect cyclic garbage on the GUI thread after each test.

Qt objects that end up in reference cycles (a widget whose signal holds a lambda over it) are otherwise freed by
whichever thread next triggers a garbage collection — often a worker thread of ``asyncio.to_thread`` in a later
test — and Qt warns "Timers cannot be stopped from another thread". Import ``collect_qt_garbage`` into a test
module to use it.
"""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent


@pytest.fixture(autouse=True)
def collect_qt_garbage(qapp):
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
