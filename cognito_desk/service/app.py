"""The ASGI application of the embedded service: routing, authentication, logging.

``create_app`` builds the app serving, on one base URL, cognito-identity (JSON 1.1, routed by
``X-Amz-Target``), STS and the IAM subset (query protocol, routed by ``Action`` in ``query.py``),
the OpenID discovery documents of the service's token issuer, and CORS preflights. JSON 1.1
requests — the sign-in hot path — are answered straight from ASGI; everything else goes through a
Starlette router. Every request gets a request id, is answered with an AWS-shaped error on any
failure (never a traceback), waits for its writes to be committed, and leaves one log line:
operation, status, milliseconds, request id and the handler's decision notes — never tokens or
secrets. Bodies are read through ``limits.read_body`` (413 past the limit, before the rest is read).
With ``settings.quotas``, a cognito-identity request beyond its operation's rate is refused as AWS does
(``quotas.py``) once it is authenticated, before its body is decoded.
The notes also travel in the ``x-cognito-desk-notes`` response header when ``settings.notes`` is on,
readable cross-origin only by loopback web origins and ``settings.cors_origins``. ``GET /health``
answers ``{"status": "ok"}`` while the database answers, and says nothing else.
"""

from __future__ import annotations

import inspect
import ipaddress
import logging
import time
from functools import lru_cache
from urllib.parse import urlsplit

import httpx
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from .. import __version__
from ..core import errors
from ..core.validation import Validator, load_service_model
from . import credentials, identity, protocol, query, sigv4
from .context import RequestContext, ServiceSettings
from .keys import TokenKeys
from .limits import BodyTooLarge, read_body
from .metrics import RequestCounts
from .providers import ProviderVerifier, fetch
from .quotas import RateLimiter
from .randomness import uuid4
from .store import Store

log = logging.getLogger("cognito_desk.service.requests")

TARGET_PREFIX = "AWSCognitoIdentityService."
SIGNING_SERVICE = "cognito-identity"
#: Response header with the service's decision notes (chosen role and why, trust-policy refusals):
#: what AWS keeps to itself, shown to testers. Never holds tokens or secrets.
NOTES_HEADER = "x-cognito-desk-notes"
INTERNAL_ERROR = "An internal error occurred."
#: Added beside the standard expose list for the origins allowed to read the notes.
_EXPOSE_NOTES = (b"access-control-expose-headers", NOTES_HEADER.encode())
#: Code of the answer to an oversized body (AWS's own wording for this API is unconfirmed).
TOO_LARGE = "RequestEntityTooLargeException"


def _notes(ctx: RequestContext) -> str:
    return "; ".join(ctx.log_notes).replace("\n", " | ")


@lru_cache(maxsize=256)
def is_loopback_origin(origin: str) -> bool:
    """Whether a web ``Origin`` is served from this machine (localhost, 127.0.0.0/8, ::1)."""
    try:
        host = urlsplit(origin).hostname
    except ValueError:
        return False
    if host is None:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(scope: dict) -> str | None:
    for name, value in scope["headers"]:
        if name == b"origin":
            return value.decode("latin-1")
    return None


