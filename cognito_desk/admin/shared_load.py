"""Loads that many callers share: one request per part, however many ask while it runs.

Owns :class:`SharedLoads` — a small cache of named parts (a described pool, a roles form, the account's roles).
:meth:`SharedLoads.get` returns the part when it is known, else awaits the one load under way for it (starting it
if none is): two tabs asking for the same part cause one request. A caller that is cancelled (its tab moved to
another pool) stops waiting without stopping the load for the others (the load is shielded); :meth:`cancel`
stops every load under way (the whole state is dropped). :meth:`forget` drops a part so the next ``get`` loads it
again; a load that was under way when its part was forgotten or replaced (:meth:`put`) never overwrites the newer
value. Qt-free; runs on whatever asyncio loop the callers use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["SharedLoads"]


class SharedLoads:
    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._loading: dict[str, asyncio.Future] = {}

    def known(self, part: str) -> bool:
        return part in self._values

    def peek(self, part: str, default: Any = None) -> Any:
        """The part as last loaded or put (``default`` when not known) — no request."""
        return self._values.get(part, default)

    async def get(self, part: str, load: Callable[[], Awaitable[Any]]) -> Any:
        if part in self._values:
            return self._values[part]
        future = self._loading.get(part)
        if future is None:
            future = asyncio.ensure_future(load())
            self._loading[part] = future
            future.add_done_callback(lambda done: self._landed(part, done))
        return await asyncio.shield(future)

    def _landed(self, part: str, future: asyncio.Future) -> None:
        if self._loading.get(part) is not future:
            if not future.cancelled():
                future.exception()  # retrieved: a failed load nobody waits for any more is not an error
            return
        del self._loading[part]
        if not future.cancelled() and future.exception() is None:
            self._values[part] = future.result()

    def put(self, part: str, value: Any) -> None:
        """Replace the part (after a save): a load still under way for it is not stored."""
        self._loading.pop(part, None)
        self._values[part] = value

    def forget(self, *parts: str) -> None:
        for part in parts:
            self._loading.pop(part, None)
            self._values.pop(part, None)

    def cancel(self) -> None:
        """Stop every load under way (their callers get ``CancelledError``)."""
        loading, self._loading = list(self._loading.values()), {}
        for future in loading:
            future.cancel()

    @property
    def in_flight(self) -> int:
        return len(self._loading)
