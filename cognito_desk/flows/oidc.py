"""OpenID Connect logins: authorization code + PKCE, implicit and hybrid, with the id_token verified.

Owns discovery (``<issuer>/.well-known/openid-configuration``, or the endpoints a client setting names;
the document's ``issuer`` must be the configured one), and :func:`verify_id_token`: the signature against
the provider's JWKS (asymmetric algorithms only, the key chosen by ``kid``), ``iss``, ``aud`` (the client
id), ``exp``/``iat`` and the ``nonce`` this login sent — all before anything is sent to Cognito, so a
refusal there names the provider, not Cognito; :class:`ProviderKeys` keeps JWKS documents between runs.
:func:`oidc_login` is the whole flow; a Cognito user pool's hosted UI is the same flow with the user pool
as issuer.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from .agent import ProviderError, UserAgent
from .clients import ProviderClient
from .oauth import ProviderLogin, authorize, token_request
from .origins import origin_of, refuse_unapproved
from .timeline import Timeline

__all__ = ["OidcEndpoints", "ProviderKeys", "discover", "oidc_login", "verify_id_token"]

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LEEWAY_SECONDS = 60
VERIFY = "Token verification"


@dataclass(frozen=True)
class OidcEndpoints:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


async def _get_json(http: httpx.AsyncClient, url: str, what: str) -> dict[str, Any]:
    try:
        response = await http.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise ProviderError(f"The provider's {what} at {url} could not be fetched: {exc}") from exc
    try:
        body = response.json() if response.status_code == 200 else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ProviderError(f"The provider's {what} at {url} answered HTTP {response.status_code} without a JSON "
                            "object.")
    return body


async def discover(http: httpx.AsyncClient, client: ProviderClient, timeline: Timeline,
                   approved: Collection[str] | None = None) -> OidcEndpoints:
    """The client's endpoints: its own settings where given, the provider's discovery document for the rest.

    With ``approved`` origins (a scenario run), every endpoint must be on the issuer's origin or approved."""
    issuer = client.issuer.rstrip("/")
    if client.authorization_endpoint and client.token_endpoint and client.jwks_uri:
        return _checked(OidcEndpoints(issuer, client.authorization_endpoint, client.token_endpoint,
                                      client.jwks_uri), approved)
    with timeline.call("Provider discovery", "Provider login"):
        document = await _get_json(http, f"{issuer}/.well-known/openid-configuration", "discovery document")
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise ProviderError(f"The discovery document of {issuer} names another issuer "
                            f"({document.get('issuer')!r}): check the issuer URL.", error="issuer_mismatch")
    try:
        endpoints = OidcEndpoints(issuer, client.authorization_endpoint or str(document["authorization_endpoint"]),
                                  client.token_endpoint or str(document.get("token_endpoint", "")),
                                  client.jwks_uri or str(document["jwks_uri"]))
    except KeyError as exc:
        raise ProviderError(f"The discovery document of {issuer} has no {exc.args[0]}.") from None
    return _checked(endpoints, approved)


def _checked(endpoints: OidcEndpoints, approved: Collection[str] | None) -> OidcEndpoints:
    home = origin_of(endpoints.issuer)
    for what, url in (("authorization endpoint", endpoints.authorization_endpoint),
                      ("token endpoint", endpoints.token_endpoint), ("JWKS", endpoints.jwks_uri)):
        if url:
            refuse_unapproved(url, what, approved, also=home)
    return endpoints


