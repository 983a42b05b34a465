"""Signing keys for fake JWT issuers: generate RSA / EC keys, publish them as JWKs, mint compact JWTs."""

from __future__ import annotations

import json
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

_CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1}


@dataclass
class SigningKey:
    kid: str
    alg: str
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls, kid: str, alg: str = "RS256") -> SigningKey:
        if alg.startswith("ES"):
            return cls(kid, alg, ec.generate_private_key(_CURVES[alg]()))
        return cls(kid, alg, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwk(self) -> dict:
        """The public key as a JWK, with ``kid``, ``alg`` and ``use``."""
        algorithm = jwt.get_algorithm_by_name(self.alg)
        public = json.loads(algorithm.to_jwk(self.private_key.public_key()))
        return {**public, "kid": self.kid, "alg": self.alg, "use": "sig"}

    def sign(self, claims: dict, **headers: object) -> str:
        return jwt.encode(claims, self.private_key, algorithm=self.alg, headers={"kid": self.kid, **headers})
