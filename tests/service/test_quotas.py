"""AWS request-rate quotas in the embedded service, seen from independent clients over real sockets: the wire
answer is AWS's TooManyRequestsException, botocore's standard retry mode recognises and retries it, AWS's
default rates hold, a lab's quota file is obeyed, and ``off`` (the default) limits nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from support import VENV_BIN, aws_error, make_client, start_service

from cognito_desk.aws import CognitoIdentityClient, RetryPolicy, custom_endpoints
from cognito_desk.aws.credentials import StaticCredentials
from cognito_desk.core import errors
from cognito_desk.service.quotas import QuotaTable, quota_table


@pytest.fixture
def serve(tmp_path):
    """Start a service with the quotas ``spec`` (as ``--quotas`` takes it); stopped at the end."""
    started = []

    def serve(spec: str, name: str = "data"):
        running = start_service(tmp_path / name, quotas=quota_table(spec))
        started.append(running)
        return running

    yield serve
    for running in started:
        running.thread.stop()


def quota_file(tmp_path, text: str) -> str:
    path = tmp_path / "quotas.toml"
    path.write_text(text)
    return str(path)


def identity_client(running, **config):
    return make_client(running, "cognito-identity", config=Config(**config))


def test_a_throttled_request_is_answered_exactly_as_aws_answers(serve, tmp_path):
    running = serve(quota_file(tmp_path, 'start = "none"\n[operations]\nGetId = { rate = 0, burst = 0 }\n'))
    body = b'{"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000"}'
    response = httpx.post(running.url + "/", content=body,
                          headers={"x-amz-target": "AWSCognitoIdentityService.GetId",
                                   "content-type": "application/x-amz-json-1.1"})
    assert response.status_code == 400
    assert response.json() == {"__type": "TooManyRequestsException", "message": "Rate exceeded"}
    assert response.headers["x-amzn-errortype"] == "TooManyRequestsException:"
    assert response.headers["x-amzn-errormessage"] == "Rate exceeded"
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-requestid"]
    assert "GetId is limited to 0 requests per second" in response.headers["x-cognito-desk-notes"]


def test_model_status_codes_answer_429(tmp_path):
    running = start_service(tmp_path / "data", model_status_codes=True, quotas=quota_table(
        quota_file(tmp_path, 'start = "none"\n[operations]\nListIdentityPools = { rate = 0, burst = 0 }\n')))
    try:
        with pytest.raises(ClientError) as caught:
            identity_client(running, retries={"mode": "standard", "max_attempts": 1}).list_identity_pools(
                MaxResults=10)
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert aws_error(caught) == ("TooManyRequestsException", "Rate exceeded")
    finally:
        running.thread.stop()


def test_botocore_standard_mode_retries_a_persistent_throttle_then_gives_up(serve, tmp_path):
    running = serve(quota_file(tmp_path, 'start = "none"\n[operations]\nListIdentityPools = { rate = 0, burst = 0 }\n'))
    client = identity_client(running, retries={"mode": "standard", "total_max_attempts": 3})
    with pytest.raises(ClientError) as caught:
        client.list_identity_pools(MaxResults=10)
    assert aws_error(caught) == ("TooManyRequestsException", "Rate exceeded")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # Retried: botocore classed the answer as throttling (a plain client error is never retried).
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 2


def test_botocore_standard_mode_retries_a_throttle_until_the_bucket_refills(serve, tmp_path):
    running = serve(quota_file(tmp_path, 'start = "none"\n[operations]\nListIdentityPools = { rate = 5, burst = 1 }\n'))
    client = identity_client(running, retries={"mode": "standard", "total_max_attempts": 10})
    client.list_identity_pools(MaxResults=10)  # takes the bucket's only token
    second = client.list_identity_pools(MaxResults=10)
    assert second["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert second["ResponseMetadata"]["RetryAttempts"] >= 1


def test_the_aws_cli_retries_it_as_throttling_too(serve, tmp_path):
    running = serve(quota_file(tmp_path, 'start = "none"\n[operations]\nListIdentityPools = { rate = 0, burst = 0 }\n'))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=running.access_key_id, AWS_SECRET_ACCESS_KEY=running.secret_access_key,
               AWS_DEFAULT_REGION=running.region, AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"), AWS_RETRY_MODE="standard", AWS_MAX_ATTEMPTS="3")
    result = subprocess.run([str(VENV_BIN / "aws"), "cognito-identity", "list-identity-pools", "--max-results", "1",
                             "--endpoint-url", running.url], env=env, capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.returncode != 0
    assert "(TooManyRequestsException)" in result.stderr and "reached max retries: 2" in result.stderr
    assert "Rate exceeded" in result.stderr


def test_a_plain_client_error_is_not_taken_for_throttling_by_botocore(serve):
    running = serve("aws")
    client = identity_client(running, retries={"mode": "standard", "total_max_attempts": 3})
    with pytest.raises(ClientError) as caught:
        client.describe_identity_pool(IdentityPoolId="us-east-1:00000000-0000-0000-0000-000000000000")
    assert aws_error(caught)[0] == "ResourceNotFoundException"
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0


async def _burst(running, count: int, call) -> tuple[int, list[BaseException], float]:
    """``count`` concurrent ``call(client)`` (no retries): how many succeeded, the failures, how long it took."""
    endpoints = custom_endpoints(running.url, running.region)
    credentials = StaticCredentials(running.access_key_id, running.secret_access_key)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=count)) as http:
        client = CognitoIdentityClient(http, endpoints.cognito_identity, credentials,
                                       retry=RetryPolicy(max_attempts=1))
        started = time.monotonic()
        results = await asyncio.gather(*(call(client) for _ in range(count)), return_exceptions=True)
        elapsed = time.monotonic() - started
    failures = [r for r in results if isinstance(r, BaseException)]
    return count - len(failures), failures, elapsed


def list_pools(client):
    return client.list_identity_pools(max_results=10)


def test_aws_defaults_hold_list_identities_to_five_per_second(serve):
    running = serve("aws")
    pool_id = make_client(running, "cognito-identity").create_identity_pool(
        IdentityPoolName="quota", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    admitted, failures, elapsed = asyncio.run(_burst(
        running, 60, lambda client: client.list_identities(identity_pool_id=pool_id, max_results=10)))
    assert failures, "60 concurrent ListIdentities calls were all admitted"
    assert all(isinstance(f, errors.TooManyRequestsException) and f.message == "Rate exceeded" for f in failures)
    # A full bucket of 5, then 5 more per second at most.
    assert 5 <= admitted <= 5 + 5 * elapsed + 1


def test_quotas_are_off_by_default(tmp_path):
    running = start_service(tmp_path / "data")
    try:
        admitted, failures, _ = asyncio.run(_burst(running, 60, list_pools))
        assert failures == [] and admitted == 60
    finally:
        running.thread.stop()


def test_a_lab_file_sets_its_own_rates_and_keeps_aws_defaults_for_the_rest(serve, tmp_path):
    running = serve(quota_file(tmp_path, '[operations]\nListIdentityPools = "off"\nGetId = 2\n'))
    admitted, failures, _ = asyncio.run(_burst(running, 40, list_pools))
    assert failures == [] and admitted == 40
    table = running.thread.settings.quotas
    assert table.quotas["GetId"].rate == 2 and table.quotas["ListIdentities"] == QuotaTable.aws().quotas[
        "ListIdentities"]


def test_sts_and_iam_are_not_limited(serve):
    running = serve("aws")
    iam = make_client(running, "iam")
    for _ in range(30):
        iam.list_roles()
    sts = boto3.session.Session().client(
        "sts", endpoint_url=running.url, region_name=running.region, aws_access_key_id=running.access_key_id,
        aws_secret_access_key=running.secret_access_key, config=Config(retries={"max_attempts": 1}))
    for _ in range(30):
        sts.get_caller_identity()


def test_serve_refuses_an_unusable_quota_file(tmp_path):
    bad = tmp_path / "quotas.toml"
    bad.write_text("[operations]\nGetID = 5\n")
    result = subprocess.run([sys.executable, "-m", "cognito_desk", "serve", "--port", "0", "--data-dir",
                             str(tmp_path / "data"), "--quotas", str(bad)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "operations.GetID: not a Cognito Identity operation (did you mean GetId?)" in result.stderr
    assert not (tmp_path / "data").exists()
