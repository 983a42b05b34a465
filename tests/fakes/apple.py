"""Fake Sign in with Apple: its JWKS at ``/auth/keys`` and ID tokens with ``iss=https://appleid.apple.com``."""

from __future__ import annotations

from .jwt_issuer import JwtIssuer


class FakeApple(JwtIssuer):
    def __init__(self) -> None:
        super().__init__("https://appleid.apple.com", "/auth/keys")

    def endpoint_overrides(self) -> dict[str, str]:
        """``ServiceSettings.provider_endpoints`` entries pointing the service at this fake."""
        return {"appleid.apple.com": self.jwks_url}
