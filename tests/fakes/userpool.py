"""Fake Cognito user pool issuer: JWKS at ``/<poolId>/.well-known/jwks.json``, ID and access tokens.

Tokens carry the real user-pool issuer ``https://cognito-idp.<region>.amazonaws.com/<poolId>``; point the
service at this server with the ``cognito-idp`` endpoint override (:meth:`endpoint_overrides`).
"""

from __future__ import annotations

import uuid

from .jwt_issuer import JwtIssuer


class FakeUserPool(JwtIssuer):
    def __init__(self, region: str = "us-east-1", pool_id: str = "us-east-1_Fake12345") -> None:
        super().__init__(f"https://cognito-idp.{region}.amazonaws.com/{pool_id}", f"/{pool_id}/.well-known/jwks.json")
        self.pool_id = pool_id

    @property
    def provider_name(self) -> str:
        """The Logins key / ``CognitoIdentityProviders[].ProviderName`` of this pool."""
        return self.issuer.removeprefix("https://")

    def endpoint_overrides(self) -> dict[str, str]:
        return {"cognito-idp": self.url}

    def id_token(self, client_id: str, sub: str, *, now: float, **claims) -> str:
        return self.mint(now=now, aud=client_id, sub=sub, token_use="id", auth_time=int(now),
                         **{"cognito:username": sub, **claims})

    def access_token(self, client_id: str, sub: str, *, now: float) -> str:
        return self.mint(now=now, client_id=client_id, sub=sub, token_use="access",
                         scope="aws.cognito.signin.user.admin", jti=str(uuid.uuid4()), username=sub)
