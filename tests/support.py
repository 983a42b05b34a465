"""What the tests share besides fixtures: a real embedded service in a thread, boto3 clients for it, the
reference trust policy, AWS error unpacking, waiting on a condition, tampering that always changes a value,
an in-memory keyring backend, an AWS config with an IAM Identity Center (SSO) profile. Test modules import
these from here (``from support import …``); ``conftest.py`` builds its fixtures on them."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import keyring.backend
import keyring.errors
from botocore.config import Config

from cognito_desk.service.context import ServiceSettings
from cognito_desk.service.server import ServiceThread

VENV_BIN = Path(sys.executable).parent


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


def make_client(running: RunningService, service_name: str, **kwargs):
    config = kwargs.pop("config", Config(retries={"mode": "standard", "max_attempts": 1}))
    return boto3.session.Session().client(
        service_name, endpoint_url=running.url, region_name=running.region,
        aws_access_key_id=kwargs.pop("aws_access_key_id", running.access_key_id),
        aws_secret_access_key=kwargs.pop("aws_secret_access_key", running.secret_access_key),
        config=config, **kwargs)


def changed_tail(text: str, length: int = 1) -> str:
    """``text`` with its last ``length`` characters replaced by others: never equal to ``text`` (a fixed
    replacement would equal it whenever the original already ended that way)."""
    tail = text[-length:]
    replacement = "A" * length if tail != "A" * length else "B" * length
    return text[:-length] + replacement


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


def until(predicate, timeout: float = 30.0, what: str = "the condition") -> None:
    """Poll ``predicate`` (a thread or process doing the work) until it holds; fail naming ``what`` after
    ``timeout`` seconds. A loaded machine makes this slower, never failing: tests wait on conditions."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def aws_error(excinfo) -> tuple[str, str]:
    """(code, message) of a botocore ClientError caught by pytest.raises."""
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


#: An IAM Identity Center (SSO) profile ``sso-dev`` of the AWS config file; with no token cached, botocore
#: cannot get its credentials and the user must run ``aws sso login --profile sso-dev``.
SSO_PROFILE = textwrap.dedent("""
    [profile sso-dev]
    sso_session = corp
    sso_account_id = 111122223333
    sso_role_name = Admin
    region = eu-west-1
    [sso-session corp]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = eu-west-1
    sso_registration_scopes = sso:account:access
""")


def use_aws_config(tmp_path: Path, monkeypatch, text: str = SSO_PROFILE) -> Path:
    """Point the AWS config at a temporary file holding ``text``, with no credentials file, no SSO token cache
    (HOME moved) and no AWS_* variables leaking in."""
    config = tmp_path / "aws-config"
    config.write_text(text)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("HOME", str(tmp_path))
    return config


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps passwords in a dict."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")
