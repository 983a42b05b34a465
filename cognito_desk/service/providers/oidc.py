"""Generic OpenID Connect logins: tokens from an IAM OIDC provider attached to the identity pool (reference §4.4).

The Logins key is what follows ``oidc-provider/`` in one of the pool's ``OpenIdConnectProviderARNs``; the
provider's row in ``iam_oidc_providers`` gives its client-id (audience) list. The token's ``iss`` must be
``https://<key>`` (``http://`` only on a loopback host), its signature must verify with a key from the
``jwks_uri`` of the issuer's discovery document, ``azp`` (when present, else ``aud``) must be a registered
client id, and ``exp``/``nbf``/``iat`` hold with 5 minutes of skew. IAM's certificate thumbprints are not
compared (AWS stopped relying on them for well-known CAs; a local service has no pinned TLS chain to check).
:func:`verify_issuer_token` is the same check for STS AssumeRoleWithWebIdentity, given the issuer URL.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from ...core import errors
from ...core.providers import NOT_SUPPORTED, issuers_for_key
from ..logins import ValidatedLogin
from ..store import Store
from . import signed_jwt
from .jwks import KeySets


async def verify_issuer_token(keys: KeySets, issuers: Collection[str], token: str, audiences: Collection[str],
                              now: float) -> dict:
    """Claims of an OIDC ``token`` issued by one of ``issuers`` to one of ``audiences``, or NAE."""
    unverified = signed_jwt.issued_by(token, signed_jwt.NOT_OIDC, issuers)
    issuer = unverified.claims["iss"]
    await signed_jwt.verify_signature(unverified, keys, await keys.discovered_jwks_uri(issuer, now), now)
    claims = unverified.claims
    signed_jwt.audience_in(claims, audiences, use_azp=True)
    signed_jwt.subject(claims)
    signed_jwt.check_lifetime(claims, now)
    return claims


def _client_ids(store: Store, arn: str) -> tuple[str, ...] | None:
    provider = store.query_one("SELECT client_ids FROM iam_oidc_providers WHERE arn = ?", (arn,))
    return None if provider is None else tuple(json.loads(provider["client_ids"]))


async def validate(keys: KeySets, store: Store, arn: str, key: str, token: str, now: float) -> ValidatedLogin:
    """Validate an OIDC login under Logins ``key`` for the IAM OIDC provider ``arn``."""
    client_ids = store.memo("iam_oidc_providers", arn, lambda: _client_ids(store, arn))
    if client_ids is None:
        raise errors.NotAuthorizedException(NOT_SUPPORTED)
    claims = await verify_issuer_token(keys, issuers_for_key(key), token, client_ids, now)
    client = signed_jwt.audience_in(claims, client_ids, use_azp=True)
    sub = claims["sub"]
    return ValidatedLogin(
        provider_name=key, subject=sub, claims=claims, amr=(key, f"{arn}:OIDC:{sub}"),
        mapping_keys=(arn, key), default_tags={"client": client, "username": sub})
