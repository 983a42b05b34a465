"""``cognito-desk serve`` as a real process: start-up, admin key, logs, signals, restart, SIGKILL durability."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from service.serve_process import CLI, serve_processes
from support import trust_policy

DEV = "login.durable.app"


@pytest.fixture
def serve(tmp_path):
    with serve_processes(tmp_path / "data") as start:
        yield start


def test_port_zero_prints_url_and_admin_key_file_is_private(serve, tmp_path):
    process = serve()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", process.url)
    key_file = tmp_path / "data" / "admin-credentials.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key, secret = process.credentials()
    assert key in process.banner and secret not in process.banner
    assert "cognito-desk admin-key" in process.banner
    assert process.client("cognito-identity").list_identity_pools(MaxResults=5)["IdentityPools"] == []


def test_admin_key_from_the_environment(serve, tmp_path):
    env = {**os.environ, "COGNITO_DESK_ACCESS_KEY_ID": "AKIAENVKEY0000000000",
           "COGNITO_DESK_SECRET_ACCESS_KEY": "env-secret-value-0123456789"}
    process = serve(env=env)
    assert not (tmp_path / "data" / "admin-credentials.json").exists()
    ci = boto3.session.Session().client("cognito-identity", endpoint_url=process.url, region_name="us-east-1",
                                        aws_access_key_id="AKIAENVKEY0000000000",
                                        aws_secret_access_key="env-secret-value-0123456789")
    assert ci.list_identity_pools(MaxResults=1)["IdentityPools"] == []


def test_one_log_line_per_request_without_secrets_and_clean_sigterm(serve):
    process = serve("--region", "eu-west-1", "--account-id", "123456789012")
    key, secret = process.credentials()
    ci = boto3.session.Session().client("cognito-identity", endpoint_url=process.url, region_name="eu-west-1",
                                        aws_access_key_id=key, aws_secret_access_key=secret)
    pool_id = ci.create_identity_pool(IdentityPoolName="logs", AllowUnauthenticatedIdentities=True,
                                      DeveloperProviderName=DEV)["IdentityPoolId"]
    assert pool_id.startswith("eu-west-1:")
    token = ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: "u"})["Token"]
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.describe_identity_pool(IdentityPoolId="eu-west-1:00000000-0000-0000-0000-000000000000")
    code, err = process.stop(signal.SIGTERM)
    assert code == 0 and "cognito-desk stopped" in err
    request_lines = [line for line in err.splitlines() if re.search(r" \d{3} [\d.]+ms [0-9a-f-]{36}", line)]
    operations = [re.search(r"INFO (\S+) (\d{3})", line).groups() for line in request_lines]
    assert operations == [("CreateIdentityPool", "200"), ("GetOpenIdTokenForDeveloperIdentity", "200"),
                          ("DescribeIdentityPool", "400")]
    for leaked in (secret, token, token.split(".")[2]):
        assert leaked not in err


def test_sigint_stops_cleanly(serve):
    process = serve()
    code, err = process.stop(signal.SIGINT)
    assert code == 0 and "Traceback" not in err


def test_bad_arguments_are_explained(tmp_path):
    result = subprocess.run([*CLI, "serve", "--region", "mars", "--data-dir", str(tmp_path)], capture_output=True,
                            text=True)
    assert result.returncode == 2 and "invalid region 'mars'" in result.stderr
    result = subprocess.run([*CLI, "serve", "--account-id", "12", "--data-dir", str(tmp_path)], capture_output=True,
                            text=True)
    assert result.returncode == 2 and "invalid account id" in result.stderr
    version = subprocess.run([*CLI, "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("cognito-desk ")


def test_port_in_use_is_reported(serve, tmp_path):
    first = serve()
    port = first.url.rsplit(":", 1)[1]
    result = subprocess.run([*CLI, "serve", "--port", port, "--data-dir", str(tmp_path / "other")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_everything_survives_a_restart(serve, tmp_path):
    first = serve()
    ci, iam = first.client("cognito-identity"), first.client("iam")
    pool_id = ci.create_identity_pool(IdentityPoolName="kept", AllowUnauthenticatedIdentities=True,
                                      DeveloperProviderName=DEV)["IdentityPoolId"]
    arn = iam.create_role(RoleName="auth", AssumeRolePolicyDocument=trust_policy(pool_id))["Role"]["Arn"]
    ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": arn})
    issued = ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: "keeper"})
    assert first.stop()[0] == 0

    second = serve(data_dir=tmp_path / "data")
    ci = second.client("cognito-identity")
    assert ci.describe_identity_pool(IdentityPoolId=pool_id)["DeveloperProviderName"] == DEV
    assert ci.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {"authenticated": arn}
    assert ci.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="keeper")[
        "IdentityId"] == issued["IdentityId"]
    creds = ci.get_credentials_for_identity(IdentityId=issued["IdentityId"],
                                            Logins={"cognito-identity.amazonaws.com": issued["Token"]})
    assert creds["Credentials"]["AccessKeyId"].startswith("ASIA")  # the signing key survived too


@pytest.mark.slow
def test_sigkill_mid_load_loses_no_acknowledged_identity(serve, tmp_path):
    process = serve()
    ci = process.client("cognito-identity")
    pool_id = ci.create_identity_pool(IdentityPoolName="durable", AllowUnauthenticatedIdentities=True,
                                      DeveloperProviderName=DEV)["IdentityPoolId"]
    acknowledged: list[tuple[str, str]] = []
    guests: list[str] = []
    stop = threading.Event()

    def writer(worker: int) -> None:
        n = 0
        while not stop.is_set():
            user = f"user-{worker}-{n}"
            try:
                answer = ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: user})
                acknowledged.append((user, answer["IdentityId"]))
                guests.append(ci.get_id(IdentityPoolId=pool_id)["IdentityId"])
            except Exception:
                return
            n += 1

    with ThreadPoolExecutor(8) as pool:
        for worker in range(8):
            pool.submit(writer, worker)
        deadline = time.monotonic() + 60  # kill it mid-load: once the writers got going, however slow the machine
        while len(acknowledged) <= 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.proc.kill()
        process.proc.wait()
        process.close()
        stop.set()
    assert len(acknowledged) > 20, "the load did not get going"

    restarted = serve(data_dir=tmp_path / "data")
    ci = restarted.client("cognito-identity")
    for user, identity_id in acknowledged:
        found = ci.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier=user)
        assert found["IdentityId"] == identity_id
    for identity_id in guests:
        ci.describe_identity(IdentityId=identity_id)


def test_fifty_parallel_developer_logins_make_one_identity(serve):
    process = serve()
    ci = process.client("cognito-identity")
    pool_id = ci.create_identity_pool(IdentityPoolName="race", AllowUnauthenticatedIdentities=False,
                                      DeveloperProviderName=DEV)["IdentityPoolId"]
    barrier = threading.Barrier(50)

    def login(_: int) -> str:
        barrier.wait()
        return ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: "same-user"})[
            "IdentityId"]

    with ThreadPoolExecutor(50) as pool:
        ids = set(pool.map(login, range(50)))
    assert len(ids) == 1
    listed = ci.list_identities(IdentityPoolId=pool_id, MaxResults=60)["Identities"]
    assert [i["IdentityId"] for i in listed] == list(ids)
    assert json.dumps(listed[0]["Logins"]) == json.dumps([DEV])


def test_quotas_are_announced_and_a_throttled_request_is_logged_with_its_quota(serve, tmp_path):
    quiet = serve(data_dir=tmp_path / "quiet")
    assert quiet.proc.stdout.readline().strip() == "request quotas: off"
    process = serve("--quotas", "aws")
    assert process.proc.stdout.readline().strip() == "request quotas: aws"
    ci = process.client("cognito-identity")
    pool_id = ci.create_identity_pool(IdentityPoolName="quotas", AllowUnauthenticatedIdentities=True)[
        "IdentityPoolId"]
    with pytest.raises(ci.exceptions.TooManyRequestsException):
        for _ in range(200):  # far faster than ListIdentities' 5 per second
            ci.list_identities(IdentityPoolId=pool_id, MaxResults=1)
    code, err = process.stop(signal.SIGTERM)
    assert code == 0
    throttled = [line for line in err.splitlines() if "INFO ListIdentities 400" in line]
    assert throttled and "throttled: ListIdentities is limited to 5 requests per second (burst 5; quotas: aws)" in \
        throttled[0]
