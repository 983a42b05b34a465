"""The AWS query protocol of the embedded STS and IAM: routing by ``Action``, decoding, XML.

:func:`handle_query` serves every ``POST /`` form request and ``GET /?Action=…`` that carries no
``X-Amz-Target``: it picks the service that owns the action (:data:`SERVICES`), checks ``Version``,
verifies SigV4 unless the botocore model marks the operation unsigned, decodes the flat
``Tags.member.1.Key=…`` parameters into the operation's botocore input shape, validates them,
calls the handler and writes the XML of the output shape (``<OpResponse><OpResult>…``, lists as
``<member>``, ISO-8601 timestamps). Errors become ``<ErrorResponse>`` bodies with the error's
status. Decoding and encoding are driven by the botocore shapes, so they hold for any operation.
"""

from __future__ import annotations

import base64
import inspect
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import botocore.model
from starlette.requests import Request
from starlette.responses import Response

from ..core import errors
from ..core.validation import Validator, load_service_model
from . import credentials, iam, iam_policies, iam_providers, iam_simulate, iam_tags, sigv4, sts
from .context import RequestContext
from .protocol import CORS_HEADERS

log = logging.getLogger(__name__)

#: Namespace of the front end's own errors (unknown action or version), as AWS answers them.
FAULT_NAMESPACE = "http://webservices.amazon.com/AWSFault/2005-15-09"
#: Regions a query request may be signed for besides the service's own: IAM and global STS sign for it.
GLOBAL_SIGNING_REGION = "us-east-1"

Handler = Callable[[RequestContext, dict], dict]


@dataclass(frozen=True)
class QueryService:
    """One query-protocol service: its botocore model, handlers and who may call them."""

    name: str
    actions: Mapping[str, Handler]
    #: ``authorize(ctx, action, params)`` raises when the signed caller may not run the action.
    authorize: Callable[[RequestContext, str, dict], None] | None
    #: The code of the 500 answer for unexpected failures.
    failure_code: str

    @property
    def model(self) -> botocore.model.ServiceModel:
        return load_service_model(self.name)

    @property
    def namespace(self) -> str:
        return self.model.metadata["xmlNamespace"]

    @property
    def version(self) -> str:
        return self.model.metadata["apiVersion"]


SERVICES: tuple[QueryService, ...] = (
    QueryService("iam", {**iam.ACTIONS, **iam_providers.ACTIONS, **iam_policies.ACTIONS, **iam_tags.ACTIONS,
                         **iam_simulate.ACTIONS}, iam.authorize, "ServiceFailure"),
    QueryService("sts", sts.ACTIONS, None, "InternalFailure"),
)
_BY_ACTION = {action: service for service in SERVICES for action in service.actions}
_VALIDATORS: dict[str, Validator] = {}


def _validator(service: QueryService) -> Validator:
    validator = _VALIDATORS.get(service.name)
    if validator is None:
        validator = _VALIDATORS[service.name] = Validator(
            service.model, constraint_error=errors.ValidationError, type_error=errors.ValidationError)
    return validator


# --- decoding ---------------------------------------------------------------------------------


def read_params(query_string: str, body: bytes) -> dict[str, str]:
    """The flat request parameters (body first, then query string); the first of duplicates wins."""
    params: dict[str, str] = {}
    for source in (body.decode("utf-8", "replace"), query_string):
        for key, value in parse_qsl(source, keep_blank_values=True):
            params.setdefault(key, value)
    return params


def decode_params(flat: Mapping[str, str], shape: botocore.model.Shape | None) -> dict:
    """Turn flat query parameters into the botocore input shape (unknown keys are ignored).

    Values that cannot be converted to their shape's type stay strings, for the validator to report.
    """
    if shape is None:
        return {}
    return _decode_structure(flat, shape, "")


def _name(shape: botocore.model.Shape, default: str) -> str:
    return shape.serialization.get("name", default)


def _has_prefix(flat: Mapping[str, str], prefix: str) -> bool:
    dotted = prefix + "."
    return any(key.startswith(dotted) for key in flat)


