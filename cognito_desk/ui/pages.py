"""What a per-pool tab is told: which pool of which connection is selected.

Owns :class:`PoolRef`, the :class:`PoolPage` protocol and :class:`PoolTab` (the way most tabs follow it).
The main window shows one tab per page (Settings, Identities, Providers, Roles & rules, Tester …) and
calls :meth:`PoolPage.show_pool` when the selected pool changes (None: no pool, or the connection
changed); a page loads what it needs through the window's runner and must drop anything it showed for
the previous pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..backend import Connection

__all__ = ["PoolPage", "PoolRef", "PoolTab"]


@dataclass(frozen=True)
class PoolRef:
    connection: Connection
    pool_id: str
    name: str


class PoolPage(Protocol):
    def show_pool(self, pool: PoolRef | None) -> None: ...


class PoolTab:
    """Following the selected pool as most tabs do: forget what the previous pool showed (:meth:`clear`), then
    load the new one (:meth:`load`); :meth:`reload` loads the current pool again (Retry, after a save)."""

    pool: PoolRef | None = None

    def show_pool(self, pool: PoolRef | None) -> None:
        self.pool = pool
        self.clear()
        if pool is not None:
            self.load(pool)

    def reload(self) -> None:
        if self.pool is not None:
            self.load(self.pool)

    def clear(self) -> None:
        raise NotImplementedError

    def load(self, pool: PoolRef) -> None:
        raise NotImplementedError
