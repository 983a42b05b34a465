"""A fake JWT issuer: publishes a JWKS at a path of its own server and mints tokens signed with its keys.

Specialised by the Google, Apple and user-pool fakes (fixed ``iss``, their real JWKS paths) and by
:class:`OidcProvider` (a generic OpenID provider whose issuer is its own loopback URL, with discovery).
"""

from __future__ import annotations

from typing import Any

from . import FakeHttpServer
from .keys import SigningKey


class JwtIssuer(FakeHttpServer):
    def __init__(self, issuer: str | None, jwks_path: str, alg: str = "RS256") -> None:
        super().__init__()
        self._issuer = issuer
        self.jwks_path = jwks_path
        #: Published keys; the first one signs.
        self.keys: list[SigningKey] = [SigningKey.generate("key-1", alg)]

    @property
    def issuer(self) -> str:
        return self._issuer

    @property
    def jwks_url(self) -> str:
        return self.url + self.jwks_path

    @property
    def signing_key(self) -> SigningKey:
        return self.keys[0]

    def rotate(self, kid: str, alg: str = "RS256") -> SigningKey:
        """Publish a new key in place of the old ones and sign with it from now on."""
        self.keys = [SigningKey.generate(kid, alg)]
        return self.keys[0]

    def answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, Any]:
        if path == self.jwks_path:
            return 200, {"keys": [key.jwk() for key in self.keys]}
        return 404, {"error": "not_found"}

    def mint(self, *, now: float, lifetime: int = 3600, key: SigningKey | None = None, **claims: Any) -> str:
        """A token from this issuer: ``iss``, ``iat``, ``exp`` set from ``now`` unless given in ``claims``."""
        body = {"iss": self.issuer, "iat": int(now), "exp": int(now) + lifetime, **claims}
        return (key or self.signing_key).sign({k: v for k, v in body.items() if v is not None})


class OidcProvider(JwtIssuer):
    """A generic OpenID provider on loopback: issuer ``http://127.0.0.1:<port>``, discovery, JWKS."""

    def __init__(self, alg: str = "RS256") -> None:
        super().__init__(None, "/jwks", alg)

    @property
    def issuer(self) -> str:
        return self.url

    @property
    def logins_key(self) -> str:
        """The Logins key (and what follows ``oidc-provider/`` in the IAM ARN): the issuer without scheme."""
        return self.url.removeprefix("http://")

    def answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, Any]:
        if path == "/.well-known/openid-configuration":
            return 200, {"issuer": self.issuer, "jwks_uri": self.jwks_url,
                         "id_token_signing_alg_values_supported": sorted({k.alg for k in self.keys})}
        return super().answer(method, path, query, headers)
