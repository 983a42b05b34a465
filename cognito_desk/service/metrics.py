"""How many requests the service answered, per operation — for tests and benchmarks that count the app's calls.

Owns :class:`RequestCounts`: one per running service (``Service.requests``), bumped once per answered request with
its operation name (``DescribeIdentityPool``, ``ListRoles`` …, or ``-`` for a plain GET) where the request is
logged. Counting is a dictionary increment under a lock (the service may run on its own thread while a test reads
the counts); :meth:`RequestCounts.snapshot` and :meth:`RequestCounts.since` give plain dictionaries.
"""

from __future__ import annotations

import threading
from collections import Counter

__all__ = ["RequestCounts"]


class RequestCounts:
    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, operation: str) -> None:
        with self._lock:
            self._counts[operation] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def since(self, before: dict[str, int]) -> dict[str, int]:
        """The requests answered since ``before`` (a :meth:`snapshot`), per operation (zeros left out)."""
        now = self.snapshot()
        return {operation: count - before.get(operation, 0) for operation, count in now.items()
                if count > before.get(operation, 0)}

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())
