"""Tests for cognito_desk.aws.credentials: real botocore resolution over temp AWS config files."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path

import botocore.session
import pytest
from service.moto_server import running_moto_server

from cognito_desk.aws.credentials import (
    CredentialsError,
    CredentialsProvider,
    EnvironmentCredentials,
    ProfileCredentials,
    ProfileNotFoundError,
    StaticCredentials,
    list_profiles,
)
from cognito_desk.core import errors


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


@pytest.fixture
def aws_home(tmp_path, monkeypatch):
    """An empty HOME with the AWS files pointed into it and no AWS variables leaking in."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_REGION",
                 "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    (home / ".aws" / "config").write_text("")
    (home / ".aws" / "credentials").write_text("")
    return home / ".aws"


def test_static_profile_from_credentials_file(aws_home):
    (aws_home / "credentials").write_text(
        "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n")
    provider = ProfileCredentials("dev")
    creds = run(provider.get())
    assert (creds.access_key, creds.secret_key, creds.token) == ("AKIDDEV", "devsecret", None)
    assert provider.method == "shared-credentials-file"
    assert isinstance(provider, CredentialsProvider)
    assert "devsecret" not in repr(provider)


def test_explicit_files_override_environment(tmp_path, aws_home):
    config = tmp_path / "other-config"
    config.write_text("[profile qa]\naws_access_key_id = AKIDQA\naws_secret_access_key = qasecret\n")
    creds = run(ProfileCredentials("qa", config_file=config).get())
    assert creds.access_key == "AKIDQA"
    assert list_profiles(config_file=config) == ["qa"]


def test_list_profiles_merges_both_files(aws_home):
    (aws_home / "config").write_text("[default]\nregion = eu-west-1\n[profile beta]\nregion = us-east-1\n")
    (aws_home / "credentials").write_text("[alpha]\naws_access_key_id = A\naws_secret_access_key = B\n")
    assert list_profiles() == ["alpha", "beta", "default"]


def test_missing_profile_names_profile_and_files(aws_home):
    with pytest.raises(ProfileNotFoundError) as info:
        run(ProfileCredentials("nope").get())
    message = str(info.value)
    assert "'nope'" in message
    assert str(aws_home / "config") in message and str(aws_home / "credentials") in message
    assert isinstance(info.value, errors.CognitoDeskError)


def test_profile_without_credentials_is_explained(aws_home):
    (aws_home / "config").write_text("[profile empty]\nregion = us-east-1\n")
    with pytest.raises(CredentialsError, match=r"AWS profile 'empty' defines no credentials"):
        run(ProfileCredentials("empty").get())


PROCESS_SCRIPT = textwrap.dedent("""
    import datetime, json, pathlib, sys
    counter = pathlib.Path(sys.argv[1])
    n = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(n))
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=int(sys.argv[2]))
    print(json.dumps({"Version": 1, "AccessKeyId": f"AKIDPROC{n}", "SecretAccessKey": f"procsecret{n}",
                      "SessionToken": f"proctoken{n}", "Expiration": expires.isoformat()}))
""")


def _process_profile(aws_home: Path, tmp_path: Path, lifetime: int) -> Path:
    script = tmp_path / "creds.py"
    script.write_text(PROCESS_SCRIPT)
    counter = tmp_path / "count"
    (aws_home / "config").write_text(
        f"[profile proc]\ncredential_process = {sys.executable} {script} {counter} {lifetime}\n")
    return counter


def test_credential_process_refreshes_before_expiry(aws_home, tmp_path):
    # Five minutes left is inside botocore's refresh window: every get() runs the process again.
    counter = _process_profile(aws_home, tmp_path, lifetime=300)
    provider = ProfileCredentials("proc")
    first = run(provider.get())
    runs = int(counter.read_text())
    assert provider.method == "custom-process"
    assert (first.access_key, first.token) == (f"AKIDPROC{runs}", f"proctoken{runs}")
    second = run(provider.get())
    assert second.access_key == f"AKIDPROC{runs + 1}"
    assert counter.read_text() == str(runs + 1)


def test_credential_process_not_rerun_while_fresh(aws_home, tmp_path):
    counter = _process_profile(aws_home, tmp_path, lifetime=3600)
    provider = ProfileCredentials("proc")

    async def twice():
        return await provider.get(), await provider.get()

    first, second = run(twice())
    assert first.access_key == second.access_key == "AKIDPROC1"
    assert counter.read_text() == "1"


def test_failing_credential_process_is_wrapped(aws_home, tmp_path):
    (aws_home / "config").write_text(f"[profile broken]\ncredential_process = {sys.executable} -c "
                                     "\"import sys; sys.exit('boom')\"\n")
    with pytest.raises(CredentialsError, match=r"AWS profile 'broken'.*boom"):
        run(ProfileCredentials("broken").get())


def test_sso_profile_with_empty_cache_says_to_log_in(aws_home):
    (aws_home / "config").write_text(textwrap.dedent("""
        [profile sso-dev]
        sso_session = corp
        sso_account_id = 111122223333
        sso_role_name = Admin
        region = us-east-1
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = us-east-1
        sso_registration_scopes = sso:account:access
    """))
    provider = ProfileCredentials("sso-dev")
    with pytest.raises(CredentialsError) as info:
        run(provider.get())
    assert provider.method == "sso"
    assert "aws sso login --profile sso-dev" in str(info.value)


def test_environment_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "envtoken")
    creds = run(EnvironmentCredentials().get())
    assert (creds.access_key, creds.secret_key, creds.token) == ("AKIDENV", "envsecret", "envtoken")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(CredentialsError, match=r"AWS_SECRET_ACCESS_KEY is not set"):
        run(EnvironmentCredentials().get())


def test_static_credentials_and_masked_repr():
    provider = StaticCredentials("AKIDSTATIC", "s3cr3t-value", "tok3n-value")
    creds = run(provider.get())
    assert (creds.access_key, creds.secret_key, creds.token) == ("AKIDSTATIC", "s3cr3t-value", "tok3n-value")
    assert "s3cr3t" not in repr(provider) and "tok3n" not in repr(provider)
    assert "AKIDSTATIC" in repr(provider)
    with pytest.raises(CredentialsError):
        StaticCredentials("AKID", "")


def test_assume_role_chain_resolves_without_network(aws_home):
    (aws_home / "credentials").write_text("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b\n")
    (aws_home / "config").write_text(
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = base\n")
    session = botocore.session.Session(profile="admin")
    creds = session.get_credentials()  # deferred: STS is not called yet
    assert creds.method == "assume-role"
    fetcher = creds._refresh_using.__self__
    assert fetcher._role_arn == "arn:aws:iam::123456789012:role/Admin"
    assert fetcher._source_credentials.access_key == "AKIDBASE"


@pytest.fixture(scope="module")
def moto_sts():
    with running_moto_server() as url:
        yield url


def test_assume_role_chain_against_moto_sts(aws_home, monkeypatch, moto_sts):
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_sts)
    (aws_home / "credentials").write_text("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b\n")
    (aws_home / "config").write_text(
        "[profile admin]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/Admin\n"
        "source_profile = base\nrole_session_name = desk\n")
    provider = ProfileCredentials("admin")
    creds = run(provider.get())
    assert provider.method == "assume-role"
    assert creds.token and creds.access_key != "AKIDBASE"
    sts = botocore.session.Session().create_client(
        "sts", region_name="us-east-1", aws_access_key_id=creds.access_key,
        aws_secret_access_key=creds.secret_key, aws_session_token=creds.token)
    assert sts.get_caller_identity()["Arn"] == "arn:aws:sts::123456789012:assumed-role/Admin/desk"
