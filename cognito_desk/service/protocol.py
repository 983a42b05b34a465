"""The AWS JSON 1.1 wire format of cognito-identity: request decoding, responses, errors, CORS.

Success: ``200`` with ``application/x-amz-json-1.1`` and ``x-amzn-RequestId``; absent members are
omitted; timestamps are epoch-second numbers. Errors: ``{"__type", "message"}`` plus the
``x-amzn-ErrorType`` / ``x-amzn-ErrorMessage`` headers (reference §1.5). Client errors answer 400
as the real service does, or the Smithy model's codes when ``model_status_codes`` is on. The query
protocols (STS, IAM) live in ``query.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from ..core import errors

CONTENT_TYPE = "application/x-amz-json-1.1"

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    # The decision notes header is added to this list per request, for the origins allowed to read it (app.py).
    "Access-Control-Expose-Headers": "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
    "Access-Control-Allow-Headers": (
        "content-type, x-amz-target, x-amz-user-agent, x-amz-date, x-amz-security-token, authorization, "
        "x-amz-content-sha256, amz-sdk-invocation-id, amz-sdk-request, x-amz-api-version"),
    "Access-Control-Max-Age": "86400",
}

#: Status codes of the Smithy model, used only when the service runs with model_status_codes.
MODEL_STATUS = {
    "NotAuthorizedException": 403,
    "ResourceConflictException": 409,
    "ResourceNotFoundException": 404,
    "TooManyRequestsException": 429,
}


def decode_body(body: bytes) -> object:
    """Parse a JSON request body; an empty body is ``{}``. Malformed input is a SerializationException."""
    if not body.strip():
        return {}
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "UTF-8" in exc.msg:
            raise errors.SerializationException("Invalid UTF-8 middle byte in request body") from None
        if exc.msg.startswith("unexpected end of data") or exc.pos >= len(body.rstrip()):
            raise errors.SerializationException("Unexpected end-of-input in request body") from None
        raise errors.SerializationException(
            f"Unexpected character at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def header_safe(text: str, limit: int = 1024) -> str:
    """``text`` reduced to printable ASCII (others become ``?``) and cut to ``limit`` characters."""
    text = text[:limit]
    if text.isascii() and text.isprintable():
        return text
    return "".join(c if " " <= c <= "~" else "?" for c in text)


@dataclass
class Reply:
    """A JSON 1.1 response ready for ASGI: status, raw headers, body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def add_header(self, name: str, value: str) -> None:
        self.headers.append((name.encode("latin-1"), value.encode("latin-1")))

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        return [*self.headers, (b"content-length", str(len(self.body)).encode())]


_BASE_HEADERS = [(b"content-type", CONTENT_TYPE.encode())] + [
    (name.lower().encode(), value.encode()) for name, value in CORS_HEADERS.items()]


def success(result: dict | None, request_id: str) -> Reply:
    body = orjson.dumps({k: v for k, v in (result or {}).items() if v is not None})
    return Reply(200, [*_BASE_HEADERS, (b"x-amzn-requestid", request_id.encode())], body)


def failure(error: errors.AwsError, request_id: str, *, model_status_codes: bool = False) -> Reply:
    status = error.status
    if model_status_codes:
        status = MODEL_STATUS.get(error.code, status)
    body = orjson.dumps({"__type": error.code, "message": error.message})
    return Reply(status, [
        *_BASE_HEADERS,
        (b"x-amzn-requestid", request_id.encode()),
        (b"x-amzn-errortype", f"{error.code}:".encode()),
        # Header values must be printable ASCII; the body carries the exact text.
        (b"x-amzn-errormessage", header_safe(error.message).encode()),
    ], body)
