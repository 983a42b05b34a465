"""The service's HTTP/1.1 connections: uvicorn's httptools protocol with the limits uvicorn lacks.

uvicorn bounds idle keep-alive connections (``timeout_keep_alive``) but not a request that never finishes
arriving, nor the size of a request line and headers under httptools, nor the number of connections a client
may hold open while sending nothing. :func:`protocol_for` returns a protocol class enforcing
``ServiceSettings.limits`` (``limits.py``): a request's line and headers must fit in ``max_head_bytes``
(else ``431``) and arrive within ``header_timeout`` of its first byte (or of the connection, when nothing
comes); its body must arrive within ``body_timeout`` (else ``408``). Room is made rather than refused: past
``max_connections_per_client`` connections from one address, or ``max_connections`` in all, the slowest
connection still waiting on its client — idle between requests, or sending its headers or body, the one that
sent the fewest bytes per second — is closed (``408`` when a request was under way), in that client's
connections first; a new one is refused with ``503`` only when every connection is busy with a request the
app is answering. Each refusal closes the connection; nothing of it reaches the app. An idle keep-alive
connection whose client has just sent its next request (bytes waiting, not read yet) is not closed at its idle
timeout: that request is read and answered.
"""

from __future__ import annotations

import asyncio
import select
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


def _sweep_interval(limits: Limits) -> float:
    return min(1.0, max(0.05, min(limits.header_timeout, limits.body_timeout) / 4))


class GuardedProtocol(HttpToolsProtocol):
    """One client connection, held to :attr:`limits` (set per service by :func:`protocol_for`).

    Deadlines are plain numbers checked by one sweep per service every fraction of a timeout (at most 1 s), so a
    request costs no timer of its own: a request may overstay its timeout by up to that interval.
    """

    limits: Limits = Limits()
    cap: int = Limits().max_connections
    _sweeping = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        peer = transport.get_extra_info("peername")
        self._client = peer[0] if isinstance(peer, tuple) and peer else ""
        self._in_head = True
        self._in_body = False
        self._head_bytes = 0
        self._received = 0
        self._since = time.monotonic()
        self._deadline: float | None = self._since + self.limits.header_timeout
        if not type(self)._sweeping:
            type(self)._sweeping = True
            self.loop.call_later(_sweep_interval(self.limits), self._sweep)
        per_client = min(self.limits.max_connections_per_client, self.cap - 1)
        mine = [c for c in self.connections if getattr(c, "_client", None) == self._client]
        crowded = len(mine) > max(1, per_client) and not self._make_room(mine)
        if crowded or (len(self.connections) > self.cap and not self._make_room(self.connections)):
            self._refuse(503, "Service Unavailable")

    def _sweep(self) -> None:
        """Expire every connection of this service past its deadline; runs for as long as the loop does."""
        now = time.monotonic()
        for connection in list(self.connections):
            deadline = getattr(connection, "_deadline", None)
            if deadline is not None and now >= deadline:
                connection._expire()
        self.loop.call_later(_sweep_interval(self.limits), self._sweep)

    def _waiting_on_client(self) -> bool:
        """Sending its body, or its headers / idle while no request of it is still being answered."""
        answering = self.cycle is not None and not self.cycle.response_complete
        return (self._in_body or (self._in_head and not answering)) and not self.transport.is_closing()

    def _rate(self, now: float) -> float:
        """Bytes per second this connection has sent since its request (or the connection) began."""
        return self._received / max(now - self._since, 1e-3)

    def _make_room(self, among) -> bool:
        """Close the slowest of ``among`` still waiting on its client (idle, or sending headers or body); False
        when every one of them is busy with a request being answered."""
        now = time.monotonic()
        waiting = [c for c in among if c is not self and getattr(c, "_in_head", None) is not None
                   and c._waiting_on_client()]
        if not waiting:
            return False
        min(waiting, key=lambda c: (c._rate(now), c._since))._expire()
        return True

    def timeout_keep_alive_handler(self) -> None:
        """uvicorn's idle timeout, unless the next request has arrived meanwhile: it is read, not dropped."""
        if self._unread_bytes():
            self.timeout_keep_alive_task = None
            return
        super().timeout_keep_alive_handler()

    def _unread_bytes(self) -> bool:
        """Whether the client's socket holds bytes the loop has not read yet (or its end: read soon as well)."""
        sock = self.transport.get_extra_info("socket")
        if sock is None:
            return False
        try:
            readable, _, _ = select.select([sock.fileno()], [], [], 0)
        except (OSError, ValueError):  # closed, or a descriptor past select's range: the plain timeout applies
            return False
        return bool(readable)

    def _expire(self) -> None:
        """Out of time (or evicted): answer 408 to a request under way, then close."""
        self._deadline = None
        if self.transport.is_closing():
            return
        under_way = self._head_bytes > 0 if self._in_head else not (self.cycle and self.cycle.response_started)
        if under_way:
            self.transport.write(_raw_response(408, "Request Timeout"))
        self._close()

    def _refuse(self, status: int, reason: str) -> None:
        self._deadline = None
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
            self._received += len(data)
            super().data_received(data)
            return
        if self._deadline is None:  # a keep-alive connection starting its next request
            self._since = time.monotonic()
            self._received = 0
            self._deadline = self._since + self.limits.header_timeout
        self._received += len(data)
        while data and not self.transport.is_closing():
            if not self._in_head:
                super().data_received(data)
                return
            room = self.limits.max_head_bytes - self._head_bytes
            if room <= 0:
                self._refuse(431, "Request Header Fields Too Large")
                return
            head, data = (data, b"") if len(data) <= room else (data[:room], data[room:])
            self._head_bytes += len(head)
            super().data_received(head)  # may complete the headers, or a whole request (then counting restarts)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._in_body = True
        self._deadline = time.monotonic() + self.limits.body_timeout
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_body = False
        self._deadline = None
        self._in_head = True
        self._head_bytes = 0


def protocol_for(limits: Limits) -> type[GuardedProtocol]:
    """The protocol class uvicorn should use (``Config(http=...)``) for a service with ``limits``."""
    return type("GuardedProtocol", (GuardedProtocol,), {"limits": limits, "cap": connection_cap(limits)})
