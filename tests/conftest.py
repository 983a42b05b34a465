"""Shared fixtures: a real embedded service on a loopback socket, and boto3 / AWS CLI clients for it."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from support import VENV_BIN, Pool, make_client, start_service, trust_policy

#: Real identity providers (oidc-provider, saml-idp from npm) as session fixtures.
pytest_plugins = ["idp_fixtures"]


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

