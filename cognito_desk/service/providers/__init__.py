"""Token validation for the identity providers an identity pool trusts: one :class:`ProviderVerifier` per service.

``ProviderVerifier.validate`` decides from the Logins key which kind of provider a login names on a pool
(reference §4.3) — a ``SupportedLoginProviders`` domain (Google, Apple, Facebook, Login with Amazon; Twitter
and Digits are refused as retired), a configured ``cognito-idp.<region>.amazonaws.com/<userPoolId>``, the
host[/path] of an attached IAM OIDC provider, or the full ARN of an attached IAM SAML provider — and validates
the token accordingly (§4.4), answering a :class:`~cognito_desk.service.logins.ValidatedLogin`. Anything else,
including an ARN attached to the pool but deleted from IAM, is "Token is not from a supported provider of this
identity pool.". ``verify_oidc_token`` serves STS AssumeRoleWithWebIdentity for registered IAM OIDC providers.

``ValidatedLogin.default_tags`` uses the tag keys ``client`` (← ``aud`` / app id) and ``username`` (← ``sub`` /
user id; SAML: the ``…/claims/nameidentifier`` attribute, else the NameID, plus ``name`` ← ``…/claims/name``
when sent). AWS documents these defaults only as "username and clientID": the key names are this service's
choice (reference §5.8, unconfirmed). Where keys and user data are fetched: see ``endpoints.py``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass

import httpx

from ...core import errors
from ...core.providers import AMAZON, FACEBOOK, NOT_SUPPORTED, RETIRED, SOCIAL, with_or_without_slash
from ..context import ServiceSettings
from ..logins import ValidatedLogin
from ..store import Store
from . import oidc, saml, social, userpool
from .endpoints import ProviderEndpoints
from .jwks import KeySets
from .signed_jwt import MAX_TOKEN_CHARS, TokenExpired

__all__ = ["MAX_TOKEN_CHARS", "ProviderVerifier", "TokenExpired"]


@dataclass(frozen=True)
class _PoolProviders:
    """A pool's provider configuration, parsed once while the pool is unchanged (memoised by the store)."""

    social: dict[str, str]
    user_pools: dict[str, list[str]]
    oidc: dict[str, str]  # Logins key -> provider ARN
    saml: frozenset[str]

    @classmethod
    def of(cls, pool: sqlite3.Row) -> _PoolProviders:
        user_pools: dict[str, list[str]] = {}
        for provider in json.loads(pool["cognito_identity_providers"]):
            user_pools.setdefault(provider.get("ProviderName"), []).append(provider.get("ClientId"))
        oidc_keys: dict[str, str] = {}
        for arn in json.loads(pool["openid_connect_provider_arns"]):
            oidc_keys.setdefault(arn.partition(":oidc-provider/")[2], arn)
        return cls(json.loads(pool["supported_login_providers"]), user_pools, oidc_keys,
                   frozenset(json.loads(pool["saml_provider_arns"])))


class ProviderVerifier:
    """One per service instance; owns the JWKS cache and an httpx.AsyncClient it is given."""

    def __init__(self, settings: ServiceSettings, store: Store, http: httpx.AsyncClient, *,
                 jwks_refetch_interval: float = 60.0) -> None:
        self._settings = settings
        self._store = store
        self._http = http
        self._endpoints = ProviderEndpoints(settings.provider_endpoints)
        self._keys = KeySets(http, refetch_interval=jwks_refetch_interval)

    async def validate(self, pool: sqlite3.Row, provider_name: str, token: str, *, now: float) -> ValidatedLogin:
        """Validate one Logins entry for ``pool`` (a row of table pools).

        Raises NotAuthorizedException with AWS's message, or ExternalServiceException when the provider
        cannot be reached (5 s timeouts).
        """
        if provider_name in RETIRED:
            raise social.refuse_retired(provider_name)
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            raise errors.NotAuthorizedException(
                f"Invalid login token. The token is longer than {MAX_TOKEN_CHARS} characters.")
        config = self._store.memo("pools", f"{pool['id']}#providers", lambda: _PoolProviders.of(pool))
        if provider_name in config.social and provider_name in SOCIAL:
            return await self._social(provider_name, token, config.social[provider_name], now)
        client_ids = config.user_pools.get(provider_name)
        if client_ids:
            return await userpool.validate(self._keys, self._endpoints, provider_name, token, client_ids, now)
        arn = config.oidc.get(provider_name)
        if arn is not None:
            return await oidc.validate(self._keys, self._store, arn, provider_name, token, now)
        if provider_name in config.saml:
            return saml.validate(self._store, provider_name, token, self._settings.region, now)
        raise errors.NotAuthorizedException(NOT_SUPPORTED)

    async def _social(self, provider: str, token: str, app_id: str, now: float) -> ValidatedLogin:
        if provider == FACEBOOK:
            return await social.validate_facebook(self._http, self._endpoints, token, app_id)
        if provider == AMAZON:
            return await social.validate_amazon(self._http, self._endpoints, token, app_id)
        return await social.validate_id_token(self._keys, self._endpoints, provider, token, app_id, now)

    async def verify_oidc_token(self, issuer_url: str, token: str, audiences: Collection[str], *,
                                now: float) -> dict:
        """Verify a JWT from a registered IAM OIDC provider (for STS AssumeRoleWithWebIdentity).

        ``issuer_url`` is the provider's URL with its scheme (a trailing slash may differ); returns the claims or raises
        NotAuthorizedException / TokenExpired (or ExternalServiceException when the issuer is unreachable).
        """
        return await oidc.verify_issuer_token(self._keys, with_or_without_slash(issuer_url), token, audiences, now)
