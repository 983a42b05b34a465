"""What a per-pool tab is told: which pool of which connection is selected, and its state.

Owns :class:`PoolRef` (the selected pool: connection, ID, name and its
:class:`~cognito_desk.admin.pool_state.PoolState`, shared by every tab), the :class:`PoolPage` protocol and
:class:`PoolTab` — the one place where "the latest selection wins": every load or save a tab starts goes through
:meth:`PoolTab.run`, and selecting another pool or connection cancels all of them, so neither a late result nor a
late *error* lands on the newly selected pool's tab or banner. A tab loads when it is first shown (the window calls
:meth:`PoolTab.set_current`), not while hidden, and listens to its pool's state: when another tab saves a part it
shows (its :attr:`PoolTab.parts`), it reloads from the state (no request: the state already holds what was saved)
or, while it has unsaved edits, keeps them (Settings and Identity providers put them on top of what was saved;
Roles & rules and Principal tags say the tab is stale).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..admin.pool_state import Changes, PoolState
    from ..backend import Connection
    from .tasks import Operation

__all__ = ["PoolPage", "PoolRef", "PoolTab"]


@dataclass(frozen=True)
class PoolRef:
    connection: Connection
    pool_id: str
    name: str
    #: What is known about the pool; one per selection, shared by every tab (not part of the pool's identity).
    state: PoolState = field(compare=False, repr=False)


class PoolPage(Protocol):
    def show_pool(self, pool: PoolRef | None) -> None: ...


class PoolTab:
    """Following the selected pool as the tabs do: forget what the previous pool showed (:meth:`clear`), then
    load the new one (:meth:`load`) once the tab is shown; :meth:`reload` loads the current pool again (Retry,
    Revert, a change announced by another tab). Subclasses set ``ctx`` and :attr:`parts`."""

    pool: PoolRef | None = None
    #: The parts of the pool state this tab shows (changes to them, saved by another tab, reload it).
    parts: frozenset[str] = frozenset()
    _current = False
    _pool_loaded = False
    _operations: tuple[Operation, ...] = ()
    _unsubscribe = None

    def show_pool(self, pool: PoolRef | None) -> None:
        self._stop()
        self.pool, self._pool_loaded = pool, False
        self.clear()
        if pool is not None:
            self._unsubscribe = pool.state.subscribe(self._heard)
            self._load_if_shown()

    def set_current(self, current: bool) -> None:
        """Whether this tab is the one shown; the first time it is, it loads its pool."""
        self._current = current
        self._load_if_shown()

    def reload(self) -> None:
        if self.pool is not None:
            self._cancel()
            self._pool_loaded = False
            self._load_if_shown()

    def run(self, coro: Coroutine[Any, Any, Any], **options: Any) -> Operation:
        """``ctx.runner.run`` for the selected pool: cancelled, with its callbacks, when the selection changes."""
        operation = self.ctx.runner.run(coro, **options)  # type: ignore[attr-defined]
        self._operations = (*(o for o in self._operations if not o.done), operation)
        return operation

    def run_blocking(self, function: Callable[[], Any], **options: Any) -> Operation:
        """:meth:`run` for a blocking call (files), in a worker thread."""
        operation = self.ctx.runner.run_blocking(function, **options)  # type: ignore[attr-defined]
        self._operations = (*(o for o in self._operations if not o.done), operation)
        return operation

    def _load_if_shown(self) -> None:
        if self._current and self.pool is not None and not self._pool_loaded:
            self._pool_loaded = True
            self.load(self.pool)

    def _heard(self, changes: Changes) -> None:
        if changes.origin is self or not changes.touches(self.parts):
            return
        if self.unsaved():
            self.show_stale()
        elif self._pool_loaded:
            self.reload()

    def _cancel(self) -> None:
        for operation in self._operations:
            operation.cancel()
        self._operations = ()

    def _stop(self) -> None:
        self._cancel()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def unsaved(self) -> bool:
        """Whether the tab holds edits not saved yet (a change saved elsewhere in the app then does not replace
        them: :meth:`show_stale` says so instead)."""
        return False

    def show_stale(self) -> None:
        """Another tab saved a part this one shows while it has unsaved edits here."""

    def clear(self) -> None:
        raise NotImplementedError

    def load(self, pool: PoolRef) -> None:
        raise NotImplementedError