def _replay(body: bytes):
    """An ASGI ``receive`` that hands out an already-read body (the Starlette routes read it again)."""
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class Service:
    """One running instance (an ASGI app): settings, store, keys and the request pipeline."""

    def __init__(self, settings: ServiceSettings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.keys = TokenKeys(store, settings)
        self.validator = Validator(load_service_model("cognito-identity"))
        #: AWS's request-rate quotas, when the service enforces them (``settings.quotas``).
        self.limiter = RateLimiter(settings.quotas) if settings.quotas is not None else None
        #: Requests answered per operation (metrics.py), read by tests and benchmarks.
        self.requests = RequestCounts()
        #: The one HTTP client for reaching identity providers (JWKS, token inspection); closed by aclose().
        #: Connections never reach link-local addresses (fetch.py) and ignore proxy variables: a proxy would
        #: resolve host names where the link-local check cannot see them.
        self.http = httpx.AsyncClient(follow_redirects=False, transport=fetch.guarded_transport(), trust_env=False)
        self.providers = ProviderVerifier(settings, store, self.http)
        self.router = Router(routes=[
            Route("/", self.root, methods=["GET", "POST"]),
            Route("/", self.preflight, methods=["OPTIONS"]),
            Route("/.well-known/jwks_uri", self.jwks, methods=["GET"]),
            Route("/.well-known/jwks.json", self.jwks, methods=["GET"]),
            Route("/.well-known/openid-configuration", self.discovery, methods=["GET"]),
            Route("/health", self.health, methods=["GET"]),
        ])

    async def aclose(self) -> None:
        await self.http.aclose()

    def context(self) -> RequestContext:
        return RequestContext(settings=self.settings, store=self.store, keys=self.keys,
                              request_id=uuid4(), providers=self.providers)

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            if scope["path"] == "/":
                for name, value in scope["headers"]:
                    if name == b"x-amz-target":
                        await self._json(scope, receive, send, value.decode("latin-1"))
                        return
            try:
                body = await read_body(scope, receive, self.settings.limits.max_body_bytes)
            except BodyTooLarge as exc:
                await self._refuse_body(send, exc, json=False)
                return
            if body is None:
                return
            receive = _replay(body)
        await self.router(scope, receive, send)

    def notes_readable_by(self, origin: str | None) -> bool:
        """Whether a browser page from ``origin`` may read the notes header (same-origin callers always can)."""
        return origin is not None and (origin in self.settings.cors_origins or is_loopback_origin(origin))

    async def _refuse_body(self, send, exc: BodyTooLarge, *, json: bool) -> None:
        """413 with an AWS-shaped error of the request's protocol; the connection closes (the rest goes unread)."""
        request_id = uuid4()
        if json:
            error = errors.error_for(TOO_LARGE, str(exc), status=413)
            reply = protocol.failure(error, request_id)
            body, headers = reply.body, reply.raw_headers()
        else:
            error = errors.error_for("RequestEntityTooLarge", str(exc), status=413)
            body = query.encode_error(error, query.FAULT_NAMESPACE, request_id).encode()
            headers = [(b"content-type", b"text/xml"), (b"x-amzn-requestid", request_id.encode()),
                       (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": [*headers, (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
        log.info("- 413 %s body over %d bytes", request_id, exc.limit)

    def _log(self, operation: str, status: int, started: float, ctx: RequestContext) -> None:
        self.requests.count(operation)
        notes = f" {_notes(ctx)}" if ctx.log_notes else ""
        log.info("%s %d %.1fms %s%s", operation, status, (time.perf_counter() - started) * 1000, ctx.request_id, notes)

    # --- cognito-identity (JSON 1.1) -------------------------------------------------------------

    async def _json(self, scope: dict, receive, send, target: str) -> None:
        started = time.perf_counter()
        try:
            body = await read_body(scope, receive, self.settings.limits.max_body_bytes)
        except BodyTooLarge as exc:
            await self._refuse_body(send, exc, json=True)
            return
        if body is None:
            return
        ctx = self.context()
        reply = await self._answer(scope, ctx, target, body)
        try:
            await self.store.durable()
        except Exception:
            log.exception("commit failed (request %s)", ctx.request_id)
            reply = protocol.failure(errors.InternalErrorException(INTERNAL_ERROR), ctx.request_id)
        if ctx.log_notes and self.settings.notes:
            reply.add_header(NOTES_HEADER, protocol.header_safe(_notes(ctx), 4000))
            if self.notes_readable_by(_origin(scope)):
                reply.headers.append(_EXPOSE_NOTES)
        await send({"type": "http.response.start", "status": reply.status, "headers": reply.raw_headers()})
        await send({"type": "http.response.body", "body": reply.body})
        operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else target
        self._log(operation, reply.status, started, ctx)

    async def _answer(self, scope: dict, ctx: RequestContext, target: str, body: bytes) -> protocol.Reply:
        try:
            operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else None
            handler = identity.OPERATIONS.get(operation) if operation else None
            if handler is None:
                raise errors.UnknownOperationException(f"Unknown operation {target}")
            if operation in identity.SIGNED:
                self._authenticate(scope, ctx, body, operation)
            if self.limiter is not None:
                self.limiter.check(operation)
            params = protocol.decode_body(body)
            self.validator.validate(operation, params)
            result = handler(ctx, params)
            if inspect.isawaitable(result):
                result = await result
            return protocol.success(result, ctx.request_id)
        except errors.AwsError as exc:
            ctx.log_notes.extend(exc.notes)
            return protocol.failure(exc, ctx.request_id, model_status_codes=self.settings.model_status_codes)
        except Exception:
            log.exception("internal error in %s (request %s)", target, ctx.request_id)
            return protocol.failure(errors.InternalErrorException(INTERNAL_ERROR), ctx.request_id)

    def _authenticate(self, scope: dict, ctx: RequestContext, body: bytes, operation: str) -> None:
        signed = sigv4.verify(method=scope["method"], path=scope["raw_path"].decode("latin-1"),
                              query_string=scope["query_string"].decode("latin-1"),
                              headers=Headers(scope=scope), body=body,
                              now=ctx.now(), lookup=credentials.key_lookup(ctx), protocol="json",
                              region=self.settings.region, service=SIGNING_SERVICE)
        ctx.principal = credentials.principal_for(ctx, signed.access_key_id)
        if not ctx.principal.is_admin:
            raise errors.AccessDeniedException(
                f"User: {ctx.principal.arn} is not authorized to perform: cognito-identity:{operation} "
                f"on resource: *")

    # --- everything else (Starlette) ---------------------------------------------------------------

    async def root(self, request: Request) -> Response:
        """STS / IAM (query protocol), and a small service description for a plain GET."""
        started = time.perf_counter()
        ctx = self.context()
        if request.method == "GET" and "Action" not in request.query_params:
            operation = "-"
            response = JSONResponse({"service": "cognito-desk", "version": __version__,
                                     "region": self.settings.region},
                                    headers={"x-amzn-RequestId": ctx.request_id})
        else:
            response = await query.handle_query(request, ctx)
            operation = ctx.operation or request.query_params.get("Action") or "query"
        try:
            await self.store.durable()
        except Exception:
            log.exception("commit failed (request %s)", ctx.request_id)
            error = errors.error_for("InternalFailure", INTERNAL_ERROR, status=500)
            response = Response(query.encode_error(error, query.FAULT_NAMESPACE, ctx.request_id), status_code=500,
                                media_type="text/xml", headers={"x-amzn-RequestId": ctx.request_id})
        if ctx.log_notes and self.settings.notes:
            response.headers[NOTES_HEADER] = protocol.header_safe(_notes(ctx), 4000)
            if self.notes_readable_by(request.headers.get("origin")):
                response.headers.append(*(part.decode() for part in _EXPOSE_NOTES))
        self._log(operation, response.status_code, started, ctx)
        return response

    async def preflight(self, request: Request) -> Response:
        return Response(status_code=200, headers=protocol.PREFLIGHT_HEADERS)

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.keys.jwks(), headers=protocol.CORS_HEADERS)

    async def discovery(self, request: Request) -> Response:
        base = (self.settings.public_url or self.settings.base_url).rstrip("/")
        return JSONResponse(self.keys.discovery(base), headers=protocol.CORS_HEADERS)

    async def health(self, request: Request) -> Response:
        """For lab monitoring: 200 while the database answers, 503 otherwise; nothing else is said."""
        try:
            self.store.query_one("SELECT 1")
        except Exception:
            log.exception("health check: the database does not answer")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})


def create_app(settings: ServiceSettings, store: Store) -> Service:
    """Build the ASGI app for ``settings`` over an open ``store``."""
    return Service(settings, store)
