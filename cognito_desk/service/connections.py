"""The service's HTTP/1.1 connections: uvicorn's httptools protocol with the limits uvicorn lacks.

uvicorn bounds idle keep-alive connections (``timeout_keep_alive``) but not a request that never finishes
arriving, nor the size of a request line and headers under httptools, nor the number of connections a client
may hold open while sending nothing. :func:`protocol_for` returns a protocol class enforcing
``ServiceSettings.limits`` (``limits.py``): a request's line and headers must fit in ``max_head_bytes``
(else ``431``) and arrive within ``header_timeout`` of its first byte (or of the connection, when nothing
comes); its body must arrive within ``body_timeout`` (else ``408``); past ``max_connections`` the connection
waiting longest for its headers is closed to make room, and a new one is refused with ``503`` when every
connection is busy with a request. Each refusal closes the connection; nothing of it reaches the app.
"""

from __future__ import annotations

import asyncio
import time

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .limits import Limits

try:
    import resource
except ImportError:  # Windows
    resource = None

#: File descriptors kept back from the connection cap for the database, logs and outgoing fetches.
_RESERVED_FDS = 64


def connection_cap(limits: Limits) -> int:
    """``limits.max_connections``, lowered to fit under the process's open-file limit."""
    if resource is None:
        return limits.max_connections
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return limits.max_connections
    return max(1, min(limits.max_connections, soft - _RESERVED_FDS))


def _raw_response(status: int, reason: str) -> bytes:
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: "
            f"{len(reason)}\r\nconnection: close\r\n\r\n{reason}").encode("ascii")


class GuardedProtocol(HttpToolsProtocol):
    """One client connection, held to :attr:`limits` (set per service by :func:`protocol_for`)."""

    limits: Limits = Limits()
    cap: int = Limits().max_connections

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._timer: asyncio.TimerHandle | None = None
        self._in_head = True
        self._head_bytes = 0
        self._since = time.monotonic()
        self._arm(self.limits.header_timeout)
        if len(self.connections) > self.cap and not self._make_room():
            self._refuse(503, "Service Unavailable")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _make_room(self) -> bool:
        """Close the connection waiting longest for its request line and headers; False when there is none."""
        waiting = [c for c in self.connections
                   if c is not self and getattr(c, "_in_head", False) and not c.transport.is_closing()]
        if not waiting:
            return False
        min(waiting, key=lambda c: c._since)._expire()
        return True

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        """Out of time (or evicted): answer 408 to a request under way, then close."""
        self._timer = None
        if self.transport.is_closing():
            return
        under_way = self._head_bytes > 0 if self._in_head else not (self.cycle and self.cycle.response_started)
        if under_way:
            self.transport.write(_raw_response(408, "Request Timeout"))
        self._close()

    def _refuse(self, status: int, reason: str) -> None:
        self._disarm()
        self.transport.write(_raw_response(status, reason))
        self._close()

    def _close(self) -> None:
        # Counted out at once (uvicorn would only on connection_lost, an iteration later): the room is free now.
        self.connections.discard(self)
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        if not self._in_head:
            super().data_received(data)
            return
        if self._timer is None:  # a keep-alive connection starting its next request
            self._since = time.monotonic()
            self._arm(self.limits.header_timeout)
        while data and not self.transport.is_closing():
            if not self._in_head:
                super().data_received(data)
                return
            room = self.limits.max_head_bytes - self._head_bytes
            if room <= 0:
                self._refuse(431, "Request Header Fields Too Large")
                return
            head, data = data[:room], data[room:]
            self._head_bytes += len(head)
            super().data_received(head)  # may complete the headers, or a whole request (then counting restarts)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._arm(self.limits.body_timeout)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()
        self._in_head = True
        self._head_bytes = 0


def protocol_for(limits: Limits) -> type[GuardedProtocol]:
    """The protocol class uvicorn should use (``Config(http=...)``) for a service with ``limits``."""
    return type("GuardedProtocol", (GuardedProtocol,), {"limits": limits, "cap": connection_cap(limits)})
