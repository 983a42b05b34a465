"""Looking inside tokens without trusting them.

Owns :func:`inspect_token` (decode a JWT's header and claims with no signature check, tell what kind of
token it is — Cognito user-pool ID or access token by ``token_use``, a Cognito Identity token by its
issuer, or a generic OIDC token — and never raise, whatever the input), :func:`explain_claims` (human
labels and readable values for the claims people look at, times as UTC with "expires in …"), and the
small helpers other modules reuse for the same purposes (:func:`format_utc`, :func:`describe_expiry`,
:func:`logins_key_for_issuer`, :func:`user_pool_provider_name`). Nothing here verifies a token: that is the
service's job.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "TokenInspection",
    "TokenKind",
    "describe_expiry",
    "explain_claims",
    "format_duration",
    "format_utc",
    "inspect_token",
    "logins_key_for_issuer",
    "user_pool_provider_name",
]

_USER_POOL_ISSUER = re.compile(r"https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/([\w-]+_[0-9A-Za-z]+)")
REGION_PATTERN = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d")
USER_POOL_ID_PATTERN = re.compile(r"([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+")
IDENTITY_POOL_ARN_CLAIM = "https://cognito-identity.amazonaws.com/identity-pool-arn"


class TokenKind(StrEnum):
    USER_POOL_ID = "Cognito user pool ID token"
    USER_POOL_ACCESS = "Cognito user pool access token"
    USER_POOL_OTHER = "Cognito user pool token"
    COGNITO_IDENTITY = "Cognito Identity token"
    OIDC = "OpenID Connect / JWT token"
    NOT_JWT = "not a JWT"


@dataclass(frozen=True)
class TokenInspection:
    """What a token looks like; ``problem`` says why it is not a readable JWT (``kind`` is then NOT_JWT)."""

    kind: TokenKind
    header: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)
    problem: str = ""

    @property
    def is_jwt(self) -> bool:
        return self.kind is not TokenKind.NOT_JWT

    def pretty(self) -> str:
        """Header and claims as indented JSON (or the problem, for a non-JWT)."""
        if not self.is_jwt:
            return f"Not a JWT: {self.problem}"
        return json.dumps({"header": self.header, "claims": self.claims}, indent=2, ensure_ascii=False)


def inspect_token(token: Any) -> TokenInspection:
    """Decode ``token`` without verifying it. Never raises."""
    if not isinstance(token, str):
        return TokenInspection(TokenKind.NOT_JWT, problem=f"a {type(token).__name__}, not a string")
    text = token.strip()
    if text.lower().startswith("bearer "):
        text = text[7:].strip()
    if not text:
        return TokenInspection(TokenKind.NOT_JWT, problem="the value is empty")
    dots = text.count(".")
    if dots == 4:
        return TokenInspection(TokenKind.NOT_JWT,
                               problem="an encrypted JWT (JWE), whose claims cannot be read")
    if dots != 2:
        return TokenInspection(TokenKind.NOT_JWT,
                               problem="a JWT has three dot-separated parts (header.claims.signature); "
                                       f"this value has {dots + 1}")
    header_part, claims_part, _signature = text.split(".")
    try:
        header, claims = _json_part(header_part, "header"), _json_part(claims_part, "claims")
    except ValueError as exc:
        return TokenInspection(TokenKind.NOT_JWT, problem=f"its parts do not decode ({exc})")
    return TokenInspection(_kind(claims), header=header, claims=claims)


def _json_part(part: str, name: str) -> dict[str, Any]:
    """One base64url JSON object of a JWS compact serialisation (the signature is not looked at)."""
    try:
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the {name} is not base64url-encoded JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"the {name} is a JSON {type(value).__name__}, not an object")
    return value


def _kind(claims: dict[str, Any]) -> TokenKind:
    issuer = claims.get("iss")
    issuer = issuer if isinstance(issuer, str) else ""
    if _USER_POOL_ISSUER.fullmatch(issuer):
        return {"id": TokenKind.USER_POOL_ID, "access": TokenKind.USER_POOL_ACCESS}.get(
            claims.get("token_use"), TokenKind.USER_POOL_OTHER)
    host = issuer.removeprefix("https://").split("/", 1)[0]
    if host.startswith("cognito-identity") or IDENTITY_POOL_ARN_CLAIM in claims:
        return TokenKind.COGNITO_IDENTITY
    return TokenKind.OIDC


def logins_key_for_issuer(issuer: str) -> str:
    """The ``Logins`` map key that matches a JWT issuer: the issuer without ``https://``."""
    return issuer.removeprefix("https://")


