"""The service's own OpenID token issuer: RSA signing keys, token minting and verification, JWKS.

Cognito Identity signs the tokens of ``GetOpenIdToken`` and ``GetOpenIdTokenForDeveloperIdentity``
with RS512 under the issuer ``https://cognito-identity.amazonaws.com`` (reference §4.7). This module
does the same with a key pair generated on first start and kept in the store, so tokens stay
verifiable across restarts. The JWKS is served at ``/.well-known/jwks_uri`` and the discovery
document at ``/.well-known/openid-configuration``; its ``issuer`` is the one in the tokens, its
``jwks_uri`` points at this service, so any OIDC library can verify our tokens from the base URL.
"""

from __future__ import annotations

import json
import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .context import ServiceSettings
from .store import Store

ISSUER = "https://cognito-identity.amazonaws.com"
ALGORITHM = "RS512"


class TokenKeys:
    """Signs and verifies this service's Cognito tokens with its persisted RSA key."""

    def __init__(self, store: Store, settings: ServiceSettings) -> None:
        self._settings = settings
        row = store.query_one("SELECT kid, private_pem FROM signing_keys ORDER BY created LIMIT 1")
        if row is None:
            row = self._create_key(store, settings)
        self.kid: str = row["kid"]
        self._private = serialization.load_pem_private_key(row["private_pem"].encode(), password=None)
        self._public = self._private.public_key()
        self._jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._public))
        self._jwk.update({"alg": ALGORITHM, "use": "sig", "kid": self.kid})

    @staticmethod
    def _create_key(store: Store, settings: ServiceSettings) -> dict:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        kid = f"{settings.region}1"
        with store.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO signing_keys (kid, private_pem, created) VALUES (?, ?, ?)",
                         (kid, pem, time.time()))
            return conn.execute("SELECT kid, private_pem FROM signing_keys WHERE kid = ?", (kid,)).fetchone()

    def issue(self, claims: dict, lifetime: int) -> str:
        """Sign ``claims`` (sub, aud, amr …) adding iss, iat and exp = iat + lifetime seconds."""
        now = int(self._settings.clock())
        payload = {"iss": ISSUER, **claims, "iat": now, "exp": now + lifetime}
        return jwt.encode(payload, self._private, algorithm=ALGORITHM,
                          headers={"kid": self.kid, "typ": "JWS"})

    def verify(self, token: str, *, now: float) -> dict:
        """Verify signature, issuer and lifetime; raise ``jwt.InvalidTokenError`` (or a subclass)."""
        header = jwt.get_unverified_header(token)
        if header.get("kid") != self.kid:
            raise jwt.InvalidSignatureError(f"Unknown key id {header.get('kid')!r}")
        claims = jwt.decode(token, self._public, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"verify_aud": False, "verify_exp": False, "verify_iat": False,
                                     "require": ["exp", "sub", "aud"]})
        if now >= claims["exp"]:
            raise jwt.ExpiredSignatureError(f"Token expired: {int(now)} >= {claims['exp']}")
        return claims

    def jwks(self) -> dict:
        return {"keys": [self._jwk]}

    def discovery(self, base_url: str) -> dict:
        return {
            "issuer": ISSUER,
            "jwks_uri": f"{base_url}/.well-known/jwks_uri",
            "response_types_supported": ["code", "token", "id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "claims_supported": ["aud", "iss", "sub", "amr", "exp", "iat"],
        }
