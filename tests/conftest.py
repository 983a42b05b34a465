"""Shared fixtures: a real embedded service on a loopback socket, and boto3 / AWS CLI clients for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from cognito_desk.service.context import ServiceSettings
from cognito_desk.service.server import ServiceThread

VENV_BIN = Path(sys.executable).parent

#: Real identity providers (oidc-provider, saml-idp from npm) as session fixtures.
pytest_plugins = ["idp_fixtures"]


class Clock:
    """The service's clock: real time plus an offset a test may move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class RunningService:
    thread: ServiceThread
    clock: Clock

    @property
    def url(self) -> str:
        return self.thread.url

    @property
    def region(self) -> str:
        return self.thread.settings.region

    @property
    def account_id(self) -> str:
        return self.thread.settings.account_id

    @property
    def access_key_id(self) -> str:
        return self.thread.settings.access_key_id

    @property
    def secret_access_key(self) -> str:
        return self.thread.settings.secret_access_key

    @property
    def data_dir(self) -> Path:
        return Path(self.thread.store.path).parent


def start_service(data_dir: Path, clock: Clock | None = None, **settings) -> RunningService:
    clock = clock or Clock()
    thread = ServiceThread(data_dir, ServiceSettings(clock=clock, **settings)).start()
    return RunningService(thread, clock)


@pytest.fixture(scope="session")
def service(tmp_path_factory):
    """One embedded service for the session (tests create their own pools and roles)."""
    running = start_service(tmp_path_factory.mktemp("service"))
    yield running
    running.thread.stop()


@pytest.fixture
def fresh_service(tmp_path):
    """A service of its own for a test that needs an empty store or moves the clock."""
    running = start_service(tmp_path / "data")
    yield running
    running.thread.stop()


def make_client(running: RunningService, service_name: str, **kwargs):
    config = kwargs.pop("config", Config(retries={"mode": "standard", "max_attempts": 1}))
    return boto3.session.Session().client(
        service_name, endpoint_url=running.url, region_name=running.region,
        aws_access_key_id=kwargs.pop("aws_access_key_id", running.access_key_id),
        aws_secret_access_key=kwargs.pop("aws_secret_access_key", running.secret_access_key),
        config=config, **kwargs)


@pytest.fixture
def aws_client(service):
    """Factory: ``aws_client("cognito-identity")`` → a boto3 client on the session service (admin key)."""
    return lambda service_name, **kwargs: make_client(service, service_name, **kwargs)


@pytest.fixture
def aws_cli(service, tmp_path):
    """Run the AWS CLI against the session service; ``result.json`` holds the parsed output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=service.access_key_id, AWS_SECRET_ACCESS_KEY=service.secret_access_key,
               AWS_DEFAULT_REGION=service.region, AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"), AWS_PAGER="")

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([str(VENV_BIN / "aws"), *args, "--endpoint-url", service.url, "--output", "json"],
                                env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {result.stderr}")
        result.json = json.loads(result.stdout) if result.stdout.strip() else None
        return result

    return run


def trust_policy(pool_id: str, amr: str = "authenticated", *, tag_session: bool = False) -> str:
    """The reference §5.7 trust policy for one pool and one amr value."""
    actions = ["sts:AssumeRoleWithWebIdentity", *(["sts:TagSession"] if tag_session else [])]
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": actions,
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr}}}]})


@dataclass
class Pool:
    """A pool made for one test, with a trusted role per kind when asked."""

    id: str
    roles: dict


@pytest.fixture
def make_pool(aws_client):
    """Factory: a pool (kwargs go to CreateIdentityPool) with trusted guest/auth roles attached."""
    ci, iam = aws_client("cognito-identity"), aws_client("iam")
    made: list[str] = []

    def make(*, roles=("unauthenticated", "authenticated"), tag_session=False, **kwargs) -> Pool:
        kwargs.setdefault("IdentityPoolName", "test pool")
        kwargs.setdefault("AllowUnauthenticatedIdentities", True)
        pool_id = ci.create_identity_pool(**kwargs)["IdentityPoolId"]
        made.append(pool_id)
        arns = {}
        for kind in roles:
            name = f"{kind}-{pool_id.split(':')[1][:18]}"
            arns[kind] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy(
                pool_id, kind, tag_session=tag_session))["Role"]["Arn"]
        if arns:
            ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=arns)
        return Pool(pool_id, arns)

    yield make
    for pool_id in made:
        try:
            ci.delete_identity_pool(IdentityPoolId=pool_id)
        except ci.exceptions.ResourceNotFoundException:
            pass


def aws_error(excinfo) -> tuple[str, str]:
    """(code, message) of a botocore ClientError caught by pytest.raises."""
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]