def format_utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_duration(seconds: float) -> str:
    """``2 h 5 min``, ``4 min 10 s``, ``12 s`` (largest two units)."""
    seconds = int(abs(seconds))
    units = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))
    parts = []
    for name, size in units:
        if seconds >= size or (name == "s" and not parts):
            parts.append(f"{seconds // size} {name}")
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(parts)


def describe_expiry(exp: float, now: float) -> str:
    if exp > now:
        return f"expires in {format_duration(exp - now)}"
    return f"expired {format_duration(now - exp)} ago"


_LABELS = {
    "iss": "Issuer", "aud": "Audience (client id)", "azp": "Authorized party (client id)",
    "sub": "Subject", "token_use": "Token use", "client_id": "App client id",
    "cognito:username": "User-pool user name", "username": "User-pool user name",
    "email": "Email", "email_verified": "Email verified", "phone_number": "Phone number",
    "cognito:groups": "User-pool groups", "cognito:roles": "Group IAM roles",
    "cognito:preferred_role": "Preferred IAM role", "amr": "Authentication methods",
    "scope": "Scopes", "identities": "Linked identity providers",
    IDENTITY_POOL_ARN_CLAIM: "Identity pool ARN",
    "exp": "Expires", "iat": "Issued at", "nbf": "Not valid before", "auth_time": "Authenticated at",
    "jti": "Token id", "origin_jti": "Original token id", "event_id": "Sign-in event id",
    "nonce": "Nonce", "at_hash": "Access-token hash",
}
_TIMES = ("exp", "iat", "nbf", "auth_time")


def explain_claims(claims: dict[str, Any], *, now: float | None = None) -> list[tuple[str, str]]:
    """(label, value) rows: the well-known claims first, in a useful order, then the rest as they come."""
    now = time.time() if now is None else now
    order = [key for key in _LABELS if key in claims] + [key for key in claims if key not in _LABELS]
    return [(_LABELS.get(key, key), _claim_value(key, claims[key], now)) for key in order]


def _claim_value(key: str, value: Any, now: float) -> str:
    if key in _TIMES and isinstance(value, int | float) and not isinstance(value, bool):
        text = format_utc(value)
        if key == "exp":
            return f"{text} ({describe_expiry(value, now)})"
        return f"{text} ({format_duration(now - value)} ago)" if value <= now else text
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def user_pool_provider_name(region: str, user_pool_id: str) -> str:
    """``cognito-idp.<region>.amazonaws.com/<user pool id>``; raises ValueError naming the bad part.

    ``region`` may be empty: the user pool ID names its region (``eu-west-1_AbC123``)."""
    match = USER_POOL_ID_PATTERN.fullmatch(user_pool_id or "")
    if match is None:
        raise ValueError(f"{user_pool_id!r} is not a user pool ID (like {region or 'us-east-1'}_AbCdEf123).")
    region = region or match.group(1)
    if not REGION_PATTERN.fullmatch(region):
        raise ValueError(f"{region!r} is not an AWS region (like us-east-1).")
    if match.group(1) != region:
        raise ValueError(f"User pool {user_pool_id} is in {match.group(1)}, not {region}.")
    return f"cognito-idp.{region}.amazonaws.com/{user_pool_id}"
