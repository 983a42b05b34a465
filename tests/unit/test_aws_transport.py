"""The shared request core of ``cognito_desk.aws``: error mapping, retries, timeouts, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from botocore.credentials import ReadOnlyCredentials

from cognito_desk.aws import (
    CognitoIdentityClient,
    ConnectionFailed,
    Endpoint,
    MalformedResponse,
    NoCredentials,
    RequestTimedOut,
    RetryPolicy,
    StsClient,
    custom_endpoints,
)
from cognito_desk.core import errors

ENDPOINTS = custom_endpoints("http://backend.test", "us-east-1")
POOL_ID = "us-east-1:11111111-2222-3333-4444-555555555555"


class StaticCredentials:
    async def get(self) -> ReadOnlyCredentials:
        return ReadOnlyCredentials("AKIDTESTTESTTEST", "not-a-real-secret", None)


class Backend:
    """Answers queued responses (or raises queued exceptions) and records every request."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def json_error(code: str, message: str, status: int = 400) -> httpx.Response:
    return httpx.Response(
        status, json={"__type": code, "message": message}, headers={"x-amzn-RequestId": "req-1"}
    )


def run_identity(backend: Backend, call, *, retry: RetryPolicy | None = None, credentials=None):
    """Run ``call(client)`` against ``backend``; return (result or exception, sleeps)."""
    sleeps: list[float] = []

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    async def main():
        async with httpx.AsyncClient(transport=httpx.MockTransport(backend)) as http:
            client = CognitoIdentityClient(
                http,
                ENDPOINTS.cognito_identity,
                credentials or StaticCredentials(),
                retry=retry or RetryPolicy(jitter=lambda upper: upper),
                sleep=sleep,
            )
            try:
                return await call(client)
            except errors.CognitoDeskError as exc:
                return exc

    return asyncio.run(main()), sleeps


@contextlib.asynccontextmanager
async def loopback_endpoint(serve) -> AsyncIterator[Endpoint]:
    """The cognito-identity endpoint of a raw asyncio server that runs ``serve`` on a free loopback port."""
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield custom_endpoints(f"http://127.0.0.1:{port}", "us-east-1").cognito_identity
    finally:
        server.close()
        await server.wait_closed()


def describe(client: CognitoIdentityClient):
    return client.describe_identity_pool(identity_pool_id=POOL_ID)


# --- error mapping ------------------------------------------------------------------------------


def test_json_error_maps_to_the_class_of_its_code() -> None:
    backend = Backend(json_error("ResourceNotFoundException", f"IdentityPool '{POOL_ID}' not found."))
    error, _ = run_identity(backend, describe)
    assert isinstance(error, errors.ResourceNotFoundException)
    assert (error.code, error.message, error.status, error.request_id) == (
        "ResourceNotFoundException",
        f"IdentityPool '{POOL_ID}' not found.",
        400,
        "req-1",
    )


def test_json_error_type_is_trimmed_and_capital_message_read() -> None:
    body = {
        "__type": "com.amazonaws.cognito#AccessDeniedException:http://internal.amazon.com/",
        "Message": "User: anonymous is not authorized to perform: cognito-identity:GetId",
    }
    error, _ = run_identity(Backend(httpx.Response(400, json=body)), describe)
    assert type(error) is errors.AccessDeniedException
    assert error.message == "User: anonymous is not authorized to perform: cognito-identity:GetId"


def test_json_error_falls_back_to_the_error_type_header() -> None:
    response = httpx.Response(
        400,
        content=b"",
        headers={
            "x-amzn-ErrorType": "NotAuthorizedException:http://internal/",
            "x-amzn-ErrorMessage": "Logins don't match.",
        },
    )
    error, _ = run_identity(Backend(response), describe)
    assert type(error) is errors.NotAuthorizedException
    assert error.message == "Logins don't match."


