"""The two AWS wire protocols the clients speak: JSON 1.1 (cognito-identity) and query (STS, IAM).

Each protocol object encodes an operation's parameters into body bytes plus headers, decodes a
success response, and turns an error response into the ``core.errors`` class of its AWS code.
JSON 1.1 errors: ``__type`` (anything before ``#`` and after ``:`` trimmed), ``message`` or
``Message``, the ``x-amzn-ErrorType``/``x-amzn-ErrorMessage`` headers as fallback. Query errors: the
``<Error><Code>/<Message>`` of an ``ErrorResponse`` XML body, parsed with the stdlib. Bodies with no
recognisable code fall back to the HTTP status as the code (``"503"``), as botocore does. This module
also converts wire values (epoch-second numbers and ISO-8601 strings to UTC ``datetime``), names request
members (:func:`members`) and follows list paging (:func:`paginate`: ``NextToken`` or ``Marker``).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from ..core import errors
from .transport import MalformedResponse

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
QUERY_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


def epoch_to_datetime(value: float | int | str) -> datetime:
    """An epoch-seconds wire value (``1.515115602E9`` included) as an aware UTC datetime."""
    return datetime.fromtimestamp(float(value), tz=UTC)


def iso_to_datetime(value: str) -> datetime:
    """An ISO-8601 wire timestamp (``2014-10-24T23:00:23Z``) as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value.strip())
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def convert_timestamps(value: Any, keys: Collection[str]) -> Any:
    """``value`` with every epoch number under one of ``keys`` (at any depth) turned into a datetime."""
    if isinstance(value, dict):
        return {
            k: epoch_to_datetime(v)
            if k in keys and isinstance(v, int | float) and not isinstance(v, bool)
            else convert_timestamps(v, keys)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [convert_timestamps(item, keys) for item in value]
    return value


def _request_id(response: httpx.Response) -> str | None:
    return response.headers.get("x-amzn-RequestId") or response.headers.get("x-amz-request-id")


#: The embedded service's decision notes ("; "-separated): why a role or a trust policy said no.
NOTES_HEADER = "x-cognito-desk-notes"


def _notes(response: httpx.Response) -> tuple[str, ...]:
    return tuple(note.strip() for note in response.headers.get(NOTES_HEADER, "").split("; ") if note.strip())


def _status_error(response: httpx.Response, message: str) -> errors.AwsError:
    return errors.error_for(
        str(response.status_code),
        message or response.reason_phrase,
        status=response.status_code,
        request_id=_request_id(response),
        notes=_notes(response),
    )


def trim_error_code(raw: str) -> str:
    """``aws.namespace#Code:http://…`` → ``Code`` (botocore's rule for ``__type``/``x-amzn-ErrorType``)."""
    return raw.split(":", 1)[0].rsplit("#", 1)[-1].strip()


class JsonProtocol:
    """AWS JSON 1.1: ``POST /`` with ``X-Amz-Target: <prefix>.<Operation>`` and a JSON object body."""

    def __init__(self, target_prefix: str) -> None:
        self.target_prefix = target_prefix

    def encode(self, operation: str, params: Mapping[str, Any]) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(dict(params), separators=(",", ":")).encode()
        return body, {"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": f"{self.target_prefix}.{operation}"}

    def decode(self, response: httpx.Response, operation: str) -> dict[str, Any]:
        if not response.content.strip():
            return {}
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise MalformedResponse(
                f"{operation} answered with a body that is not a JSON object",
                url=str(response.request.url),
                operation=operation,
            )
        return body

    def error(self, response: httpx.Response) -> errors.AwsError:
        code = message = ""
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict):
            code = trim_error_code(str(body.get("__type") or body.get("code") or ""))
            message = str(body.get("message") or body.get("Message") or "")
        if not code:
            code = trim_error_code(response.headers.get("x-amzn-ErrorType", ""))
        message = message or response.headers.get("x-amzn-ErrorMessage", "")
        if not code:
            return _status_error(response, message)
        return errors.error_for(code, message, status=response.status_code, request_id=_request_id(response),
                                notes=_notes(response))


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, item, out)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value, 1):
            _flatten(f"{prefix}.member.{index}", item, out)
    elif isinstance(value, bool):
        out.append((prefix, "true" if value else "false"))
    else:
        out.append((prefix, str(value)))