def _decode(flat: Mapping[str, str], shape: botocore.model.Shape, key: str) -> tuple[bool, object]:
    """``(present, value)`` of the member serialized under ``key``."""
    kind = shape.type_name
    if kind == "structure":
        return (True, _decode_structure(flat, shape, key + ".")) if _has_prefix(flat, key) else (False, None)
    if kind == "list":
        return _decode_list(flat, shape, key)
    if kind == "map":
        return _decode_map(flat, shape, key)
    if key not in flat:
        return False, None
    return True, _scalar(flat[key], kind)


def _decode_structure(flat: Mapping[str, str], shape: botocore.model.Shape, prefix: str) -> dict:
    result = {}
    for member_name, member in shape.members.items():
        present, value = _decode(flat, member, prefix + _name(member, member_name))
        if present:
            result[member_name] = value
    return result


def _indices(flat: Mapping[str, str], prefix: str) -> list[int]:
    dotted = prefix + "."
    found = set()
    for key in flat:
        if key.startswith(dotted):
            head = key[len(dotted):].split(".", 1)[0]
            if head.isdigit():
                found.add(int(head))
    return sorted(found)


def _decode_list(flat: Mapping[str, str], shape: botocore.model.Shape, key: str) -> tuple[bool, object]:
    items_prefix = key if shape.serialization.get("flattened") else f"{key}.{_name(shape.member, 'member')}"
    indices = _indices(flat, items_prefix)
    if not indices:
        # An empty list is sent as ``Name=`` by botocore.
        return (True, []) if flat.get(key) == "" else (False, None)
    items = []
    for index in indices:
        present, value = _decode(flat, shape.member, f"{items_prefix}.{index}")
        if present:
            items.append(value)
    return True, items


def _decode_map(flat: Mapping[str, str], shape: botocore.model.Shape, key: str) -> tuple[bool, object]:
    entries_prefix = key if shape.serialization.get("flattened") else f"{key}.entry"
    key_name, value_name = _name(shape.key, "key"), _name(shape.value, "value")
    result = {}
    for index in _indices(flat, entries_prefix):
        entry = f"{entries_prefix}.{index}"
        has_key, map_key = _decode(flat, shape.key, f"{entry}.{key_name}")
        has_value, value = _decode(flat, shape.value, f"{entry}.{value_name}")
        if has_key:
            result[map_key] = value if has_value else None
    return (bool(result), result)


def _scalar(text: str, kind: str) -> object:
    try:
        if kind in ("integer", "long"):
            return int(text) if text.strip().lstrip("+-").isdigit() else text
        if kind in ("float", "double"):
            return float(text)
        if kind == "boolean":
            return {"true": True, "false": False}.get(text.lower(), text)
        if kind == "blob":
            return base64.b64decode(text, validate=True)
        if kind == "timestamp":
            return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return text
    return text


# --- encoding ---------------------------------------------------------------------------------


