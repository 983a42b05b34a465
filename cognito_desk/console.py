"""The ``cognito-desk`` process's own log output: one INFO line per request on stderr, cheaply.

The request log sits on the embedded service's hot path. :func:`configure_logging` skips the caller,
thread and process lookups that ``logging`` would make for every record (logging HOWTO,
"Optimization"), and :class:`BatchedStreamHandler` writes lines into a buffer that a timer flushes every
0.1 s — a line reaches the terminal at most that late, instead of costing a write system call each.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(message)s"


class Formatter(logging.Formatter):
    """The standard format, rendering each second's timestamp text once instead of once per line."""

    _second: int = -1
    _text: str = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = int(record.created)
        if second != self._second:
            self._second, self._text = second, time.strftime(self.default_time_format, self.converter(second))
        return self.default_msec_format % (self._text, record.msecs)


class BatchedStreamHandler(logging.StreamHandler):
    """A StreamHandler that leaves flushing to a timer (and to ``logging.shutdown`` at exit)."""

    def __init__(self, stream: TextIO, interval: float = 0.1) -> None:
        super().__init__(stream)
        self._interval = interval
        threading.Thread(target=self._flush_forever, name="log-flush", daemon=True).start()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + self.terminator)
        except Exception:
            self.handleError(record)

    def _flush_forever(self) -> None:
        while True:
            time.sleep(self._interval)
            self.flush()


def configure_logging(level: int = logging.INFO) -> None:
    """Log to a buffered duplicate of stderr (fd 2), flushed by a timer."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    stream = os.fdopen(os.dup(2), "w", buffering=1 << 16, encoding="utf-8", errors="replace")
    handler = BatchedStreamHandler(stream)
    handler.setFormatter(Formatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