def test_unknown_code_keeps_its_name_and_codeless_body_uses_the_status() -> None:
    error, _ = run_identity(Backend(json_error("BrandNewException", "new")), describe)
    assert type(error) is errors.AwsError and error.code == "BrandNewException"
    error, _ = run_identity(Backend(httpx.Response(403, text="<html>Forbidden</html>")), describe)
    assert (error.code, error.status, error.message) == ("403", 403, "Forbidden")


def test_non_json_success_body_is_a_malformed_response() -> None:
    error, _ = run_identity(Backend(httpx.Response(200, text="<html>proxy login</html>")), describe)
    assert isinstance(error, MalformedResponse)
    assert error.operation == "DescribeIdentityPool"


def test_query_xml_error_maps_code_message_and_request_id() -> None:
    body = (
        b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        b"<Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity"
        b"</Message></Error><RequestId>sts-req-9</RequestId></ErrorResponse>"
    )

    async def main():
        transport = httpx.MockTransport(lambda request: httpx.Response(403, content=body))
        async with httpx.AsyncClient(transport=transport) as http:
            with pytest.raises(errors.AccessDenied) as caught:
                await StsClient(http, ENDPOINTS.sts).assume_role_with_web_identity(
                    "arn:aws:iam::123456789012:role/Guest", "qa", "token-value"
                )
            return caught.value

    error = asyncio.run(main())
    assert (error.message, error.status, error.request_id) == (
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        403,
        "sts-req-9",
    )


# --- retries ------------------------------------------------------------------------------------

POOL = {"IdentityPoolId": POOL_ID, "IdentityPoolName": "qa", "AllowUnauthenticatedIdentities": True}


def test_throttling_is_retried_then_succeeds() -> None:
    backend = Backend(json_error("TooManyRequestsException", "Rate exceeded"), httpx.Response(200, json=POOL))
    result, sleeps = run_identity(backend, describe)
    assert result == POOL
    assert len(backend.requests) == 2 and sleeps == [1.0]


def test_the_default_policy_is_botocores_standard_mode() -> None:
    """3 attempts; the n-th retry after a random delay below min(20 s, 2**(n-1) s)."""
    policy = RetryPolicy()
    assert policy.max_attempts == 3
    assert RetryPolicy(jitter=lambda upper: upper).delay(0) == 1.0
    assert [RetryPolicy(jitter=lambda upper: upper).delay(n) for n in (1, 4, 5, 9)] == [2.0, 16.0, 20.0, 20.0]
    assert all(0.0 <= policy.delay(0) <= 1.0 for _ in range(50))


@pytest.mark.parametrize("answer", [
    json_error("ThrottlingException", "Rate exceeded"),
    json_error("Throttling", "Rate exceeded"),
    json_error("RequestLimitExceeded", "Request limit exceeded."),
    json_error("SlowDownPlease", "whatever the code", status=429),
])
def test_every_throttling_answer_is_retried(answer) -> None:
    result, sleeps = run_identity(Backend(answer, httpx.Response(200, json=POOL)), describe)
    assert result == POOL and sleeps == [1.0]


def test_a_resource_limit_is_not_taken_for_throttling() -> None:
    backend = Backend(json_error("LimitExceededException", "1000 pools"), httpx.Response(200, json=POOL))
    error, sleeps = run_identity(backend, describe)
    assert type(error) is errors.LimitExceededException and sleeps == [] and len(backend.requests) == 1


