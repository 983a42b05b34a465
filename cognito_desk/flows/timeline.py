"""The call timeline of one sign-in run: every request in order, with its duration and what it carried.

Owns :class:`Call` (one request: what it was, how long it took, whether ``Logins`` went with it and under
which keys, the ``amr`` of the Cognito token it produced, its error) and :class:`Timeline`, whose
:meth:`Timeline.call` context manager times a request and records it even when it fails or is cancelled.
Step durations (provider login, token exchange, ``GetId`` …) are the calls' durations by step name.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["Call", "Timeline"]


@dataclass
class Call:
    """One request of a run. ``step`` groups calls for the step durations (``GetId``, ``Provider login`` …)."""

    name: str
    step: str
    started: float
    duration_ms: float = 0.0
    #: The ``Logins`` keys sent; empty when the call went without ``Logins``.
    logins_keys: tuple[str, ...] = ()
    #: The ``amr`` of the Cognito token this call produced (or that the credentials were vended for).
    amr: tuple[str, ...] = ()
    error: str = ""
    cancelled: bool = False
    #: What the call showed worth reading on the timeline (a user pool's role claims); never a secret.
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and not self.cancelled

    @property
    def logins_sent(self) -> bool:
        return bool(self.logins_keys)


@dataclass
class Timeline:
    """The calls of one run, in the order they started."""

    calls: list[Call] = field(default_factory=list)

    @contextmanager
    def call(self, name: str, step: str | None = None, *, logins: Sequence[str] = ()) -> Iterator[Call]:
        """Time one request; an exception is recorded on the call and re-raised."""
        entry = Call(name, step or name, time.time(), logins_keys=tuple(logins))
        self.calls.append(entry)
        started = time.perf_counter()
        try:
            yield entry
        except BaseException as exc:
            if isinstance(exc, Exception):
                entry.error = str(exc) or type(exc).__name__
            else:
                entry.cancelled = True
            raise
        finally:
            entry.duration_ms = (time.perf_counter() - started) * 1000

    def step_durations(self) -> dict[str, float]:
        """Milliseconds per step, in the order the steps first ran."""
        totals: dict[str, float] = {}
        for entry in self.calls:
            totals[entry.step] = totals.get(entry.step, 0.0) + entry.duration_ms
        return totals
