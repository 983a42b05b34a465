"""Checks every JWT-based login shares (OIDC, Google, Apple, Cognito user pools): shape, issuer, signature, time.

A token is first split and decoded WITHOUT trust (:func:`issued_by`) so the issuer can be compared with the
Logins key before any key is fetched; only tokens of at most :data:`MAX_TOKEN_CHARS` whose issuer matches are
remembered (a sign-in presents the same token twice), in a cache bounded by bytes, not entries. Its
signature is then verified with a key of the issuer's JWKS
(:func:`verify_signature`). Only asymmetric algorithms are accepted (RS256/384/512, PS256/384/512,
ES256/384): ``none`` and HMAC — the classic "sign with the public key as HMAC secret" confusion — are refused
as an unverifiable token. Time claims get 5 minutes of clock skew (reference §4.4). Messages are AWS's (§8).
"""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass

import jwt
import orjson

from ...core import errors
from ...core.providers import NOT_SUPPORTED
from .jwks import KeySets

ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"})
_KEY_TYPES = {"R": "RSA", "P": "RSA", "E": "EC"}
MAX_HEADER_CHARS = 16_384
#: The model's limit on a Logins value (IdentityProviderToken).
MAX_TOKEN_CHARS = 50_000
#: Characters of tokens the parse cache may hold (their decoded parts take about as much again).
PARSED_CACHE_CHARS = 8 << 20
SKEW_SECONDS = 300

COULD_NOT_VERIFY = "Invalid login token. Couldn't verify signed token."
ISSUER_MISMATCH = "Invalid login token. Issuer doesn't match providerName"
#: What a value that is not a JWT at all gets under an OIDC, Google or Apple key (**unconfirmed** wording).
NOT_OIDC = "Invalid login token. Not a valid OpenId Connect identity token."


class TokenExpired(errors.NotAuthorizedException):
    """A provider token (or SAML assertion) past its expiry; ``exp`` lets STS word its own error."""

    def __init__(self, now: float, exp: int) -> None:
        super().__init__(f"Invalid login token. Token expired: {int(now)} >= {exp}")
        self.exp = exp


@dataclass(frozen=True)
class UnverifiedJwt:
    """A compact JWS split and decoded, nothing about it trusted yet."""

    token: str
    header: dict
    claims: dict


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _decode_segment(segment: str) -> dict:
    value = orjson.loads(_b64(segment))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


class _ParsedTokens:
    """Recently parsed tokens, least recently used dropped first once they hold more than ``max_chars``."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self._entries: OrderedDict[str, UnverifiedJwt] = OrderedDict()

    def get(self, token: str) -> UnverifiedJwt | None:
        found = self._entries.get(token)
        if found is not None:
            self._entries.move_to_end(token)
        return found

    def put(self, parsed: UnverifiedJwt) -> None:
        if parsed.token in self._entries:
            return
        self._entries[parsed.token] = parsed
        self.chars += len(parsed.token)
        while self.chars > self.max_chars:
            self.chars -= len(self._entries.popitem(last=False)[0])


_parsed = _ParsedTokens(PARSED_CACHE_CHARS)


def issued_by(token: str, malformed: str, issuers: Collection[str]) -> UnverifiedJwt:
    """``token`` split and decoded, if it is at most MAX_TOKEN_CHARS long and its ``iss`` is one of ``issuers``.

    ``malformed`` is the NAE message when it is not a JWT. Cached once the issuer matched: a sign-in presents
    the same token to GetId and GetCredentialsForIdentity (the result is shared — read it, never change it).
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise errors.NotAuthorizedException(
            f"Invalid login token. The token is longer than {MAX_TOKEN_CHARS} characters.")
    parsed = _parsed.get(token)
    if parsed is None:
        parsed = parse(token, malformed)
        check_issuer(parsed, issuers)
        _parsed.put(parsed)
    else:
        check_issuer(parsed, issuers)
    return parsed


def parse(token: str, malformed: str) -> UnverifiedJwt:
    """Split and decode ``token`` (never cached: see :func:`issued_by`); ``malformed`` is the NAE message."""
    parts = token.split(".")
    if len(parts) != 3:
        raise errors.NotAuthorizedException(malformed)
    if len(parts[0]) > MAX_HEADER_CHARS:
        raise errors.NotAuthorizedException(
            f"Invalid login token. The token header is longer than {MAX_HEADER_CHARS} characters.")
    try:
        return UnverifiedJwt(token, _decode_segment(parts[0]), _decode_segment(parts[1]))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise errors.NotAuthorizedException(malformed) from None


