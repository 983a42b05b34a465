"""The one way a screen runs network work: a coroutine on the qasync loop with busy state, cancel and errors.

Owns :class:`Runner` (one per window, handed to every screen through its constructor) and
:class:`Operation` (one running coroutine). ``runner.run(coro, label=..., busy=widget, errors=banner,
on_success=...)`` schedules the coroutine as an asyncio task on the qasync loop — the UI thread never
waits — covers ``busy`` with a :class:`~.widgets.busy.BusyOverlay` (label and Cancel) while it runs,
lists it in :attr:`Runner.running` for the status bar's activity indicator, then delivers the result to
``on_success`` or the exception to ``on_failure`` / the ``errors`` banner (explained in plain words,
raw AWS error one click away). Cancelling is silent: nothing half-done is reported as a failure. While a call
of the coroutine waits to retry because AWS throttled it (``aws.retry.throttle_context``), the busy cover and
the status bar say "Throttled by AWS, retrying…" instead of the label.
:meth:`Runner.drain` cancels everything and waits until nothing runs (a window closing for good). Blocking
calls (keyring, files) go through :meth:`Runner.run_blocking`, which runs them in a worker
thread the same way. Exceptions raised by callbacks reach ``sys.excepthook``, never the void.
(``asyncio`` and ``logging`` are imported on first use: the window is painted before the loop exists.)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from .widgets.busy import BusyOverlay
from .widgets.error_banner import ErrorBanner

if TYPE_CHECKING:
    import asyncio

    from ..aws.retry import ThrottleNotice

__all__ = ["Operation", "Runner"]

T = TypeVar("T")


class Operation:
    """A coroutine running for a widget; :meth:`cancel` stops it (its callbacks are then not called)."""

    def __init__(self, label: str, task: asyncio.Task) -> None:
        self.label = label
        self.task = task
        #: Set by :meth:`cancel`: from then on the operation's callbacks are never called, even if the
        #: coroutine had already finished (its widgets may be gone).
        self.cancelled = False
        #: While a throttled call of the operation waits to retry: what AWS refused (else None).
        self.throttled: ThrottleNotice | None = None

    @property
    def status(self) -> str:
        """What the operation is doing, in the words the busy cover and the status bar show."""
        return self.throttled.text() if self.throttled is not None else f"{self.label}…"

    @property
    def done(self) -> bool:
        return self.task.done()

    def cancel(self) -> None:
        self.cancelled = True
        self.task.cancel()

    def __repr__(self) -> str:
        return f"Operation({self.label!r}, done={self.done})"


class Runner(QObject):
    """Runs coroutines for one window's screens and tells the status bar what is running."""

    #: Emitted whenever an operation starts or ends (the status bar's activity indicator listens).
    changed = Signal()
    #: Emitted with the exception of every operation that failed, before its own callbacks (the main
    #: window listens for a Local connection whose service went away).
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.running: list[Operation] = []

    def run(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        label: str,
        on_success: Callable[[T], object] | None = None,
        on_failure: Callable[[BaseException], object] | None = None,
        busy: QWidget | None = None,
        errors: ErrorBanner | None = None,
        context: Callable[[], Mapping[str, Any]] | None = None,
        retry: Callable[[], object] | None = None,
        on_settled: Callable[[], object] | None = None,
    ) -> Operation:
        """Start ``coro``; see the module docstring. ``context`` gives the error explanation its facts
        (``logins``, ``pool``, ``roles``); ``retry`` adds a Retry button to the error banner;
        ``on_settled`` runs first whatever the end — success, failure or cancel (for clean-up)."""
        import asyncio

        from ..aws.retry import throttle_context

        def throttled(notice: ThrottleNotice | None) -> None:
            operation.throttled = notice
            if overlay is not None:
                overlay.show_status(operation.status)
            self.changed.emit()

        task = asyncio.get_event_loop().create_task(coro, context=throttle_context(throttled))
        operation = Operation(label, task)
        overlay = BusyOverlay(busy, label, operation.cancel) if busy is not None else None
        if errors is not None:
            errors.clear()
        self.running.append(operation)
        self.changed.emit()

        def finished(_: asyncio.Future) -> None:
            self.running.remove(operation)
            if overlay is not None:
                overlay.release()
            self.changed.emit()
            try:
                if on_settled is not None:
                    on_settled()
                if task.cancelled() or operation.cancelled:
                    if not task.cancelled() and task.exception() is not None:  # retrieved: cancelling is silent
                        import logging

                        logging.getLogger("cognito_desk.ui").debug("%s, cancelled, ended with %r", label,
                                                                   task.exception())
                    return
                error = task.exception()
                if error is not None:
                    self.failed.emit(error)
                if error is None:
                    if on_success is not None:
                        on_success(task.result())
                elif on_failure is not None:
                    on_failure(error)
                elif errors is not None:
                    errors.show_error(error, label=label, retry=retry, **(dict(context()) if context else {}))
                else:
                    import logging

                    logging.getLogger("cognito_desk.ui").error("%s failed: %s", label, error)
            except Exception:  # a callback failed: the excepthook shows it, the loop goes on
                sys.excepthook(*sys.exc_info())

        task.add_done_callback(finished)
        return operation

    def run_blocking(self, function: Callable[[], T], **options: Any) -> Operation:
        """:meth:`run` for a blocking call (keyring, files): it runs in a worker thread."""
        return self.run(_in_thread(function), **options)

    def cancel_all(self) -> None:
        for operation in list(self.running):
            operation.cancel()

    async def drain(self) -> None:
        """Cancel every operation and wait until none is left (the window closing for good): what a cancelled
        operation's clean-up starts (closing a connection) is cancelled and waited for in turn."""
        import asyncio

        while self.running:
            self.cancel_all()
            # The operations' done callbacks (which take them off the list) run before this wait returns.
            await asyncio.wait([operation.task for operation in self.running])


async def _in_thread(function: Callable[[], T]) -> T:
    import asyncio

    return await asyncio.to_thread(function)

