"""HTTP GETs to identity providers: one deadline, bounded size, no link-local hop; ExternalServiceException on failure.

Every call to the outside (JWKS, OpenID discovery and the ``jwks_uri`` it names, Graph API, Login with Amazon)
goes through :func:`get_json`: one overall deadline of 5 s for connecting, sending and reading (a provider
dripping a byte at a time cannot hold a sign-in longer), no redirects, at most 1 MiB of body. Link-local
addresses (169.254.0.0/16, fe80::/10 — cloud metadata endpoints) are refused at every hop: as a URL's host
here, and as what a host name resolves to in :class:`GuardedBackend`, which the service's HTTP client
connects through (:func:`guarded_transport`). Loopback and private ranges stay allowed: local and lab identity
providers are the point. A provider that cannot be used is the AWS ``ExternalServiceException`` with one fixed
message (**unconfirmed** wording) that names no host, port or error — unauthenticated callers must not get a
port scanner; what went wrong travels in the exception's ``notes`` (the request's decision notes), never the
URL itself (query strings may carry access tokens).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from ...core import errors

TIMEOUT_SECONDS = 5.0
MAX_BODY_BYTES = 1 << 20
UNAVAILABLE = "The identity provider could not be reached or did not answer as expected."


def _unavailable(url: str, reason: str) -> errors.AwsError:
    return errors.ExternalServiceException(UNAVAILABLE, notes=(f"idp={urlsplit(url).netloc}: {reason}",))


def is_link_local(host: str) -> bool:
    """Whether ``host`` is a link-local IP address literal (IPv4-mapped IPv6 included)."""
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_link_local


class LinkLocalRefused(httpcore.ConnectError):
    """A host that is, or resolves to, a link-local address."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host itself and connects only when no address it resolves to is link-local."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, resolve=None) -> None:
        self._inner = inner
        self._resolve = resolve

    async def _addresses(self, host: str, port: int) -> list[str]:
        if self._resolve is not None:
            return await self._resolve(host, port)
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return [info[4][0] for info in infos]

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options=None) -> httpcore.AsyncNetworkStream:
        addresses = await self._addresses(host, port)
        if not addresses or any(is_link_local(address) for address in addresses):
            raise LinkLocalRefused(f"{host} resolves to a link-local address")
        error: Exception | None = None
        for address in dict.fromkeys(addresses):
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        raise error

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options=None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not identity providers")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(resolve=None) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go through :class:`GuardedBackend`."""
    transport = httpx.AsyncHTTPTransport()
    pool = transport._pool  # httpx offers no parameter for the network backend of its pool
    pool._network_backend = GuardedBackend(pool._network_backend, resolve)
    return transport


async def get_json(http: httpx.AsyncClient, url: str, *, params: dict | None = None,
                   headers: dict | None = None, accept_status: tuple[int, ...] = (200,)) -> tuple[int, Any]:
    """``(status, parsed JSON body)`` of ``GET url``; statuses outside ``accept_status`` are refused.

    Raises ExternalServiceException when the provider is link-local, unreachable, slower than the deadline,
    answers an unexpected status, or sends a body that is too large or not JSON.
    """
    parts = urlsplit(url)
    if parts.hostname is None or is_link_local(parts.hostname):
        raise _unavailable(url, "link-local addresses are never fetched")
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            async with http.stream("GET", url, params=params, headers=headers, timeout=TIMEOUT_SECONDS,
                                   follow_redirects=False) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        raise _unavailable(url, f"the answer is larger than {MAX_BODY_BYTES} bytes")
    except (TimeoutError, httpx.TimeoutException):
        raise _unavailable(url, f"no complete answer within {TIMEOUT_SECONDS:g} s") from None
    except httpx.ConnectError as exc:
        refused = "link-local" in str(exc)  # LinkLocalRefused, as httpx re-raised it
        raise _unavailable(url, str(exc) if refused else f"connection failed ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise _unavailable(url, f"connection failed ({type(exc).__name__})") from None
    if response.status_code not in accept_status:
        raise _unavailable(url, f"it answered HTTP {response.status_code}")
    try:
        return response.status_code, json.loads(bytes(body))
    except (ValueError, RecursionError):
        raise _unavailable(url, "its answer is not JSON") from None
