"""What a per-pool tab is told: which pool of which connection is selected.

Owns :class:`PoolRef` and the :class:`PoolPage` protocol. The main window shows one tab per page
(Settings, Identities, Providers, Roles & rules, Tester …) and calls :meth:`PoolPage.show_pool` when
the selected pool changes (None: no pool, or the connection changed); a page loads what it needs
through the window's runner and must drop anything it showed for the previous pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..backend import Connection

__all__ = ["PoolPage", "PoolRef"]


@dataclass(frozen=True)
class PoolRef:
    connection: Connection
    pool_id: str
    name: str


class PoolPage(Protocol):
    def show_pool(self, pool: PoolRef | None) -> None: ...
