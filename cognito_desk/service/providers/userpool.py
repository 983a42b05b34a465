"""Cognito user pool logins: ID tokens under ``cognito-idp.<region>.amazonaws.com/<userPoolId>`` (reference §4.4).

The pool's ``CognitoIdentityProviders`` entries with that ``ProviderName`` give the accepted app client ids.
The token must be a JWT (else "Not a Cognito token."), carry ``iss`` = ``https://<key>``, verify with the user
pool's JWKS (``<iss>/.well-known/jwks.json``, or under the ``cognito-idp`` endpoint override), have an ``aud``
(an access token has none: "Missing a required claim: aud"), be an ID token (``token_use`` = ``id``), be issued
to a configured app client and not be expired.

``ServerSideTokenCheck`` is accepted and not acted on: it asks Cognito to confirm with the user pool that the
user still exists and was not globally signed out, and this service has no user pool to ask — a token that is
valid by itself is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from ...core import errors
from ...core.providers import issuers_for_key
from ..logins import ValidatedLogin
from . import signed_jwt
from .endpoints import ProviderEndpoints
from .jwks import KeySets

KEY_PATTERN = re.compile(r"cognito-idp\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([\w-]+_[0-9a-zA-Z]+)")
NOT_COGNITO = "Invalid login token. Not a Cognito token."


async def validate(keys: KeySets, endpoints: ProviderEndpoints, key: str, token: str, client_ids: Collection[str],
                   now: float) -> ValidatedLogin:
    """Validate a user pool ID token under Logins ``key``, issued to one of ``client_ids``."""
    match = KEY_PATTERN.fullmatch(key)
    if match is None:
        raise errors.NotAuthorizedException(signed_jwt.ISSUER_MISMATCH)
    unverified = signed_jwt.issued_by(token, NOT_COGNITO, issuers_for_key(key))
    await signed_jwt.verify_signature(unverified, keys, endpoints.user_pool_jwks(*match.groups()), now)
    claims = unverified.claims
    signed_jwt.required(claims, "aud")
    if claims.get("token_use") != "id":
        raise errors.NotAuthorizedException(
            f"Invalid login token. Only ID tokens are accepted (token_use is {claims.get('token_use')!r}).")
    client = signed_jwt.audience_in(claims, client_ids, use_azp=False)
    sub = signed_jwt.subject(claims)
    signed_jwt.check_lifetime(claims, now)
    return ValidatedLogin(
        provider_name=key, subject=sub, claims=claims, amr=(key, f"{key}:CognitoSignIn:{sub}"),
        mapping_keys=(f"{key}:{client}", key), default_tags={"client": client, "username": sub})
