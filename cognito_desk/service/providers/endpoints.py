"""Where the internet identity providers are reached: their real URLs, and the overrides that point them elsewhere.

``ServiceSettings.provider_endpoints`` maps one of the keys below to a URL so that tests and offline labs can
serve an identity provider's keys or API from a local server. An override changes only WHERE keys and user
data are fetched, never what a token's ``iss`` must be. Keys (a choice of this service, not an AWS setting):

* ``accounts.google.com`` — Google's JWKS URL (default ``https://www.googleapis.com/oauth2/v3/certs``);
* ``appleid.apple.com`` — Apple's JWKS URL (default ``https://appleid.apple.com/auth/keys``);
* ``graph.facebook.com`` — the Graph API base URL (default ``https://graph.facebook.com``);
* ``www.amazon.com`` — the Login with Amazon API base URL (default ``https://api.amazon.com``);
* ``cognito-idp`` — a base URL replacing ``https://cognito-idp.<region>.amazonaws.com`` for user pool JWKS
  fetches: keys are then read from ``<base>/<userPoolId>/.well-known/jwks.json``.

Generic OIDC providers need no override: their discovery document is read from the token's (verified)
issuer, and a plain-``http`` issuer is accepted for loopback hosts.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...core.providers import AMAZON, APPLE, FACEBOOK, GOOGLE

USER_POOLS = "cognito-idp"

_DEFAULTS = {
    GOOGLE: "https://www.googleapis.com/oauth2/v3/certs",
    APPLE: "https://appleid.apple.com/auth/keys",
    FACEBOOK: "https://graph.facebook.com",
    AMAZON: "https://api.amazon.com",
}


class ProviderEndpoints:
    """The URLs to fetch identity-provider keys and user data from, overrides applied."""

    def __init__(self, overrides: Mapping[str, str]) -> None:
        self._overrides = dict(overrides)

    def _url(self, key: str) -> str:
        return self._overrides.get(key, _DEFAULTS[key]).rstrip("/")

    def social_jwks(self, provider: str) -> str:
        """JWKS URL of Google or Apple (``provider`` is the Logins key)."""
        return self._url(provider)

    @property
    def facebook_graph(self) -> str:
        return self._url(FACEBOOK)

    @property
    def amazon_api(self) -> str:
        return self._url(AMAZON)

    def user_pool_jwks(self, region: str, user_pool_id: str) -> str:
        base = self._overrides.get(USER_POOLS, f"https://cognito-idp.{region}.amazonaws.com").rstrip("/")
        return f"{base}/{user_pool_id}/.well-known/jwks.json"
