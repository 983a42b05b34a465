"""An autouse fixture for GUI test modules: after each test, clean up on the GUI thread what Qt and PySide leave.

* Cyclic garbage is collected here, on the GUI thread. Qt objects in reference cycles (a widget whose signal holds
  a lambda over it) are otherwise freed by whichever thread next triggers a collection — often an
  ``asyncio.to_thread`` worker in a later test — and Qt warns "Timers cannot be stopped from another thread".
* PySide6 6.12.0's ``SignalInstance.emit()`` returns ``True`` without a new reference: every Python-side emit
  drops one reference to ``True`` (Python 3.11 counts them; ``python -c`` with a QObject subclass emitting 1,000
  times aborts with "bool_dealloc: deallocating True or False"). The references lost during the test are given
  back, so the run cannot abort at exit however many signals the tests emit.

Import ``qt_hygiene`` into a test module to use it.
"""

from __future__ import annotations

import ctypes
import gc
import sys

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]


@pytest.fixture(autouse=True)
def qt_hygiene(qapp):
    before = sys.getrefcount(True)
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    for _ in range(max(0, before - sys.getrefcount(True))):
        _incref(True)
