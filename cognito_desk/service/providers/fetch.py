"""HTTP GETs to identity providers, with bounded time and size, and their failures as ExternalServiceException.

Every call to the outside (JWKS, OpenID discovery, Graph API, Login with Amazon) goes through
:func:`get_json`: a 5 s timeout, no redirects, at most 1 MiB of body. A provider that cannot be reached,
answers 5xx or answers something that is not JSON is the AWS ``ExternalServiceException``; the message names
the host only, never the URL (query strings may carry access tokens).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from ...core import errors

TIMEOUT_SECONDS = 5.0
MAX_BODY_BYTES = 1 << 20


def _unavailable(url: str, reason: str) -> errors.AwsError:
    return errors.ExternalServiceException(
        f"The identity provider at {urlsplit(url).netloc} could not be used: {reason}")


async def get_json(http: httpx.AsyncClient, url: str, *, params: dict | None = None,
                   headers: dict | None = None, accept_status: tuple[int, ...] = (200,)) -> tuple[int, Any]:
    """``(status, parsed JSON body)`` of ``GET url``; statuses outside ``accept_status`` are refused.

    Raises ExternalServiceException when the provider is unreachable, slow, answers 5xx or an unexpected
    status, or sends a body that is too large or not JSON.
    """
    try:
        async with http.stream("GET", url, params=params, headers=headers, timeout=TIMEOUT_SECONDS,
                               follow_redirects=False) as response:
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    raise _unavailable(url, f"the answer is larger than {MAX_BODY_BYTES} bytes")
    except httpx.TimeoutException:
        raise _unavailable(url, f"no answer within {TIMEOUT_SECONDS:g} s") from None
    except httpx.HTTPError as exc:
        raise _unavailable(url, f"connection failed ({type(exc).__name__})") from None
    if response.status_code not in accept_status:
        raise _unavailable(url, f"it answered HTTP {response.status_code}")
    try:
        return response.status_code, json.loads(bytes(body))
    except ValueError:
        raise _unavailable(url, "its answer is not JSON") from None