class ProviderKeys:
    """Providers' JWKS documents, kept ``ttl`` seconds; a ``kid`` the kept document lacks fetches it again."""

    def __init__(self, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._documents: dict[str, tuple[float, dict[str, Any]]] = {}

    async def document(self, http: httpx.AsyncClient, url: str, kid: str | None, timeline: Timeline
                       ) -> dict[str, Any]:
        kept = self._documents.get(url)
        if kept is not None and self._clock() - kept[0] < self.ttl and (kid is None or any(
                isinstance(key, dict) and key.get("kid") == kid for key in kept[1].get("keys", []))):
            return kept[1]
        with timeline.call("Provider JWKS", VERIFY):
            document = await _get_json(http, url, "JWKS")
        self._documents[url] = (self._clock(), document)
        return document


async def verify_id_token(http: httpx.AsyncClient, token: str, endpoints: OidcEndpoints, client_id: str,
                          nonce: str | None, timeline: Timeline, keys: ProviderKeys | None = None
                          ) -> dict[str, Any]:
    """The id_token's claims once its signature, issuer, audience, lifetime and nonce check out."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise ProviderError(f"The id_token is not a signed JWT: {exc}", error="invalid_id_token") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise ProviderError(f"The id_token is signed with {algorithm!r}; only asymmetric algorithms "
                            f"({', '.join(ALGORITHMS)}) can be verified against the provider's keys.",
                            error="invalid_id_token")
    document = await (keys or ProviderKeys()).document(http, endpoints.jwks_uri, header.get("kid"), timeline)
    with timeline.call("Verify id_token", VERIFY):
        return _verified_claims(token, header, document, endpoints, client_id, nonce)


def _verified_claims(token: str, header: dict[str, Any], document: dict[str, Any], endpoints: OidcEndpoints,
                     client_id: str, nonce: str | None) -> dict[str, Any]:
    algorithm = header["alg"]
    try:
        keys = jwt.PyJWKSet.from_dict(document)
    except jwt.PyJWTError as exc:
        raise ProviderError(f"The provider's JWKS at {endpoints.jwks_uri} is unusable: {exc}") from None
    kid = header.get("kid")
    candidates = [key for key in keys.keys if kid is None or key.key_id == kid]
    if not candidates:
        raise ProviderError(f"The provider's JWKS has no key with kid {kid!r}: the id_token was not signed by "
                            f"{endpoints.issuer}.", error="invalid_id_token")
    try:
        claims = jwt.decode(token, candidates[0].key, algorithms=[algorithm], audience=client_id,
                            issuer=endpoints.issuer, leeway=LEEWAY_SECONDS,
                            options={"require": ["exp", "iat", "sub"]})
    except jwt.ExpiredSignatureError:
        raise ProviderError("The id_token has expired.", error="expired_id_token") from None
    except jwt.InvalidAudienceError:
        raise ProviderError(f"The id_token was issued to another client (aud is not {client_id!r}).",
                            error="invalid_audience") from None
    except jwt.InvalidIssuerError:
        raise ProviderError(f"The id_token's issuer is not {endpoints.issuer}.", error="invalid_issuer") from None
    except jwt.PyJWTError as exc:
        raise ProviderError(f"The id_token failed verification: {exc}", error="invalid_id_token") from None
    if nonce is not None and claims.get("nonce") != nonce:
        raise ProviderError("The id_token's nonce is not the one this sign-in sent: it belongs to another login "
                            "(a replayed token), so it was not used.", error="nonce_mismatch")
    return claims


async def oidc_login(http: httpx.AsyncClient, agent: UserAgent, client: ProviderClient,
                     client_secret: str | None, timeline: Timeline, keys: ProviderKeys | None = None,
                     approved: Collection[str] | None = None) -> ProviderLogin:
    """Sign in with an OpenID Provider in ``agent``; the verified id_token (and access token when issued).

    ``approved``: the origins a scenario run approved (None in the tester), see :mod:`.origins`."""
    endpoints = await discover(http, client, timeline, approved)
    response_types = client.response_type.split()
    nonce = secrets.token_urlsafe(24)
    answer = await authorize(agent, client, endpoints.authorization_endpoint, timeline, extra={"nonce": nonce})
    tokens: dict[str, Any] = dict(answer.params)
    if "code" in response_types:
        if not endpoints.token_endpoint:
            raise ProviderError(f"{endpoints.issuer} has no token endpoint for the code flow.")
        tokens.update(await token_request(http, client, endpoints.token_endpoint, answer, client_secret, timeline,
                                          approved))
    id_token = tokens.get("id_token")
    if not id_token:
        raise ProviderError("The provider's answer has no id_token (is 'openid' among the scopes?).",
                            error="no_id_token")
    claims = await verify_id_token(http, str(id_token), endpoints, client.client_id, nonce, timeline, keys)
    access_token = tokens.get("access_token")
    send_access = client.send_token == "access_token" and access_token
    return ProviderLogin(client.logins_key, str(access_token if send_access else id_token),
                         "access_token" if send_access else "id_token", id_token=str(id_token),
                         access_token=str(access_token) if access_token else None, claims=claims,
                         expires_at=float(claims["exp"]))
