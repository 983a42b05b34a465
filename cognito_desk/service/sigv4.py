"""AWS Signature Version 4 verification for the embedded service's signed calls.

This module owns the server side of SigV4: it reads the signature of a request (the
``Authorization`` header or a presigned query string), checks the credential scope, the request
time and the caller's key (through a ``lookup`` callable, so it knows nothing about where keys are
stored), rebuilds the canonical request and string to sign exactly as AWS does for non-S3
services, and compares signatures in constant time. As outside S3, the payload hash is always the
body's SHA-256 (``UNSIGNED-PAYLOAD`` is not honoured) and every ``x-amz-*`` header the request
carries — ``X-Amz-Target`` included — must be signed, so a captured signature cannot be replayed
with another body or operation. It answers every failure with the AWS front-end
error of the caller's protocol (``json`` for cognito-identity, ``query`` for STS and IAM). Derived
signing keys are kept in a small bounded cache because verification sits on the hot path.

Callers pass ``path`` as sent on the wire (still percent-encoded, e.g. the ASGI ``raw_path``) and
``query_string`` without the leading ``?``. Secrets and signatures never appear in messages or reprs.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import quote, unquote_plus

from cognito_desk.core import errors

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
#: Allowed clock difference between the signer and this service, either way.
MAX_SKEW_SECONDS = 300
#: Longest lifetime of a presigned URL (one week), as AWS allows.
MAX_PRESIGN_SECONDS = 604800

_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)
_INVALID_TOKEN = "The security token included in the request is invalid."
_EXPIRED_TOKEN = "The security token included in the request is expired"
_UNSUPPORTED = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
_HOST_UNSIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
_HEADERS_UNSIGNED = "There were headers present in the request which were not signed"
_ECHO_LIMIT = 256


@dataclass(frozen=True)
class KeyRecord:
    """What the service knows about an access key id."""

    secret_access_key: str = field(repr=False)
    #: Required ``X-Amz-Security-Token`` for temporary credentials.
    session_token: str | None = field(default=None, repr=False)
    #: Epoch seconds after which temporary credentials are refused.
    expiration: float | None = None


@dataclass(frozen=True)
class SignedBy:
    """Who signed a verified request, and for which scope."""

    access_key_id: str
    region: str
    service: str


@dataclass(frozen=True)
class _Protocol:
    missing: type[errors.AwsError]
    missing_message: str
    invalid_client: type[errors.AwsError]
    expired_token: type[errors.AwsError]
    #: Used for malformed signatures as well as mismatches (errors.py has no IncompleteSignature).
    bad_signature: type[errors.AwsError]


_PROTOCOLS = {
    "json": _Protocol(errors.MissingAuthenticationTokenException, "Missing Authentication Token",
                      errors.UnrecognizedClientException, errors.ExpiredTokenException,
                      errors.InvalidSignatureException),
    "query": _Protocol(errors.MissingAuthenticationToken, "Request is missing Authentication Token",
                       errors.InvalidClientTokenId, errors.ExpiredToken, errors.SignatureDoesNotMatch),
}


@dataclass(frozen=True)
class _Claim:
    """The signature a request carries, parsed but not yet trusted."""

    access_key_id: str
    scope_date: str
    region: str
    service: str
    amz_date: str
    request_time: int
    signed_headers: str
    signature: str
    #: Presigned URLs only: lifetime in seconds.
    expires: int | None
    session_token: str | None
    canonical_query: str


def is_signed(headers: Mapping[str, str], query_string: str) -> bool:
    """True when the request carries an ``Authorization`` header or a presigned ``X-Amz-Algorithm``."""
    if _header_reader(headers)("authorization"):
        return True
    return any(key == "X-Amz-Algorithm" for key, _ in _query_pairs(query_string))


def verify(*, method: str, path: str, query_string: str, headers: Mapping[str, str], body: bytes,
           now: float, lookup: Callable[[str], KeyRecord | None], protocol: str,
           region: str | None = None, service: str | None = None) -> SignedBy:
    """Check a request's SigV4 signature; return who signed it or raise the protocol's AWS error."""
    proto = _PROTOCOLS.get(protocol)
    if proto is None:
        raise ValueError(f"unknown protocol {protocol!r}")
    header = _header_reader(headers)
    pairs = _query_pairs(query_string)
    authorization = header("authorization")
    presigned = any(key == "X-Amz-Algorithm" for key, _ in pairs)
    if not authorization and not presigned:
        raise proto.missing(proto.missing_message)
    if authorization and presigned:
        raise proto.bad_signature(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query "
            "string parameter or the Authorization header should be specified")
    if authorization:
        claim = _claim_from_header(",".join(authorization), header, pairs, proto)
    else:
        claim = _claim_from_query(pairs, header, proto)
    _check_scope(claim, region, service, proto)
    _check_amz_headers_signed(claim, headers, proto)
    _check_time(claim, int(now), proto)
    if not claim.access_key_id:
        raise proto.invalid_client(_INVALID_TOKEN)
    record = lookup(claim.access_key_id)
    if record is None or not _token_matches(record.session_token, claim.session_token):
        raise proto.invalid_client(_INVALID_TOKEN)
    if record.expiration is not None and now >= record.expiration:
        raise proto.expired_token(_EXPIRED_TOKEN)
    canonical_request = "\n".join((
        method.upper(),
        _canonical_uri(path),
        claim.canonical_query,
        _canonical_headers(claim.signed_headers, header),
        claim.signed_headers,
        _payload_hash(header, body, proto),
    ))
    string_to_sign = "\n".join((
        ALGORITHM,
        claim.amz_date,
        f"{claim.scope_date}/{claim.region}/{claim.service}/aws4_request",
        hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
    ))
    key = _signing_key(record.secret_access_key, claim.scope_date, claim.region, claim.service)
    expected = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("ascii"), claim.signature.encode("utf-8", "replace")):
        raise proto.bad_signature(_SIGNATURE_MISMATCH)
    return SignedBy(claim.access_key_id, claim.region, claim.service)


# --- reading the request ----------------------------------------------------------------------


def _header_reader(headers: Mapping[str, str]) -> Callable[[str], list[str]]:
    """A case-insensitive ``name -> values`` reader (lowercase names) over Starlette Headers or a dict."""
    multi_items = getattr(headers, "multi_items", None)  # Starlette keeps repeated headers apart
    lowered: dict[str, list[str]] = {}
    for name, value in multi_items() if multi_items is not None else headers.items():
        lowered.setdefault(name.lower(), []).append(value)
    return lambda name: lowered.get(name, [])


def _query_pairs(query_string: str) -> list[tuple[str, str]]:
    pairs = []
    for part in query_string.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote_plus(key), unquote_plus(value)))
    return pairs


def _claim_from_header(authorization: str, header: Callable[[str], list[str]],
                       pairs: list[tuple[str, str]], proto: _Protocol) -> _Claim:
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise proto.bad_signature(_UNSUPPORTED)
    params: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            params.setdefault(name, value.strip())
    amz_date = _first(header("x-amz-date")) or _date_header_as_amz(_first(header("date")), proto)
    missing = [f"Authorization header requires '{name}' parameter."
               for name in ("Credential", "Signature", "SignedHeaders") if not params.get(name)]
    if not amz_date:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        shown = ", ".join(f"{name}={params[name]}" for name in ("Credential", "SignedHeaders")
                          if name in params)
        echo = f"{algorithm} {shown}".strip()[:_ECHO_LIMIT]
        raise proto.bad_signature(" ".join(missing) + f" Authorization={echo}")
    return _claim(params["Credential"], amz_date, params["SignedHeaders"], params["Signature"], None,
                  _first(header("x-amz-security-token")), _canonical_query(pairs, presigned=False), proto)


_PRESIGN_PARAMS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date",
                   "X-Amz-SignedHeaders", "X-Amz-Expires")


def _claim_from_query(pairs: list[tuple[str, str]], header: Callable[[str], list[str]],
                      proto: _Protocol) -> _Claim:
    params: dict[str, str] = {}
    for key, value in pairs:
        params.setdefault(key, value)
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise proto.bad_signature(_UNSUPPORTED)
    missing = [f"AWS query-string parameters must include '{name}'. Re-examine the query-string parameters."
               for name in _PRESIGN_PARAMS if not params.get(name)]
    if missing:
        raise proto.bad_signature(" ".join(missing))
    expires_text = params["X-Amz-Expires"]
    if not (expires_text.isascii() and expires_text.lstrip("-").isdigit()):
        raise proto.bad_signature("X-Amz-Expires should be a number")
    expires = int(expires_text)
    if expires < 0:
        raise proto.bad_signature("X-Amz-Expires must be non-negative")
    if expires > MAX_PRESIGN_SECONDS:
        raise proto.bad_signature(
            f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGN_SECONDS}")
    token = params.get("X-Amz-Security-Token", _first(header("x-amz-security-token")))
    return _claim(params["X-Amz-Credential"], params["X-Amz-Date"], params["X-Amz-SignedHeaders"],
                  params["X-Amz-Signature"], expires, token, _canonical_query(pairs, presigned=True), proto)


def _claim(credential: str, amz_date: str, signed_headers: str, signature: str, expires: int | None,
           session_token: str | None, canonical_query: str, proto: _Protocol) -> _Claim:
    parts = credential.split("/")
    if len(parts) != 5:
        raise proto.bad_signature(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term,"
            f" got '{credential[:_ECHO_LIMIT]}'")
    access_key_id, scope_date, region, service, terminator = parts
    if terminator != "aws4_request":
        raise proto.bad_signature(
            f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator[:64]}'. ")
    request_time = _parse_amz_date(amz_date)
    if request_time is None:
        raise proto.bad_signature(f"Date must be in ISO-8601 'basic format'. Got '{amz_date[:64]}'. "
                                  "See http://en.wikipedia.org/wiki/ISO_8601")
    if scope_date != amz_date[:8]:
        raise proto.bad_signature(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{scope_date[:64]}' != '{amz_date[:8]}', from '{amz_date}'.")
    if "host" not in signed_headers.lower().split(";"):
        raise proto.bad_signature(_HOST_UNSIGNED)
    return _Claim(access_key_id, scope_date, region, service, amz_date, request_time, signed_headers,
                  signature, expires, session_token, canonical_query)


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _parse_amz_date(value: str) -> int | None:
    """Epoch seconds of an ISO 8601 basic timestamp (``20260101T000000Z``), or None if malformed."""
    digits = value[:8] + value[9:15]
    if len(value) != 16 or value[8] != "T" or value[15] != "Z" or not (digits.isascii() and digits.isdigit()):
        return None
    try:
        moment = datetime(int(value[0:4]), int(value[4:6]), int(value[6:8]),
                          int(value[9:11]), int(value[11:13]), int(value[13:15]), tzinfo=UTC)
    except ValueError:
        return None
    return int(moment.timestamp())


def _date_header_as_amz(value: str | None, proto: _Protocol) -> str | None:
    """An RFC 7231 ``Date`` header (used when ``X-Amz-Date`` is absent) in ISO 8601 basic format."""
    if value is None:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise proto.bad_signature(f"Date must be in RFC 7231 format. Got '{value[:64]}'.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# --- checks -----------------------------------------------------------------------------------


def _check_scope(claim: _Claim, region: str | None, service: str | None, proto: _Protocol) -> None:
    if region is not None and claim.region != region:
        raise proto.bad_signature("Credential should be scoped to a valid region. ")
    if service is not None and claim.service != service:
        raise proto.bad_signature(f"Credential should be scoped to correct service: '{service}'. ")


def _check_amz_headers_signed(claim: _Claim, headers: Mapping[str, str], proto: _Protocol) -> None:
    signed = set(claim.signed_headers.lower().split(";"))
    multi_items = getattr(headers, "multi_items", None)
    names = {name.lower() for name, _ in (multi_items() if multi_items is not None else headers.items())}
    unsigned = sorted(name for name in names if name.startswith("x-amz-") and name not in signed)
    if unsigned:
        raise proto.bad_signature(f"{_HEADERS_UNSIGNED}: {', '.join(unsigned)[:_ECHO_LIMIT]}")


def _check_time(claim: _Claim, now: int, proto: _Protocol) -> None:
    if claim.request_time > now + MAX_SKEW_SECONDS:
        raise proto.bad_signature(
            f"Signature not yet current: {claim.amz_date} is still later than "
            f"{_amz(now + MAX_SKEW_SECONDS)} ({_amz(now)} + {_span(MAX_SKEW_SECONDS)})")
    lifetime = MAX_SKEW_SECONDS if claim.expires is None else claim.expires
    if claim.request_time < now - lifetime:
        raise proto.bad_signature(
            f"Signature expired: {claim.amz_date} is now earlier than "
            f"{_amz(now - lifetime)} ({_amz(now)} - {_span(lifetime)})")


def _amz(epoch: int) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch))


def _span(seconds: int) -> str:
    return f"{seconds // 60} min." if seconds % 60 == 0 else f"{seconds} sec."


def _token_matches(expected: str | None, supplied: str | None) -> bool:
    if expected is None or supplied is None:
        return expected is None and supplied is None
    return hmac.compare_digest(expected.encode("utf-8"), supplied.encode("utf-8", "replace"))


# --- the canonical request --------------------------------------------------------------------


def _canonical_uri(path: str) -> str:
    """The path with dot segments and repeated slashes removed, then URI-encoded (non-S3 rules)."""
    if path == "/":
        return path
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    normalized = "/" + "/".join(segments)
    if segments and path.endswith("/"):
        normalized += "/"
    return quote(normalized, safe="/~")


def _canonical_query(pairs: list[tuple[str, str]], *, presigned: bool) -> str:
    encoded = sorted((quote(key, safe="-_.~"), quote(value, safe="-_.~"))
                     for key, value in pairs if not (presigned and key == "X-Amz-Signature"))
    return "&".join(f"{key}={value}" for key, value in encoded)


def _canonical_headers(signed_headers: str, header: Callable[[str], list[str]]) -> str:
    lines = []
    for name in signed_headers.split(";"):
        name = name.lower()
        value = ",".join(" ".join(v.split()) for v in header(name))
        lines.append(f"{name}:{value}\n")
    return "".join(lines)


def _payload_hash(header: Callable[[str], list[str]], body: bytes, proto: _Protocol) -> str:
    """The body's SHA-256: a declared ``UNSIGNED-PAYLOAD`` changes nothing (it only makes the signature not match)."""
    declared = _first(header("x-amz-content-sha256"))
    computed = hashlib.sha256(body).hexdigest()
    if declared is not None and declared not in (computed, UNSIGNED_PAYLOAD):
        raise proto.bad_signature(
            "The provided 'x-amz-content-sha256' header does not match what was computed.")
    return computed


@lru_cache(maxsize=128)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = hmac.new(f"AWS4{secret}".encode(), date.encode("utf-8"), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key