def test_throttle_waits_are_reported_to_the_running_task_and_the_error_names_its_operation() -> None:
    from cognito_desk.aws.retry import throttle_context

    heard = []

    async def main(backend):
        async with httpx.AsyncClient(transport=httpx.MockTransport(backend)) as http:
            client = CognitoIdentityClient(http, ENDPOINTS.cognito_identity, StaticCredentials(),
                                           retry=RetryPolicy(jitter=lambda upper: upper),
                                           sleep=lambda _: asyncio.sleep(0))
            task = asyncio.get_running_loop().create_task(describe(client),
                                                          context=throttle_context(heard.append))
            try:
                return await task
            except errors.CognitoDeskError as exc:
                return exc

    throttled = json_error("TooManyRequestsException", "Rate exceeded")
    assert asyncio.run(main(Backend(throttled, httpx.Response(200, json=POOL)))) == POOL
    assert [(n.operation, n.attempt, n.max_attempts, n.delay) for n in heard[:1]] == [
        ("DescribeIdentityPool", 2, 3, 1.0)]
    assert heard[1] is None  # the retry got through
    assert heard[0].text() == "Throttled by AWS, retrying… (DescribeIdentityPool, attempt 2 of 3)"
    heard.clear()
    error = asyncio.run(main(Backend(throttled)))
    assert type(error) is errors.TooManyRequestsException and error.operation == "DescribeIdentityPool"
    assert [n.attempt for n in heard] == [2, 3]


def test_a_throttle_wait_is_cancellable() -> None:
    backend = Backend(json_error("TooManyRequestsException", "Rate exceeded"))

    async def main():
        waiting = asyncio.Event()

        async def sleep(delay: float) -> None:
            waiting.set()
            await asyncio.sleep(delay)

        async with httpx.AsyncClient(transport=httpx.MockTransport(backend)) as http:
            client = CognitoIdentityClient(http, ENDPOINTS.cognito_identity, StaticCredentials(), sleep=sleep,
                                           retry=RetryPolicy(base=3600.0, cap=3600.0, jitter=lambda upper: upper))
            task = asyncio.create_task(describe(client))
            await waiting.wait()  # in the hour-long backoff sleep
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(asyncio.wait_for(main(), 10))
    assert len(backend.requests) == 1


def test_server_error_is_retried_then_succeeds() -> None:
    backend = Backend(httpx.Response(503, text="Service Unavailable"), httpx.Response(200, json=POOL))
    result, sleeps = run_identity(backend, describe)
    assert result == POOL and len(backend.requests) == 2 and len(sleeps) == 1


def test_retries_resign_every_attempt() -> None:
    backend = Backend(
        httpx.Response(500, json={"__type": "InternalErrorException"}), httpx.Response(200, json=POOL)
    )
    run_identity(backend, describe)
    assert all(r.headers["Authorization"].startswith("AWS4-HMAC-SHA256 ") for r in backend.requests)


def test_client_error_is_not_retried() -> None:
    backend = Backend(json_error("InvalidParameterException", "bad"), httpx.Response(200, json=POOL))
    error, sleeps = run_identity(backend, describe)
    assert type(error) is errors.InvalidParameterException and error.message == "bad"
    assert len(backend.requests) == 1 and sleeps == []


def test_throttling_gives_up_after_max_attempts_with_capped_backoff() -> None:
    backend = Backend(json_error("TooManyRequestsException", "Rate exceeded"))
    policy = RetryPolicy(max_attempts=6, base=1.0, cap=5.0, jitter=lambda upper: upper)
    error, sleeps = run_identity(backend, describe, retry=policy)
    assert type(error) is errors.TooManyRequestsException
    assert len(backend.requests) == 6
    assert sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_default_jitter_stays_within_the_capped_bound() -> None:
    policy = RetryPolicy(base=0.5, cap=2.0)
    delays = [policy.delay(n) for n in range(8) for _ in range(20)]
    assert all(0.0 <= d <= 2.0 for d in delays)
    assert len(set(delays)) > 1


def test_connect_error_is_retried_then_reported() -> None:
    backend = Backend(httpx.ConnectError("Connection refused"))
    error, sleeps = run_identity(backend, describe, retry=RetryPolicy(max_attempts=3, jitter=lambda u: u))
    assert isinstance(error, ConnectionFailed) and "Connection refused" in error.message
    assert len(backend.requests) == 3 and len(sleeps) == 2


