"""When and how patiently the clients retry, and how whoever runs a call hears that AWS throttles it.

Owns :class:`RetryPolicy` — botocore's ``standard`` retry mode: at most 3 attempts, the n-th retry after a
random delay in ``[0, min(20 s, 2**(n-1) s))`` ("full jitter") — and :func:`is_throttling`, the answers that
mean "too fast, try later": the codes ``TooManyRequestsException``, ``ThrottlingException``, ``Throttling``,
``RequestLimitExceeded`` (``core.errors.THROTTLING_CODES``) or HTTP 429, whatever the code.

While a throttled call waits to retry, the transport tells the listener of the running task (a context
variable, so no call signature changes): :func:`throttle_context` makes an ``asyncio`` task context whose
calls report each wait as a :class:`ThrottleNotice` and ``None`` once a retried call got through. The UI's
runner shows "Throttled by AWS, retrying…" with it; nothing here knows about Qt.
"""

from __future__ import annotations

import contextvars
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from ..core import errors


def full_jitter(upper: float) -> float:
    """A uniformly random delay in ``[0, upper]`` (the "full jitter" backoff)."""
    return random.uniform(0.0, upper)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a call is retried. ``max_attempts`` counts the first try."""

    max_attempts: int = 3
    base: float = 1.0
    cap: float = 20.0
    jitter: Callable[[float], float] = field(default=full_jitter, compare=False)

    def delay(self, retry_number: int) -> float:
        """The sleep before retry ``retry_number`` (0 for the first retry): jitter over the capped bound."""
        return self.jitter(min(self.cap, self.base * 2**retry_number))


def is_throttling(error: errors.AwsError) -> bool:
    """Whether an AWS answer means the caller went over a request-rate quota."""
    return error.code in errors.THROTTLING_CODES or error.status == 429


@dataclass(frozen=True)
class ThrottleNotice:
    """A throttled call about to wait ``delay`` seconds before attempt ``attempt`` of ``max_attempts``."""

    operation: str
    code: str
    attempt: int
    max_attempts: int
    delay: float

    def text(self) -> str:
        return f"Throttled by AWS, retrying… ({self.operation}, attempt {self.attempt} of {self.max_attempts})"


ThrottleListener = Callable[[ThrottleNotice | None], object]
_listener: contextvars.ContextVar[ThrottleListener | None] = contextvars.ContextVar("throttle_listener",
                                                                                    default=None)


def throttle_context(listener: ThrottleListener) -> contextvars.Context:
    """A copy of the current context in which throttled calls report to ``listener`` (for ``create_task``)."""
    context = contextvars.copy_context()
    context.run(_listener.set, listener)
    return context


def notify(notice: ThrottleNotice | None) -> None:
    """Tell the running task's listener, if any, about a throttle wait (``None``: the retry got through)."""
    listener = _listener.get()
    if listener is not None:
        listener(notice)
