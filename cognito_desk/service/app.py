"""The ASGI application of the embedded service: routing, authentication, logging.

``create_app`` builds a Starlette app serving, on one base URL, cognito-identity (JSON 1.1,
routed by ``X-Amz-Target``), STS and the IAM subset (query protocol, routed by ``Action`` in
``query.py``), the OpenID discovery documents of the service's token issuer, and CORS
preflights. Every request gets a request id, is answered with an AWS-shaped error on any
failure (never a traceback), and leaves one log line: operation, status, milliseconds, request
id and the handler's decision notes — never tokens or secrets.
"""

from __future__ import annotations

import inspect
import logging
import time
import uuid

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import __version__
from ..core import errors
from . import credentials, identity, protocol, query, sigv4
from .context import RequestContext, ServiceSettings
from .keys import TokenKeys
from .providers import ProviderVerifier
from .store import Store
from .validation import Validator, load_service_model

log = logging.getLogger("cognito_desk.service.requests")

TARGET_PREFIX = "AWSCognitoIdentityService."
SIGNING_SERVICE = "cognito-identity"
#: Response header with the service's decision notes (chosen role and why, trust-policy refusals):
#: what AWS keeps to itself, shown to testers. Never holds tokens or secrets.
NOTES_HEADER = "x-cognito-desk-notes"


class Service:
    """One running instance: settings, store, keys and the request pipeline."""

    def __init__(self, settings: ServiceSettings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.keys = TokenKeys(store, settings)
        self.validator = Validator(load_service_model("cognito-identity"))
        #: The one HTTP client for reaching identity providers (JWKS, token inspection); closed by aclose().
        self.http = httpx.AsyncClient(follow_redirects=False)
        self.providers = ProviderVerifier(settings, store, self.http)

    async def aclose(self) -> None:
        await self.http.aclose()

    def context(self) -> RequestContext:
        return RequestContext(settings=self.settings, store=self.store, keys=self.keys,
                              request_id=str(uuid.uuid4()), providers=self.providers)

    async def root(self, request: Request) -> Response:
        started = time.perf_counter()
        ctx = self.context()
        target = request.headers.get("x-amz-target")
        if target is not None:
            operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else target
            response = await self._json(request, ctx, target)
        elif request.method == "GET" and "Action" not in request.query_params:
            operation = "-"
            response = JSONResponse({"service": "cognito-desk", "version": __version__,
                                     "region": self.settings.region},
                                    headers={"x-amzn-RequestId": ctx.request_id})
        else:
            operation = request.query_params.get("Action") or "query"
            response = await query.handle_query(request, ctx)
            operation = ctx.operation or operation
        try:
            await self.store.durable()
        except Exception:
            log.exception("commit failed (request %s)", ctx.request_id)
            response = protocol.failure(errors.InternalErrorException("An internal error occurred."), ctx.request_id)
        notes = ""
        if ctx.log_notes:
            notes = " " + "; ".join(ctx.log_notes).replace("\n", " | ")
            response.headers[NOTES_HEADER] = protocol.header_safe(notes.strip(), 4000)
        log.info("%s %d %.1fms %s%s", operation, response.status_code,
                 (time.perf_counter() - started) * 1000, ctx.request_id, notes)
        return response

    async def _json(self, request: Request, ctx: RequestContext, target: str) -> Response:
        try:
            operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else None
            handler = identity.OPERATIONS.get(operation) if operation else None
            if handler is None:
                raise errors.UnknownOperationException(f"Unknown operation {target}")
            body = await request.body()
            if operation in identity.SIGNED:
                self._authenticate(request, ctx, body, operation)
            params = protocol.decode_body(body)
            self.validator.validate(operation, params)
            result = handler(ctx, params)
            if inspect.isawaitable(result):
                result = await result
            return protocol.success(result, ctx.request_id)
        except errors.AwsError as exc:
            return protocol.failure(exc, ctx.request_id,
                                    model_status_codes=self.settings.model_status_codes)
        except Exception:
            log.exception("internal error in %s (request %s)", target, ctx.request_id)
            return protocol.failure(errors.InternalErrorException("An internal error occurred."),
                                    ctx.request_id)

    def _authenticate(self, request: Request, ctx: RequestContext, body: bytes, operation: str) -> None:
        signed = sigv4.verify(method=request.method, path=request.scope["raw_path"].decode("latin-1"),
                              query_string=request.scope["query_string"].decode("latin-1"),
                              headers=request.headers, body=body,
                              now=ctx.now(), lookup=credentials.key_lookup(ctx), protocol="json",
                              region=self.settings.region, service=SIGNING_SERVICE)
        ctx.principal = credentials.principal_for(ctx, signed.access_key_id)
        if not ctx.principal.is_admin:
            raise errors.AccessDeniedException(
                f"User: {ctx.principal.arn} is not authorized to perform: cognito-identity:{operation} "
                f"on resource: *")

    async def preflight(self, request: Request) -> Response:
        return Response(status_code=200, headers=protocol.PREFLIGHT_HEADERS)

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.keys.jwks(), headers=protocol.CORS_HEADERS)

    async def discovery(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return JSONResponse(self.keys.discovery(base), headers=protocol.CORS_HEADERS)


def create_app(settings: ServiceSettings, store: Store) -> Starlette:
    """Build the ASGI app for ``settings`` over an open ``store``."""
    service = Service(settings, store)
    app = Starlette(routes=[
        Route("/", service.root, methods=["GET", "POST"]),
        Route("/", service.preflight, methods=["OPTIONS"]),
        Route("/.well-known/jwks_uri", service.jwks, methods=["GET"]),
        Route("/.well-known/jwks.json", service.jwks, methods=["GET"]),
        Route("/.well-known/openid-configuration", service.discovery, methods=["GET"]),
    ])
    app.state.service = service
    return app