def test_read_timeout_is_not_retried_for_a_create() -> None:
    backend = Backend(httpx.ReadTimeout("timed out"), httpx.Response(200, json=POOL))
    error, _ = run_identity(
        backend,
        lambda c: c.create_identity_pool(identity_pool_name="qa", allow_unauthenticated_identities=True),
    )
    assert isinstance(error, RequestTimedOut) and error.operation == "CreateIdentityPool"
    assert len(backend.requests) == 1


def test_read_timeout_is_retried_for_a_read() -> None:
    backend = Backend(httpx.ReadTimeout("timed out"), httpx.Response(200, json=POOL))
    result, _ = run_identity(backend, describe)
    assert result == POOL and len(backend.requests) == 2


def test_refused_loopback_connection_raises_connection_failed() -> None:
    async def main():
        async with loopback_endpoint(lambda r, w: None) as endpoint:
            pass  # the server is gone: its port refuses connections
        async with httpx.AsyncClient() as http:
            client = CognitoIdentityClient(http, endpoint, retry=RetryPolicy(max_attempts=1))
            with pytest.raises(ConnectionFailed):
                await client.get_id(identity_pool_id=POOL_ID)

    asyncio.run(main())


def test_timeout_is_applied_to_every_call() -> None:
    async def main():
        release = asyncio.Event()

        async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await release.wait()
            writer.close()

        async with loopback_endpoint(slow) as endpoint:
            async with httpx.AsyncClient() as http:
                client = CognitoIdentityClient(http, endpoint, timeout=0.3, retry=RetryPolicy(max_attempts=1))
                with pytest.raises(RequestTimedOut):
                    await client.get_id(identity_pool_id=POOL_ID)
            release.set()

    asyncio.run(main())


def test_signed_operation_without_credentials_raises_no_credentials() -> None:
    async def main():
        backend = Backend(httpx.Response(200, json={"IdentityId": POOL_ID}))
        async with httpx.AsyncClient(transport=httpx.MockTransport(backend)) as http:
            client = CognitoIdentityClient(http, ENDPOINTS.cognito_identity)
            assert await client.get_id(identity_pool_id=POOL_ID) == {"IdentityId": POOL_ID}
            with pytest.raises(NoCredentials):
                await describe(client)
        return backend

    assert len(asyncio.run(main()).requests) == 1


# --- cancellation -------------------------------------------------------------------------------


def test_cancellation_mid_request_propagates_without_retry() -> None:
    sleeps: list[float] = []

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    async def main():
        started = asyncio.Event()
        calls = 0

        async def hang(request: httpx.Request) -> httpx.Response:
            nonlocal calls
            calls += 1
            started.set()
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

        async with httpx.AsyncClient(transport=httpx.MockTransport(hang)) as http:
            client = CognitoIdentityClient(http, ENDPOINTS.cognito_identity, StaticCredentials(), sleep=sleep)
            task = asyncio.create_task(describe(client))
            await started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        return calls

    assert asyncio.run(main()) == 1
    assert sleeps == []


def test_cancellation_during_a_half_read_body_drops_the_connection() -> None:
    """The server sends headers and part of the body, then stalls: after the cancel, the client
    closes that connection (the server reads EOF) and the next call opens a fresh one."""

    async def main():
        connections = 0
        stalled, closed = asyncio.Event(), asyncio.Event()
        body = json.dumps(POOL).encode()

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            first = connections == 1
            await reader.readuntil(b"\r\n\r\n")
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            if first:
                writer.write(head + body[:10])
                await writer.drain()
                stalled.set()
                await reader.read()  # returns only at EOF: the client closed the connection
                closed.set()
            else:
                writer.write(head + body)
                await writer.drain()
            writer.close()

        async with loopback_endpoint(serve) as endpoint, httpx.AsyncClient() as http:
            client = CognitoIdentityClient(http, endpoint, StaticCredentials())
            task = asyncio.create_task(describe(client))
            await asyncio.wait_for(stalled.wait(), 10)  # the call is waiting for the rest of the body
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.wait_for(closed.wait(), 5)
            assert await describe(client) == POOL
        return connections

    assert asyncio.run(main()) == 2
