"""The shared request core of the AWS clients: one signed (or unsigned) POST, with retries.

A :class:`Transport` binds the injected ``httpx.AsyncClient`` of a backend connection to one
:class:`~cognito_desk.aws.endpoints.Endpoint` and a credentials provider. :meth:`Transport.call` encodes
an operation with a wire protocol (``protocols.py``), signs it afresh on every attempt, sends it with a
timeout, and either decodes the success body or raises the ``core.errors`` class named after the AWS
error code. Failures that are not AWS answers raise a :class:`BackendError` defined here::

    CognitoDeskError
     ├── AwsError ...            (core/errors.py) the backend answered with an error code
     └── BackendError            no usable answer from the backend
          ├── ConnectionFailed   connect refused/reset, connection dropped, bad URL scheme
          ├── RequestTimedOut    connect, write, read or pool timeout
          ├── MalformedResponse  a 2xx body that the protocol cannot decode
          └── NoCredentials      a signed operation on a connection without credentials

Retries (``retry.py``: botocore's standard mode, 3 attempts, capped exponential backoff with full jitter): for
throttling (``retry.is_throttling``), HTTP 5xx and connection failures; never for other client errors. Each
throttle wait is reported to the running task's listener (``retry.throttle_context``), and an AWS error that
reaches the caller names the operation that failed (``AwsError.operation``). A
call marked non-idempotent (it creates something) is retried after a connection failure only when the
request cannot have reached the server (connect error/timeout, pool timeout): after a read timeout or
a dropped connection the server may have acted, so the error surfaces instead of a duplicate create.

Cancellation: a ``CancelledError`` at any point propagates unchanged; the response (if any) is closed
in a ``finally``, so httpcore drops a half-read connection instead of returning it to the pool, and
no further attempt or backoff sleep follows. "Nothing half-done" is a client-side promise only: once
the request bytes left, the server may have completed a non-idempotent operation (a pool created, an
identity linked) even though the caller saw a cancellation. Callers treat the outcome of a cancelled
create as unknown and re-read the state (list/describe) before retrying it.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, Self, TypedDict, Unpack

import httpx

from ..core import errors
from .credentials import CredentialsProvider
from .endpoints import Endpoint
from .retry import RetryPolicy, ThrottleNotice, is_throttling, notify
from .signing import sign

#: Default per-call timeouts: 5 s to connect, 30 s for each read/write/pool wait.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class BackendError(errors.CognitoDeskError):
    """No usable answer from the backend (not an AWS error code)."""

    def __init__(self, message: str, *, url: str = "", operation: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.operation = operation


class ConnectionFailed(BackendError):
    """The connection could not be made or broke before a complete answer arrived."""


class RequestTimedOut(BackendError):
    """The backend did not connect or answer within the call's timeout."""


class MalformedResponse(BackendError):
    """A success response whose body the wire protocol cannot decode."""


class NoCredentials(BackendError):
    """A signed operation was called on a connection that has no credentials provider."""


class WireProtocol(Protocol):
    """Encoding and decoding of one AWS protocol (JSON 1.1 or query); see ``protocols.py``."""

    def encode(self, operation: str, params: Mapping[str, Any]) -> tuple[bytes, dict[str, str]]: ...

    def decode(self, response: httpx.Response, operation: str) -> Any: ...

    def error(self, response: httpx.Response) -> errors.AwsError: ...


# Transport failures after which the request certainly did not reach the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Transport failures that no retry can fix.
_PERMANENT = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


class Transport:
    """Calls operations on one endpoint through the connection's shared ``httpx.AsyncClient``."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        endpoint: Endpoint,
        credentials: CredentialsProvider | None = None,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.http = http
        self.endpoint = endpoint
        self.credentials = credentials
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    def with_credentials(self, credentials: CredentialsProvider | None) -> Transport:
        """The same connection and settings, signing with other credentials (e.g. vended ones)."""
        clone = copy.copy(self)
        clone.credentials = credentials
        return clone

    async def call(
        self,
        protocol: WireProtocol,
        operation: str,
        params: Mapping[str, Any],
        *,
        signed: bool = True,
        idempotent: bool = True,
    ) -> Any:
        """Send ``operation`` and return the protocol's decoded result, retrying what may be retried."""
        body, headers = protocol.encode(operation, params)
        attempt = 1
        throttled = False
        while True:
            throttling = False
            try:
                response = await self._send(body, headers, signed, operation)
            except httpx.TransportError as exc:
                failure: errors.CognitoDeskError = self._transport_failure(exc, operation)
                retryable = not isinstance(exc, _PERMANENT) and (idempotent or isinstance(exc, _NOT_SENT))
                cause: BaseException | None = exc
            else:
                if response.is_success:
                    if throttled:
                        notify(None)
                    return protocol.decode(response, operation)
                failure = protocol.error(response)
                failure.operation = operation
                throttling = is_throttling(failure)
                retryable = throttling or response.status_code >= 500
                cause = None
            if not retryable or attempt >= self.retry.max_attempts:
                raise failure from cause
            delay = self.retry.delay(attempt - 1)
            if throttling:
                throttled = True
                notify(ThrottleNotice(operation, failure.code, attempt + 1, self.retry.max_attempts, delay))
            await self._sleep(delay)
            attempt += 1

    async def _send(
        self, body: bytes, headers: dict[str, str], signed: bool, operation: str
    ) -> httpx.Response:
        if signed:
            if self.credentials is None:
                raise NoCredentials(
                    f"{operation} must be signed, but this connection has no credentials",
                    url=self.endpoint.url,
                    operation=operation,
                )
            credentials = await self.credentials.get()
            headers = {**headers, **sign(self.endpoint, credentials, headers, body)}
        request = self.http.build_request(
            "POST", self.endpoint.url + "/", content=body, headers=headers, timeout=self.timeout
        )
        response = await self.http.send(request, stream=True)
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response

    def _transport_failure(self, exc: httpx.TransportError, operation: str) -> BackendError:
        url = self.endpoint.url
        if isinstance(exc, httpx.TimeoutException):
            return RequestTimedOut(
                f"{operation} to {url} timed out ({type(exc).__name__})", url=url, operation=operation
            )
        return ConnectionFailed(
            f"{operation} to {url} failed: {exc or type(exc).__name__}", url=url, operation=operation
        )


class TransportOptions(TypedDict, total=False):
    """The keyword options of :class:`Transport` (and of every client), each with Transport's default."""

    timeout: httpx.Timeout | float
    retry: RetryPolicy | None
    sleep: Callable[[float], Awaitable[object]]


class ServiceClient:
    """Base of the typed clients: owns the :class:`Transport` built from the injected connection."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        endpoint: Endpoint,
        credentials: CredentialsProvider | None = None,
        **options: Unpack[TransportOptions],
    ) -> None:
        self.transport = Transport(http, endpoint, credentials, **options)

    def with_credentials(self, credentials: CredentialsProvider | None) -> Self:
        """A client of the same kind on the same connection that signs with ``credentials``."""
        clone = copy.copy(self)
        clone.transport = self.transport.with_credentials(credentials)
        return clone
