"""The OAuth 2.0 authorization request every browser login shares, and access-token logins (Amazon, Facebook).

Owns PKCE (RFC 7636, ``S256``), ``state`` (checked on the way back), the authorization URL (client id,
redirect URI the user agent actually listens on, scopes, response type and mode, extra parameters such as
``prompt`` or ``login_hint``), reading the answer (its ``state`` first — an answer to another login is never
read further —, then an ``error`` from the provider becomes a :class:`~.agent.ProviderError` carrying its
code and description, the description always quoted as the provider's own text: :func:`provider_said`) and
the token request (public clients send ``client_id`` and the PKCE verifier; confidential ones authenticate
with HTTP Basic). OIDC builds on this in :mod:`.oidc`; :func:`access_token_login` is the whole flow for
providers whose Cognito ``Logins`` value is an OAuth access token (Login with Amazon, Facebook), by code
exchange or implicit grant.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from .agent import Arrival, ProviderError, UserAgent
from .clients import ProviderClient
from .origins import may_carry_secrets, origin_of, refuse_unapproved
from .timeline import Timeline

__all__ = ["AuthorizationAnswer", "ProviderLogin", "access_token_login", "authorize", "pkce_pair", "token_request"]

PROVIDER_LOGIN = "Provider login"
TOKEN_EXCHANGE = "Token exchange"


@dataclass
class ProviderLogin:
    """What a provider login produced; ``token`` is the value that goes into Cognito ``Logins``."""

    logins_key: str
    token: str
    #: ``id_token``, ``access_token`` or ``SAMLResponse``: what ``token`` is.
    token_type: str
    id_token: str | None = None
    access_token: str | None = None
    #: Claims of the verified id_token, or the SAML assertion's attributes (unverified).
    claims: dict[str, Any] = field(default_factory=dict)
    #: When the provider token stops being accepted (epoch seconds), when known.
    expires_at: float | None = None
    #: Role ARNs the SAML Role attribute offers for this provider.
    saml_roles: tuple[str, ...] = ()
    #: A user pool's refresh token (``REFRESH_TOKEN_AUTH``), kept in memory for the run only.
    refresh_token: str | None = field(default=None, repr=False)


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class AuthorizationAnswer:
    """The provider's answer at the redirect URI, its state checked; ``redirect_uri`` is the one used."""

    params: dict[str, str]
    redirect_uri: str
    code_verifier: str | None


def provider_said(text: str) -> str:
    """A provider's free text, quoted and labelled as the provider's (never as cognito-desk's own words)."""
    return f". The provider's own description (its text, not cognito-desk's): “{text}”" if text else ""


def authorization_url(endpoint: str, query: Mapping[str, str]) -> str:
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(query)


async def authorize(agent: UserAgent, client: ProviderClient, endpoint: str, timeline: Timeline,
                    *, extra: Mapping[str, str] | None = None, pkce: bool = True) -> AuthorizationAnswer:
    """Run the authorization request in ``agent`` and return the checked answer."""
    state = secrets.token_urlsafe(24)
    verifier, challenge = pkce_pair() if pkce and "code" in client.response_type.split() else (None, None)
    used: dict[str, str] = {}

    def start(redirect_uri: str) -> str:
        used["redirect_uri"] = redirect_uri
        query = {"client_id": client.client_id, "redirect_uri": redirect_uri, "response_type": client.response_type,
                 "scope": " ".join(client.scopes), "state": state, **(extra or {})}
        if client.response_mode:
            query["response_mode"] = client.response_mode
        if challenge:
            query.update(code_challenge=challenge, code_challenge_method="S256")
        query.update(client.extra_params)
        return authorization_url(endpoint, query)

    with timeline.call("Provider authorize", PROVIDER_LOGIN):
        try:
            arrival: Arrival = await agent.navigate(start, client.redirect_uri)
        except ProviderError as exc:  # the provider's error page, or a page that went nowhere
            exc.redirect_uri = exc.redirect_uri or used.get("redirect_uri", "")
            raise
        params = arrival.params()
        if params.get("state") != state:  # first: an answer that is not this login's says nothing, error or not
            raise ProviderError("The provider's answer carries another state than the request: it is not the answer "
                                "to this sign-in (a replayed or forged redirect), so it was not used.",
                                error="state_mismatch")
        if "error" in params:  # an OAuth error redirect: the authorize call failed, with the provider's words
            description = params.get("error_description", "")
            raise ProviderError(f"The provider refused the sign-in: {params['error']}" + provider_said(description),
                                error=params["error"], description=description, redirect_uri=used["redirect_uri"])
    return AuthorizationAnswer(params, used["redirect_uri"], verifier)


