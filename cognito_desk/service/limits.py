"""What one unauthenticated request may cost the service: body and header sizes, time to arrive, connections.

:class:`Limits` holds the numbers (``ServiceSettings.limits``); :func:`read_body` reads an ASGI request body
linearly and refuses one over ``max_body_bytes`` — at once from ``Content-Length``, or as soon as a chunked body
passes it — so the rest is never read. The connection-level limits (request line and headers, header and body
timeouts, concurrent connections in all and per client address) are enforced by ``connections.py`` inside
uvicorn's HTTP protocol.

AWS's own front ends refuse far smaller bodies than this for the Cognito Identity API (its largest request,
``SetIdentityPoolRoles`` with many rules, is a few tens of KB); 1 MiB is ample.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    #: Largest request body accepted (answered 413 beyond it).
    max_body_bytes: int = 1 << 20
    #: Largest request line plus headers (answered 431 beyond it).
    max_head_bytes: int = 64 << 10
    #: Seconds a request's line and headers may take to arrive, from its first byte (or from the connection).
    header_timeout: float = 10.0
    #: Seconds a request body may take to arrive once the headers are in.
    body_timeout: float = 30.0
    #: Most connections open at once (also kept below the process's open-file limit): beyond it the one
    #: waiting longest for its headers is closed, or the new one is refused when none is.
    max_connections: int = 1000
    #: Most connections one client address may hold (kept below ``max_connections``): beyond it that client's
    #: slowest connection still sending its request is closed, so one host cannot fill the service.
    max_connections_per_client: int = 100
    #: Seconds an idle keep-alive connection stays open. Longer than the SDKs' own idle timeouts (Go's 90 s,
    #: Terraform's AWS provider among them), as AWS's endpoints are: the client closes an idle connection before
    #: the service does, so no client sends a request on a connection that is closing under it (a request it
    #: would then have to retry, not knowing whether it was done). Crowded idle connections still make room.
    keep_alive_timeout: float = 120.0


class BodyTooLarge(Exception):
    """The request body is larger than ``limit`` bytes (not read further)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body is larger than {limit} bytes.")
        self.limit = limit


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def read_body(scope: dict, receive, limit: int) -> bytes | None:
    """The whole body (None when the client went away first); raises :class:`BodyTooLarge` past ``limit``."""
    declared = declared_length(scope["headers"])
    if declared is not None and declared > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body"):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