def _parse_xml(content: bytes) -> ET.Element:
    root = ET.fromstring(content)
    for element in root.iter():
        element.tag = element.tag.rsplit("}", 1)[-1]
    return root


class QueryProtocol:
    """AWS query: form-encoded ``Action``/``Version`` plus ``a.member.N.b`` parameters, XML answers.

    :meth:`decode` returns the ``<OperationResult>`` element (namespaces stripped), or an empty
    element for operations without a result.
    """

    def __init__(self, version: str) -> None:
        self.version = version

    def encode(self, operation: str, params: Mapping[str, Any]) -> tuple[bytes, dict[str, str]]:
        pairs = [("Action", operation), ("Version", self.version)]
        _flatten("", params, pairs)
        body = urlencode(pairs, quote_via=quote, safe="-_.~").encode()
        return body, {"Content-Type": QUERY_CONTENT_TYPE}

    def decode(self, response: httpx.Response, operation: str) -> ET.Element:
        try:
            root = _parse_xml(response.content)
        except ET.ParseError:
            raise MalformedResponse(
                f"{operation} answered with a body that is not XML",
                url=str(response.request.url),
                operation=operation,
            ) from None
        result = root.find(f"{operation}Result")
        return result if result is not None else ET.Element(f"{operation}Result")

    def error(self, response: httpx.Response) -> errors.AwsError:
        try:
            root = _parse_xml(response.content)
        except ET.ParseError:
            return _status_error(response, "")
        error = next((e for e in root.iter("Error") if e.find("Code") is not None), None)
        if error is None:
            return _status_error(response, "")
        request_id = root.findtext(".//RequestId") or root.findtext(".//RequestID") or _request_id(response)
        return errors.error_for(
            (error.findtext("Code") or "").strip(),
            (error.findtext("Message") or "").strip(),
            status=response.status_code,
            request_id=request_id,
            notes=_notes(response),
        )


@dataclass(frozen=True)
class XmlShape:
    """How to read a query-protocol result element as plain data, by element name: ``member``
    children (and the ``lists``) become lists, the ``maps`` (``<entry><key/><value/></entry>``) dicts of
    key to value, other parents (and empty ``structures``) dicts, leaves strings unless named in
    ``timestamps`` (ISO-8601), ``integers`` or ``booleans``."""

    lists: frozenset[str] = frozenset()
    maps: frozenset[str] = frozenset()
    structures: frozenset[str] = frozenset()
    timestamps: frozenset[str] = frozenset()
    integers: frozenset[str] = frozenset()
    booleans: frozenset[str] = frozenset()

    def to_data(self, element: ET.Element) -> Any:
        children = list(element)
        if element.tag in self.lists or (children and all(child.tag == "member" for child in children)):
            return [self.to_data(child) for child in children]
        if element.tag in self.maps:
            return {entry.findtext("key", ""): self.to_data(entry.find("value")) for entry in children
                    if entry.find("value") is not None}
        if children or element.tag in self.structures:
            return {child.tag: self.to_data(child) for child in children}
        text = (element.text or "").strip()
        if element.tag in self.timestamps and text:
            return iso_to_datetime(text)
        if element.tag in self.integers and text:
            return int(text)
        if element.tag in self.booleans:
            return text.lower() == "true"
        return text


def members(**values: Any) -> dict[str, Any]:
    """Request parameters named as on the wire, without those whose value is ``None``."""
    return {key: value for key, value in values.items() if value is not None}


async def paginate(
    fetch: Callable[[str | None], Awaitable[Mapping[str, Any]]],
    items: str,
    next_marker: Callable[[Mapping[str, Any]], str | None],
) -> AsyncIterator[Any]:
    """Every entry of list member ``items`` over the pages ``fetch(marker)`` returns, first page first.

    ``next_marker(page)`` names the page after ``page``; paging stops when it is empty or None.
    """
    marker = None
    while True:
        page = await fetch(marker)
        for item in page.get(items, []):
            yield item
        marker = next_marker(page)
        if not marker:
            return
