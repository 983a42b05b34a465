"""Fetching and caching identity providers' signing keys (JWKS) and OpenID discovery documents.

One :class:`KeySets` per service instance. Key sets are cached per JWKS URL. A token whose ``kid`` is not in
the cached set causes ONE refetch of that URL — and at most one refetch per URL every ``refetch_interval``
seconds (default 60), so a stream of tokens with made-up ``kid`` values cannot make the service hammer an
identity provider. A cached set older than ``max_age`` (default 1 h) is refetched on next use, so keys an IdP
withdrew stop being trusted. Discovery documents (``<issuer>/.well-known/openid-configuration``) are cached per
issuer for ``max_age``. A signature verified once is taken as verified for the same token for 5 minutes
(remembered by the token's digest, so the memory it takes does not grow with token sizes). No lock is held
across a fetch: concurrent sign-ins needing the same URL share one in-flight fetch (and its one deadline,
``fetch.py``). Times are the service clock's (``now`` passed in), so tests can move them.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from ...core import errors
from .fetch import UNAVAILABLE, get_json

#: How long a verified signature is taken as verified for the same token, and how many are remembered.
VERIFIED_REUSE_SECONDS = 300
_VERIFIED_MAX = 4096


@dataclass
class _Cached:
    value: object
    fetched_at: float


def _signing_keys(url: str, document: object) -> list[dict]:
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise errors.ExternalServiceException(UNAVAILABLE, notes=(f"jwks={url}: no 'keys' list",))
    return [key for key in keys if isinstance(key, dict) and key.get("use", "sig") == "sig"]


class KeySets:
    """JWKS and discovery cache shared by every validation of a service instance."""

    def __init__(self, http: httpx.AsyncClient, *, refetch_interval: float = 60.0, max_age: float = 3600.0) -> None:
        self._http = http
        self.refetch_interval = refetch_interval
        self.max_age = max_age
        self._key_sets: dict[str, _Cached] = {}
        self._last_fetch: dict[str, float] = {}
        self._jwks_uris: dict[str, _Cached] = {}
        #: Fetches under way, by what they fetch: later callers await the same task.
        self._in_flight: dict[str, asyncio.Task] = {}
        #: Signatures verified recently: digest of (JWKS URL, token) -> until when that result is reused.
        self._verified: OrderedDict[bytes, float] = OrderedDict()

    @staticmethod
    def _digest(url: str, token: str) -> bytes:
        return hashlib.sha256(f"{url}\x00{token}".encode()).digest()

    def recently_verified(self, url: str, token: str, now: float) -> bool:
        until = self._verified.get(self._digest(url, token))
        return until is not None and now < until

    def remember_verified(self, url: str, token: str, now: float) -> None:
        self._verified[self._digest(url, token)] = now + VERIFIED_REUSE_SECONDS
        if len(self._verified) > _VERIFIED_MAX:
            self._verified.popitem(last=False)

    def _finished(self, what: str, task: asyncio.Task) -> None:
        self._in_flight.pop(what, None)
        if not task.cancelled():
            task.exception()  # retrieved here too, in case every caller was cancelled

    async def _shared(self, what: str, fetch: Callable[[], Awaitable]) -> object:
        """Run ``fetch()`` once for all concurrent callers asking for ``what``; a caller cancelled leaves it running."""
        task = self._in_flight.get(what)
        if task is None:
            task = self._in_flight[what] = asyncio.ensure_future(fetch())
            task.add_done_callback(lambda done: self._finished(what, done))
        return await asyncio.shield(task)

    async def _fetch_keys(self, url: str, now: float) -> list[dict]:
        self._last_fetch[url] = now
        _, document = await get_json(self._http, url)
        keys = _signing_keys(url, document)
        self._key_sets[url] = _Cached(keys, now)
        return keys

    async def candidates(self, url: str, kid: str | None, now: float) -> list[dict]:
        """The JWKs of ``url`` a token with ``kid`` may be signed with (all keys when the token names none).

        Empty when the key is unknown even after the (rate-limited) refetch.
        """
        cached = self._key_sets.get(url)
        if cached is None or now - cached.fetched_at >= self.max_age:
            keys = await self._shared(url, lambda: self._fetch_keys(url, now))
        else:
            keys = cached.value
        found = _select(keys, kid)
        if not found and now - self._last_fetch.get(url, now) >= self.refetch_interval:
            found = _select(await self._shared(url, lambda: self._fetch_keys(url, now)), kid)
        return found

    async def discovered_jwks_uri(self, issuer: str, now: float) -> str:
        """``jwks_uri`` of the OpenID discovery document of ``issuer``."""
        cached = self._jwks_uris.get(issuer)
        if cached is not None and now - cached.fetched_at < self.max_age:
            return cached.value
        return await self._shared(f"discovery {issuer}", lambda: self._discover(issuer, now))

    async def _discover(self, issuer: str, now: float) -> str:
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        _, document = await get_json(self._http, url)
        jwks_uri = document.get("jwks_uri") if isinstance(document, dict) else None
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise errors.ExternalServiceException(UNAVAILABLE, notes=(f"discovery={issuer}: no usable jwks_uri",))
        self._jwks_uris[issuer] = _Cached(jwks_uri, now)
        return jwks_uri


def _select(keys: list[dict], kid: str | None) -> list[dict]:
    return list(keys) if kid is None else [key for key in keys if key.get("kid") == kid]
