"""``cognito-desk pools export|import`` as a user runs it: a subprocess against real embedded services."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from support import VENV_BIN, make_client, start_service

from cognito_desk.settings import CredentialSource, EndpointProfile, Settings, SettingsFile


@pytest.fixture
def other_service(tmp_path):
    running = start_service(tmp_path / "other", account_id="444455556666")
    yield running
    running.thread.stop()


def cognito_desk(running, tmp_path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run the command with ``running``'s admin key in the environment and a settings file naming it "lab"."""
    config = tmp_path / "config"
    SettingsFile(config).save(Settings(profiles=(EndpointProfile("lab", running.url, running.region,
                                                                 CredentialSource.ENVIRONMENT),),
                                       active_profile="lab"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "COGNITO_DESK_"))}
    env.update(AWS_ACCESS_KEY_ID=running.access_key_id, AWS_SECRET_ACCESS_KEY=running.secret_access_key,
               COGNITO_DESK_CONFIG_DIR=str(config), AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    return subprocess.run([str(VENV_BIN / "cognito-desk"), "pools", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_export_then_import_into_another_service(service, other_service, make_pool, tmp_path):
    pool = make_pool(SupportedLoginProviders={"accounts.google.com": "app-1"})
    exported = cognito_desk(service, tmp_path, "export", pool.id, "--connection", "lab")
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert document["describe-identity-pool"]["IdentityPoolId"] == pool.id
    dry = cognito_desk(other_service, tmp_path, "import", "-", "--endpoint", other_service.url, "--dry-run",
                       stdin=exported.stdout)
    assert dry.returncode == 0 and dry.stdout == ""
    assert "Identity pool: create “test pool”" in dry.stderr
    assert f"arn:aws:iam::000000000000:role/{pool.roles['authenticated'].rsplit('/', 1)[1]} -> new role" in dry.stderr
    assert make_client(other_service, "cognito-identity").list_identity_pools(MaxResults=60)["IdentityPools"] == []
    path = tmp_path / "pool.json"
    path.write_text(exported.stdout)
    imported = cognito_desk(other_service, tmp_path, "import", str(path), "--name", "imported")
    assert imported.returncode == 0, imported.stderr
    new_id = imported.stdout.strip()
    ci = make_client(other_service, "cognito-identity")
    assert ci.describe_identity_pool(IdentityPoolId=new_id)["IdentityPoolName"] == "imported"
    guest = ci.get_id(IdentityPoolId=new_id)["IdentityId"]
    assert ci.get_credentials_for_identity(IdentityId=guest)["Credentials"]["AccessKeyId"]
    template = cognito_desk(service, tmp_path, "export", pool.id, "--format", "cloudformation")
    assert json.loads(template.stdout)["Resources"]["IdentityPool"]["Type"] == "AWS::Cognito::IdentityPool"


def test_failures_are_explained(service, tmp_path):
    unknown = cognito_desk(service, tmp_path, "export", "us-east-1:00000000-0000-0000-0000-000000000000")
    assert unknown.returncode == 1 and unknown.stdout == ""
    explanation, code, message, request_id = unknown.stderr.splitlines()
    assert explanation == (
        "cognito-desk: Identity pool not found. No identity pool us-east-1:00000000-0000-0000-0000-000000000000 "
        "exists in the region and account the request went to. A pool id starts with the region of its pool "
        "(us-east-1): the pool may be in another region or another account than the client uses, or it was deleted. "
        "Send the request to us-east-1, with credentials of the pool's account, and check that the pool still "
        "exists (ListIdentityPools).")
    assert explanation.count("us-east-1") == 3  # the pool id, where it lives, where to send: each said once
    assert code == "  ResourceNotFoundException (HTTP 400)"
    assert message == "  IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found."
    assert request_id.startswith("  Request id: ")
    named = cognito_desk(service, tmp_path, "export", "x", "--connection", "nope")
    assert named.returncode == 2
    assert named.stderr.strip() == "cognito-desk: no connection named 'nope' (there are: lab)"
    (tmp_path / "bad.json").write_text("{not json")
    bad = cognito_desk(service, tmp_path, "import", str(tmp_path / "bad.json"))
    assert bad.returncode == 1 and "is not JSON" in bad.stderr
    other = cognito_desk(service, tmp_path, "import", "-", stdin='{"Format": "something else"}')
    assert other.returncode == 1 and "This is not an identity pool export" in other.stderr
