"""Fake Google: its JWKS at ``/oauth2/v3/certs`` and ID tokens with ``iss=https://accounts.google.com``."""

from __future__ import annotations

from .jwt_issuer import JwtIssuer


class FakeGoogle(JwtIssuer):
    def __init__(self) -> None:
        super().__init__("https://accounts.google.com", "/oauth2/v3/certs")

    def endpoint_overrides(self) -> dict[str, str]:
        """``ServiceSettings.provider_endpoints`` entries pointing the service at this fake."""
        return {"accounts.google.com": self.jwks_url}