def _timestamp(value: object) -> str:
    epoch = value.timestamp() if isinstance(value, datetime) else float(value)
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _text(value: object, shape: botocore.model.Shape) -> str:
    kind = shape.type_name
    if kind == "timestamp":
        return _timestamp(value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    return escape(str(value))


def _xml(lines: list[str], name: str, value: object, shape: botocore.model.Shape, depth: int) -> None:
    pad = "  " * depth
    kind = shape.type_name
    if kind == "structure":
        lines.append(f"{pad}<{name}>")
        _xml_members(lines, value, shape, depth + 1)
        lines.append(f"{pad}</{name}>")
    elif kind == "list":
        item_name = _name(shape.member, "member")
        if shape.serialization.get("flattened"):
            for item in value:
                _xml(lines, name, item, shape.member, depth)
            return
        if not value:
            lines.append(f"{pad}<{name}/>")
            return
        lines.append(f"{pad}<{name}>")
        for item in value:
            _xml(lines, item_name, item, shape.member, depth + 1)
        lines.append(f"{pad}</{name}>")
    elif kind == "map":
        lines.append(f"{pad}<{name}>")
        for key, item in value.items():
            lines.append(f"{pad}  <entry>")
            _xml(lines, _name(shape.key, "key"), key, shape.key, depth + 2)
            _xml(lines, _name(shape.value, "value"), item, shape.value, depth + 2)
            lines.append(f"{pad}  </entry>")
        lines.append(f"{pad}</{name}>")
    else:
        lines.append(f"{pad}<{name}>{_text(value, shape)}</{name}>")


def _xml_members(lines: list[str], value: Mapping, shape: botocore.model.Shape, depth: int) -> None:
    for member_name, member in shape.members.items():
        item = value.get(member_name)
        if item is not None:
            _xml(lines, _name(member, member_name), item, member, depth)


def encode_result(operation: botocore.model.OperationModel, result: Mapping, request_id: str) -> str:
    """The XML body of a successful response, shaped by the operation's output shape."""
    namespace = operation.service_model.metadata["xmlNamespace"]
    lines = [f'<{operation.name}Response xmlns="{namespace}">']
    shape = operation.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{operation.name}Result")
        lines.append(f"  <{wrapper}>")
        _xml_members(lines, result, shape, 2)
        lines.append(f"  </{wrapper}>")
    lines += ["  <ResponseMetadata>", f"    <RequestId>{escape(request_id)}</RequestId>",
              "  </ResponseMetadata>", f"</{operation.name}Response>", ""]
    return "\n".join(lines)


def encode_error(error: errors.AwsError, namespace: str, request_id: str) -> str:
    """The XML body of an error response."""
    return "\n".join([
        f'<ErrorResponse xmlns="{namespace}">', "  <Error>", f"    <Type>{error.fault}</Type>",
        f"    <Code>{escape(error.code)}</Code>", f"    <Message>{escape(error.message)}</Message>",
        "  </Error>", f"  <RequestId>{escape(request_id)}</RequestId>", "</ErrorResponse>", ""])


# --- the request pipeline ---------------------------------------------------------------------


def _response(body: str, status: int, request_id: str) -> Response:
    return Response(body, status_code=status, media_type="text/xml",
                    headers={"x-amzn-RequestId": request_id, **CORS_HEADERS})


def _authenticate(request: Request, ctx: RequestContext, service: QueryService, body: bytes) -> None:
    raw_path = request.scope.get("raw_path")
    signed = sigv4.verify(
        method=request.method, path=raw_path.decode("latin-1") if raw_path else request.url.path,
        query_string=request.url.query, headers=request.headers, body=body, now=ctx.now(),
        lookup=credentials.key_lookup(ctx), protocol="query", service=service.name)
    if signed.region not in (GLOBAL_SIGNING_REGION, ctx.settings.region):
        raise errors.SignatureDoesNotMatch("Credential should be scoped to a valid region. ")
    ctx.principal = credentials.principal_for(ctx, signed.access_key_id)


async def handle_query(request: Request, ctx: RequestContext) -> Response:
    """Serve one query-protocol (STS or IAM) request."""
    body = await request.body() if request.method == "POST" else b""
    flat = read_params(request.url.query, body)
    action = flat.get("Action", "")
    service = _BY_ACTION.get(action)
    version = flat.get("Version", "NO_VERSION_SPECIFIED")
    if service is None or version != service.version:
        error = errors.InvalidAction(f"Could not find operation {action} for version {version}")
        return _response(encode_error(error, FAULT_NAMESPACE, ctx.request_id), error.status, ctx.request_id)
    ctx.operation = action
    try:
        operation = service.model.operation_model(action)
        if operation.auth_type != "none":
            _authenticate(request, ctx, service, body)
        params = decode_params(flat, operation.input_shape)
        _validator(service).validate(action, params)
        if service.authorize is not None:
            service.authorize(ctx, action, params)
        result = service.actions[action](ctx, params)
        if inspect.isawaitable(result):
            result = await result
        return _response(encode_result(operation, result or {}, ctx.request_id), 200, ctx.request_id)
    except errors.AwsError as exc:
        ctx.log_notes.extend(exc.notes)
        ctx.log_notes.append(f"error={exc.code}")
        return _response(encode_error(exc, service.namespace, ctx.request_id), exc.status, ctx.request_id)
    except Exception:
        log.exception("internal error in %s (request %s)", action, ctx.request_id)
        failure = errors.error_for(
            service.failure_code, "The request processing has failed because of an unknown error, "
            "exception or failure.", status=500)
        failure.fault = "Receiver"
        ctx.log_notes.append(f"error={service.failure_code}")
        return _response(encode_error(failure, service.namespace, ctx.request_id), 500, ctx.request_id)
