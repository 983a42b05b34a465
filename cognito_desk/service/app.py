"""The ASGI application of the embedded service: routing, authentication, logging.

``create_app`` builds the app serving, on one base URL, cognito-identity (JSON 1.1, routed by
``X-Amz-Target``), STS and the IAM subset (query protocol, routed by ``Action`` in ``query.py``),
the OpenID discovery documents of the service's token issuer, and CORS preflights. JSON 1.1
requests — the sign-in hot path — are answered straight from ASGI; everything else goes through a
Starlette router. Every request gets a request id, is answered with an AWS-shaped error on any
failure (never a traceback), waits for its writes to be committed, and leaves one log line:
operation, status, milliseconds, request id and the handler's decision notes — never tokens or
secrets. The notes also travel in the ``x-cognito-desk-notes`` response header.
"""

from __future__ import annotations

import inspect
import logging
import time

import httpx
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from .. import __version__
from ..core import errors
from . import credentials, identity, protocol, query, sigv4
from .context import RequestContext, ServiceSettings
from .keys import TokenKeys
from .providers import ProviderVerifier
from .randomness import uuid4
from .store import Store
from .validation import Validator, load_service_model

log = logging.getLogger("cognito_desk.service.requests")

TARGET_PREFIX = "AWSCognitoIdentityService."
SIGNING_SERVICE = "cognito-identity"
#: Response header with the service's decision notes (chosen role and why, trust-policy refusals):
#: what AWS keeps to itself, shown to testers. Never holds tokens or secrets.
NOTES_HEADER = "x-cognito-desk-notes"
INTERNAL_ERROR = "An internal error occurred."


def _notes(ctx: RequestContext) -> str:
    return "; ".join(ctx.log_notes).replace("\n", " | ")


class Service:
    """One running instance (an ASGI app): settings, store, keys and the request pipeline."""

    def __init__(self, settings: ServiceSettings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.keys = TokenKeys(store, settings)
        self.validator = Validator(load_service_model("cognito-identity"))
        #: The one HTTP client for reaching identity providers (JWKS, token inspection); closed by aclose().
        self.http = httpx.AsyncClient(follow_redirects=False)
        self.providers = ProviderVerifier(settings, store, self.http)
        self.router = Router(routes=[
            Route("/", self.root, methods=["GET", "POST"]),
            Route("/", self.preflight, methods=["OPTIONS"]),
            Route("/.well-known/jwks_uri", self.jwks, methods=["GET"]),
            Route("/.well-known/jwks.json", self.jwks, methods=["GET"]),
            Route("/.well-known/openid-configuration", self.discovery, methods=["GET"]),
        ])

    async def aclose(self) -> None:
        await self.http.aclose()

    def context(self) -> RequestContext:
        return RequestContext(settings=self.settings, store=self.store, keys=self.keys,
                              request_id=uuid4(), providers=self.providers)

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/":
            for name, value in scope["headers"]:
                if name == b"x-amz-target":
                    await self._json(scope, receive, send, value.decode("latin-1"))
                    return
        await self.router(scope, receive, send)

    def _log(self, operation: str, status: int, started: float, ctx: RequestContext) -> None:
        notes = f" {_notes(ctx)}" if ctx.log_notes else ""
        log.info("%s %d %.1fms %s%s", operation, status, (time.perf_counter() - started) * 1000, ctx.request_id, notes)

    # --- cognito-identity (JSON 1.1) -------------------------------------------------------------

    async def _json(self, scope: dict, receive, send, target: str) -> None:
        started = time.perf_counter()
        ctx = self.context()
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        reply = await self._answer(scope, ctx, target, body)
        try:
            await self.store.durable()
        except Exception:
            log.exception("commit failed (request %s)", ctx.request_id)
            reply = protocol.failure(errors.InternalErrorException(INTERNAL_ERROR), ctx.request_id)
        if ctx.log_notes:
            reply.add_header(NOTES_HEADER, protocol.header_safe(_notes(ctx), 4000))
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
            params = protocol.decode_body(body)
            self.validator.validate(operation, params)
            result = handler(ctx, params)
            if inspect.isawaitable(result):
                result = await result
            return protocol.success(result, ctx.request_id)
        except errors.AwsError as exc:
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
        if ctx.log_notes:
            response.headers[NOTES_HEADER] = protocol.header_safe(_notes(ctx), 4000)
        self._log(operation, response.status_code, started, ctx)
        return response

    async def preflight(self, request: Request) -> Response:
        return Response(status_code=200, headers=protocol.PREFLIGHT_HEADERS)

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.keys.jwks(), headers=protocol.CORS_HEADERS)

    async def discovery(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return JSONResponse(self.keys.discovery(base), headers=protocol.CORS_HEADERS)


def create_app(settings: ServiceSettings, store: Store) -> Service:
    """Build the ASGI app for ``settings`` over an open ``store``."""
    return Service(settings, store)
