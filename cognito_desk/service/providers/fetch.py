"""HTTP GETs to identity providers: one deadline, bounded size, no metadata hop; ExternalServiceException on failure.

Every call to the outside (JWKS, OpenID discovery and the ``jwks_uri`` it names, Graph API, Login with Amazon)
goes through :func:`get_json`: one overall deadline of 5 s for connecting, sending and reading (a provider
dripping a byte at a time cannot hold a sign-in longer), no redirects, at most 1 MiB of body. Addresses where
clouds serve instance metadata and credentials are refused at every hop (:func:`refused_address`):
link-local (169.254.0.0/16, fe80::/10), ``fd00:ec2::/32`` (AWS IMDS and the EKS pod identity agent over
IPv6), ``100.100.100.200`` (Alibaba Cloud), the unspecified ``0.0.0.0/8`` and ``::`` (which reach this
machine), and each of them written as an IPv4-mapped (``::ffff:a.b.c.d``), IPv4-compatible (``::a.b.c.d``)
or 6to4 IPv6 address — as a URL's host here, and as what a host name resolves to in :class:`GuardedBackend`,
which the service's HTTP client connects through (:func:`guarded_transport`); a name that does not resolve
is the same fixed failure as any other. Loopback and private ranges stay allowed: local and lab identity
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
    try:
        where = urlsplit(url).netloc
    except ValueError:
        where = "(not a URL)"
    return errors.ExternalServiceException(UNAVAILABLE, notes=(f"idp={where}: {reason}",))


#: Cloud metadata and credential endpoints outside link-local: AWS IMDS / EKS pod identity over IPv6, Alibaba.
_METADATA_NETWORKS = (ipaddress.ip_network("fd00:ec2::/32"), ipaddress.ip_network("100.100.100.200/32"))
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d) or 6to4."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    packed = address.packed
    if packed[:12] == bytes(12) and int(address) > 1:  # ::a.b.c.d (deprecated, still routed by some stacks)
        return ipaddress.IPv4Address(packed[12:])
    return None


def refused_address(host: str) -> str | None:
    """Why ``host`` (an IP address literal) is never fetched, or None (a name, or an allowed address)."""
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(address)) is not None:
        candidates.append(embedded)
    for candidate in candidates:
        if candidate.is_link_local:
            return "link-local addresses are never fetched"
        if candidate.is_unspecified or candidate in _THIS_NETWORK:
            return "unspecified addresses (0.0.0.0, ::) are never fetched"
        if any(candidate in network for network in _METADATA_NETWORKS):
            return "cloud metadata addresses are never fetched"
    return None


class AddressRefused(httpcore.ConnectError):
    """A host that is, or resolves to, an address :func:`refused_address` refuses (or that does not resolve)."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host itself and connects only when no address it resolves to is refused."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, resolve=None) -> None:
        self._inner = inner
        self._resolve = resolve

    async def _addresses(self, host: str, port: int) -> list[str]:
        try:
            if self._resolve is not None:
                return await self._resolve(host, port)
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:  # socket.gaierror: the name does not resolve
            raise AddressRefused(f"{host} does not resolve ({type(exc).__name__})") from None
        return [str(info[4][0]) for info in infos]

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options=None) -> httpcore.AsyncNetworkStream:
        addresses = await self._addresses(host, port)
        if not addresses:
            raise AddressRefused(f"{host} does not resolve")
        for address in addresses:
            reason = refused_address(address)
            if reason is not None:
                raise AddressRefused(f"{host} resolves to {address}: {reason}")
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


def guarded_transport(resolve=None, inner: httpcore.AsyncNetworkBackend | None = None
                      ) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go through :class:`GuardedBackend` (around ``inner``, by default
    the real network)."""
    transport = httpx.AsyncHTTPTransport()
    pool = transport._pool  # httpx offers no parameter for the network backend of its pool
    pool._network_backend = GuardedBackend(inner or pool._network_backend, resolve)
    return transport


async def get_json(http: httpx.AsyncClient, url: str, *, params: dict | None = None,
                   headers: dict | None = None, accept_status: tuple[int, ...] = (200,)) -> tuple[int, Any]:
    """``(status, parsed JSON body)`` of ``GET url``; statuses outside ``accept_status`` are refused.

    Raises ExternalServiceException when the provider's address is refused, does not resolve, is unreachable,
    slower than the deadline, answers an unexpected status, or sends a body that is too large or not JSON.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise _unavailable(url, "not a URL") from None
    reason = "no host" if host is None else refused_address(host)
    if reason is not None:
        raise _unavailable(url, reason)
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
        refused = "never fetched" in str(exc) or "does not resolve" in str(exc)  # AddressRefused, re-raised by httpx
        raise _unavailable(url, str(exc) if refused else f"connection failed ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise _unavailable(url, f"connection failed ({type(exc).__name__})") from None
    if response.status_code not in accept_status:
        raise _unavailable(url, f"it answered HTTP {response.status_code}")
    try:
        return response.status_code, json.loads(bytes(body))
    except (ValueError, RecursionError):
        raise _unavailable(url, "its answer is not JSON") from None
