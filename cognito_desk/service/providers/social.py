"""Logins from the social providers of ``SupportedLoginProviders``: Google, Apple, Facebook, Login with Amazon.

* Google and Apple send OIDC ID tokens: ``iss`` must be the provider's (Google also issues the scheme-less
  ``accounts.google.com``), the signature must verify with the provider's JWKS (URL overridable, see
  endpoints.py), ``aud`` must equal the configured client / bundle id.
* Facebook sends an opaque access token: the Graph API says whose it is (``GET /me?fields=id``) and for which
  app (``GET /app``); the app id must equal the configured one.
* Login with Amazon sends an opaque access token: ``GET /auth/o2/tokeninfo`` gives its ``aud`` (client id),
  ``user_id`` and remaining lifetime; ``aud`` must equal the configured client id.
* Twitter and Digits are retired: refused.

Facebook and Amazon logins get synthetic claims ``iss``, ``aud`` (app / client id), ``sub`` (user id), which
role-mapping rules match against (reference §5.4).
"""

from __future__ import annotations

import httpx

from ...core import errors
from ...core.providers import AMAZON, APPLE, FACEBOOK, GOOGLE, NOT_SUPPORTED, TWITTER
from ..logins import ValidatedLogin
from . import signed_jwt
from .endpoints import ProviderEndpoints
from .fetch import get_json
from .jwks import KeySets

_ISSUERS = {GOOGLE: ("https://accounts.google.com", "accounts.google.com"), APPLE: ("https://appleid.apple.com",)}


def refuse_retired(provider: str) -> errors.AwsError:
    name = "Twitter" if provider == TWITTER else "Digits"
    return errors.NotAuthorizedException(
        f"Invalid login token. {name} ({provider}) is a retired login provider and is no longer supported.")


def _login(provider: str, app_id: str, user_id: str, claims: dict) -> ValidatedLogin:
    return ValidatedLogin(
        provider_name=provider, subject=user_id, claims=claims, amr=(provider, f"{provider}:{app_id}:{user_id}"),
        mapping_keys=(provider,), default_tags={"client": app_id, "username": user_id})


async def validate_id_token(keys: KeySets, endpoints: ProviderEndpoints, provider: str, token: str, app_id: str,
                            now: float) -> ValidatedLogin:
    """A Google or Apple ID token for the configured client / bundle id ``app_id``."""
    unverified = signed_jwt.issued_by(token, signed_jwt.NOT_OIDC, _ISSUERS[provider])
    await signed_jwt.verify_signature(unverified, keys, endpoints.social_jwks(provider), now)
    claims = unverified.claims
    signed_jwt.audience_in(claims, (app_id,), use_azp=False)
    sub = signed_jwt.subject(claims)
    signed_jwt.check_lifetime(claims, now)
    return _login(provider, app_id, sub, claims)


def _graph_failure(body: object) -> errors.AwsError:
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return errors.NotAuthorizedException(f"Invalid login token. {message or 'Facebook refused the access token.'}")


async def validate_facebook(http: httpx.AsyncClient, endpoints: ProviderEndpoints, token: str, app_id: str
                            ) -> ValidatedLogin:
    """A Facebook access token of an app whose id is ``app_id``."""
    graph = endpoints.facebook_graph
    answers = []
    for path, params in (("/me", {"fields": "id", "access_token": token}), ("/app", {"access_token": token})):
        status, body = await get_json(http, graph + path, params=params, accept_status=(200, 400, 401, 403))
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("id"), str):
            raise _graph_failure(body)
        answers.append(body["id"])
    user_id, token_app_id = answers
    if token_app_id != app_id:
        raise errors.NotAuthorizedException(NOT_SUPPORTED)
    return _login(FACEBOOK, app_id, user_id, {"iss": "https://graph.facebook.com", "aud": app_id, "sub": user_id})


async def validate_amazon(http: httpx.AsyncClient, endpoints: ProviderEndpoints, token: str, client_id: str
                          ) -> ValidatedLogin:
    """A Login with Amazon access token issued to ``client_id``."""
    status, body = await get_json(http, endpoints.amazon_api + "/auth/o2/tokeninfo", params={"access_token": token},
                                  accept_status=(200, 400, 401))
    if status != 200 or not isinstance(body, dict):
        description = body.get("error_description") if isinstance(body, dict) else None
        raise errors.NotAuthorizedException(
            f"Invalid login token. {description or 'Login with Amazon refused the access token.'}")
    if body.get("aud") != client_id:
        raise errors.NotAuthorizedException(NOT_SUPPORTED)
    user_id = body.get("user_id")
    if not isinstance(user_id, str) or not user_id:
        raise errors.NotAuthorizedException("Invalid login token. Missing a required claim: user_id")
    return _login(AMAZON, client_id, user_id, {"iss": "https://www.amazon.com", "aud": client_id, "sub": user_id})