async def token_request(http: httpx.AsyncClient, client: ProviderClient, endpoint: str, answer: AuthorizationAnswer,
                        client_secret: str | None, timeline: Timeline,
                        approved: Collection[str] | None = None) -> dict[str, Any]:
    """Exchange the authorization code at ``endpoint``; the token response as a dict.

    A client secret goes only over https (plain http to loopback only) and, on a run with ``approved``
    origins, only to one of them; otherwise nothing is sent."""
    if "code" not in answer.params:
        raise ProviderError("The provider's answer has no authorization code.", error="no_code")
    if client_secret:
        if not may_carry_secrets(origin_of(endpoint)):
            raise ProviderError(f"The token endpoint {origin_of(endpoint) or endpoint!r} is plain http on another "
                                "machine: the client secret was not sent (secrets go over https only, or to "
                                "loopback).", error="insecure_token_endpoint")
        refuse_unapproved(endpoint, "token endpoint", approved)
    body = {"grant_type": "authorization_code", "code": answer.params["code"], "redirect_uri": answer.redirect_uri}
    if answer.code_verifier:
        body["code_verifier"] = answer.code_verifier
    auth = None
    if client_secret:
        auth = httpx.BasicAuth(client.client_id, client_secret)
    else:
        body["client_id"] = client.client_id
    with timeline.call("Provider token", TOKEN_EXCHANGE):
        try:
            response = await http.post(endpoint, data=body, auth=auth, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ProviderError(f"The provider's token endpoint {endpoint} did not answer: {exc}") from exc
        try:
            answer_body = response.json()
        except ValueError:
            answer_body = None
        if not isinstance(answer_body, dict):
            raise ProviderError(f"The provider's token endpoint answered HTTP {response.status_code} without a JSON "
                                "object.", error=f"http_{response.status_code}")
        if response.status_code != 200 or "error" in answer_body:
            error = str(answer_body.get("error", f"http_{response.status_code}"))
            description = str(answer_body.get("error_description", ""))
            raise ProviderError(f"The provider's token endpoint refused the code: {error}" + provider_said(description),
                                error=error, description=description)
    return answer_body


def _expiry(expires_in: object, now: float) -> float | None:
    try:
        return now + float(expires_in)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


async def access_token_login(http: httpx.AsyncClient, agent: UserAgent, client: ProviderClient,
                             client_secret: str | None, timeline: Timeline,
                             approved: Collection[str] | None = None) -> ProviderLogin:
    """Login with Amazon / Facebook: an access token by code exchange (``code``) or implicit grant (``token``)."""
    answer = await authorize(agent, client, client.authorization_endpoint, timeline)
    now = time.time()
    if "code" in client.response_type.split():
        tokens = await token_request(http, client, client.token_endpoint, answer, client_secret, timeline, approved)
    else:
        tokens = answer.params
    access_token = tokens.get("access_token")
    if not access_token:
        raise ProviderError("The provider's answer has no access_token.", error="no_access_token")
    return ProviderLogin(client.logins_key, str(access_token), "access_token", access_token=str(access_token),
                         expires_at=_expiry(tokens.get("expires_in"), now))