def check_issuer(token: UnverifiedJwt, issuers: Collection[str]) -> str:
    issuer = token.claims.get("iss")
    if not isinstance(issuer, str) or issuer not in issuers:
        raise errors.NotAuthorizedException(ISSUER_MISMATCH)
    return issuer


#: JWKs turned into key objects, per (JWK object, alg): a key set's dicts live as long as the cached set.
_prepared: dict[tuple[int, str], tuple[dict, object]] = {}


def _public_key(jwk: dict, alg: str) -> object:
    entry = _prepared.get((id(jwk), alg))
    if entry is None or entry[0] is not jwk:
        if len(_prepared) > 512:
            _prepared.clear()
        entry = _prepared[(id(jwk), alg)] = (jwk, jwt.PyJWK(jwk, algorithm=alg).key)
    return entry[1]


_ALGORITHMS = {name: algorithm for name, algorithm in jwt.algorithms.get_default_algorithms().items()
               if name in ALGORITHMS}


async def verify_signature(token: UnverifiedJwt, keys: KeySets, jwks_url: str, now: float) -> None:
    """Verify ``token``'s signature with a key of ``jwks_url`` or raise NAE "Couldn't verify signed token.".

    A token this service verified in the last 5 minutes is not verified again: a sign-in presents it twice.
    That trusts nothing the key-set cache would not (a withdrawn key counts until the set is refetched);
    every other check — issuer, audience, lifetime, provider attached — still runs each time.
    """
    if keys.recently_verified(jwks_url, token.token, now):
        return
    await _verify_signature(token, keys, jwks_url, now)
    keys.remember_verified(jwks_url, token.token, now)


async def _verify_signature(token: UnverifiedJwt, keys: KeySets, jwks_url: str, now: float) -> None:
    alg = token.header.get("alg")
    kid = token.header.get("kid")
    if alg not in ALGORITHMS or not (kid is None or isinstance(kid, str)):
        raise errors.NotAuthorizedException(COULD_NOT_VERIFY)
    signing_input, _, signature = token.token.rpartition(".")
    try:
        signature_bytes = _b64(signature)
    except (ValueError, binascii.Error):
        raise errors.NotAuthorizedException(COULD_NOT_VERIFY) from None
    for jwk in await keys.candidates(jwks_url, kid, now):
        if jwk.get("kty") != _KEY_TYPES[alg[0]] or jwk.get("alg", alg) != alg:
            continue
        try:
            if _ALGORITHMS[alg].verify(signing_input.encode("ascii"), _public_key(jwk, alg), signature_bytes):
                return
        except (jwt.PyJWTError, ValueError, TypeError, UnicodeEncodeError):
            continue
    raise errors.NotAuthorizedException(COULD_NOT_VERIFY)


def required(claims: dict, name: str) -> object:
    value = claims.get(name)
    if value is None or value == "" or value == []:
        raise errors.NotAuthorizedException(f"Invalid login token. Missing a required claim: {name}")
    return value


def _number(claims: dict, name: str) -> int | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise errors.NotAuthorizedException(f"Invalid login token. The claim {name} is not a number.")
    return int(value)


def check_lifetime(claims: dict, now: float) -> None:
    """``exp`` (required), ``nbf`` and ``iat`` against ``now`` with 5 minutes of skew."""
    required(claims, "exp")
    exp = _number(claims, "exp")
    if now >= exp + SKEW_SECONDS:
        raise TokenExpired(now, exp)
    nbf = _number(claims, "nbf")
    if nbf is not None and now + SKEW_SECONDS < nbf:
        raise errors.NotAuthorizedException(f"Invalid login token. Token is not valid before {nbf} (now {int(now)}).")
    iat = _number(claims, "iat")
    if iat is not None and now + SKEW_SECONDS < iat:
        raise errors.NotAuthorizedException(f"Invalid login token. Token issued in the future: {iat} > {int(now)}.")


def audience_in(claims: dict, allowed: Collection[str], *, use_azp: bool) -> str:
    """The client id the token was issued to, if allowed: ``azp`` when present and ``use_azp``, else ``aud``.

    ``aud`` may be a list; the first allowed member is returned. A missing ``aud`` is AWS's "Missing a
    required claim: aud"; a client id not configured is "Token is not from a supported provider…".
    """
    if use_azp and isinstance(claims.get("azp"), str):
        candidates = [claims["azp"]]
    else:
        aud = required(claims, "aud")
        candidates = aud if isinstance(aud, list) else [aud]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate in allowed:
            return candidate
    raise errors.NotAuthorizedException(NOT_SUPPORTED)


def subject(claims: dict) -> str:
    sub = required(claims, "sub")
    if not isinstance(sub, str):
        raise errors.NotAuthorizedException("Invalid login token. The claim sub is not a string.")
    return sub
