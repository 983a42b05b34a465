"""Validation of the ``Logins`` map of the public flows: one ValidatedLogin per entry.

Each entry of ``Logins`` is a provider name and a token. This module decides which kind of
provider a key names on a given pool and validates the token accordingly; any failure fails the
whole call with ``NotAuthorizedException`` (reference §4.4). Tokens are never stored: a validated
login keeps only the provider's stable user key (hashed by :func:`subject_key`) and its claims.

This module handles ``cognito-identity.amazonaws.com`` (this service's own tokens, as the
developer flow passes them to GetCredentialsForIdentity) and refuses the pool's developer provider
name; every other key goes to ``providers.ProviderVerifier`` (social, OIDC, user-pool, SAML).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field

import jwt

from ..core import errors
from ..core.providers import COGNITO_PROVIDER
from .context import RequestContext


@dataclass(frozen=True)
class ValidatedLogin:
    provider_name: str
    #: The provider's stable user key (e.g. the token ``sub``); hashed before it is stored.
    subject: str
    claims: dict = field(default_factory=dict)
    #: ``amr`` entries this login contributes to the Cognito token.
    amr: tuple[str, ...] = ()
    #: For this service's own tokens: the identity the token was issued to.
    identity_id: str | None = None
    #: RoleMappings keys that address this login, most specific first (reference §5.2).
    mapping_keys: tuple[str, ...] = ()
    #: Role ARNs offered by a SAML assertion's Role attribute.
    saml_roles: tuple[str, ...] = ()
    #: Session tags of the provider's default principal-tag mapping (reference §5.8).
    default_tags: dict = field(default_factory=dict)


def subject_key(pool_id: str, provider_name: str, subject: str) -> str:
    """The one-way hash under which a provider login is linked to an identity."""
    return hashlib.sha256(f"{pool_id}\x00{provider_name}\x00{subject}".encode()).hexdigest()


def _cognito_token(ctx: RequestContext, pool: sqlite3.Row, token: str) -> ValidatedLogin:
    try:
        claims = ctx.keys.verify(token, now=ctx.now())
    except jwt.ExpiredSignatureError:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
        raise errors.NotAuthorizedException(f"Invalid login token. Token expired: {int(ctx.now())} >= {exp}") \
            from None
    except jwt.InvalidTokenError:
        raise errors.NotAuthorizedException("Invalid login token. Couldn't verify signed token.") from None
    if claims.get("aud") != pool["id"]:
        raise errors.NotAuthorizedException("Token is not from a supported provider of this identity pool.")
    amr = tuple(claims.get("amr") or ())
    return ValidatedLogin(COGNITO_PROVIDER, claims["sub"], claims, amr, identity_id=claims["sub"])


async def validate_logins(ctx: RequestContext, pool: sqlite3.Row, logins: dict[str, str]) -> list[ValidatedLogin]:
    """Validate every entry of ``logins`` for ``pool`` (request order kept) or raise NAE."""
    validated = []
    for provider, token in logins.items():
        if provider == COGNITO_PROVIDER:
            validated.append(_cognito_token(ctx, pool, token))
        elif provider == pool["developer_provider_name"]:
            raise errors.NotAuthorizedException(
                f"'{provider}' is this pool's developer provider: developer identities sign in with the token "
                "of GetOpenIdTokenForDeveloperIdentity under the key 'cognito-identity.amazonaws.com'.")
        else:
            validated.append(await ctx.providers.validate(pool, provider, token, now=ctx.now()))
    return validated
