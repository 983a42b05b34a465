"""cognito_desk.admin.connections: the connection form's checks, what a save / removal writes, SSO detection and
"Test connection" against the real embedded service — all without Qt."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import keyring.backends.fail
import pytest
from support import SSO_PROFILE, use_aws_config

from cognito_desk.admin import connections as conn
from cognito_desk.backend import LocalServices
from cognito_desk.core import errors
from cognito_desk.settings import (
    AwsProfile,
    CredentialSource,
    EndpointProfile,
    KeyringSecrets,
    KeyringUnavailable,
    LocalProfile,
    ProfileKind,
    Secret,
    SecretField,
    SessionSecrets,
    Settings,
    SettingsFile,
)

KEY, SECRET = "AKIAEXAMPLEKEY000001", Secret("example-secret-value")


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


@pytest.fixture
def settings():
    return Settings((LocalProfile("local"), EndpointProfile("lab", "http://127.0.0.1:5000")), "lab")


@pytest.fixture
def aws_config(tmp_path, monkeypatch):
    """A temporary AWS config with a static-keys profile and an IAM Identity Center profile (no SSO token)."""
    static = "[profile static]\naws_access_key_id = AKIAEXAMPLESTATIC01\naws_secret_access_key = static-secret\n"
    config = use_aws_config(tmp_path, monkeypatch, static + SSO_PROFILE)
    return config


def endpoint_form(**changes) -> conn.ConnectionForm:
    form = conn.ConnectionForm(kind=ProfileKind.ENDPOINT, name="moto", url="http://127.0.0.1:5001",
                               access_key_id=KEY, secret_access_key=SECRET)
    return replace(form, **changes)


def test_a_complete_endpoint_form_has_no_problems_and_builds_its_profile(settings):
    form = endpoint_form(url=" http://127.0.0.1:5001 ", name=" moto ")
    assert conn.form_problems(form, settings) == {}
    assert conn.form_profile(form) == EndpointProfile("moto", "http://127.0.0.1:5001", "us-east-1",
                                                      CredentialSource.KEYRING, "")


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"name": ""}, "name", "Enter a name"),
    ({"name": "LAB"}, "name", "already a connection named 'LAB'"),
    ({"name": "a:b"}, "name", "not a valid profile name"),
    ({"region": ""}, "region", "Choose the region"),
    ({"region": "Europe"}, "region", "not an AWS region name"),
    ({"url": ""}, "url", "Enter the endpoint URL"),
    ({"url": "ftp://host"}, "url", "must start with http:// or https://"),
    ({"url": "http://h:99999"}, "url", "invalid port"),
    ({"url": "http://user:pw@h"}, "url", "must not carry credentials"),
    ({"access_key_id": ""}, "access_key_id", "Enter the access key ID"),
    ({"access_key_id": "AKIA-1"}, "access_key_id", "16-128 letters, digits or _"),
    ({"secret_access_key": Secret("")}, "secret_access_key", "Enter the secret access key"),
    ({"secret_access_key": Secret("a b")}, "secret_access_key", "spaces or line breaks"),
])
def test_each_bad_field_gets_its_own_message(settings, changes, field, words):
    problems = conn.form_problems(endpoint_form(**changes), settings)
    assert words in problems[field]
    assert set(problems) == {field}


def test_aws_region_must_offer_cognito_identity_per_botocore(settings):
    form = conn.ConnectionForm(kind=ProfileKind.AWS, name="prod", region="cn-northwest-1",
                               credentials=CredentialSource.ENVIRONMENT)
    assert "not a region where Amazon Cognito Identity is offered" in conn.form_problems(form, settings)["region"]
    assert conn.form_problems(replace(form, region="eu-central-1"), settings) == {}
    assert "cn-northwest-1" in conn.regions(False) and "cn-northwest-1" not in conn.regions(True)
    assert {"us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"} <= set(conn.regions(True))


def test_aws_profile_must_be_named_and_known(settings):
    form = conn.ConnectionForm(kind=ProfileKind.AWS, name="prod", credentials=CredentialSource.AWS_PROFILE)
    assert "Choose the AWS profile" in conn.form_problems(form, settings)["aws_profile"]
    form = replace(form, aws_profile="nope")
    assert conn.form_problems(form, settings) == {}  # the list is not known yet
    problem = conn.form_problems(form, settings, known_aws_profiles=["dev", "sso-dev"])["aws_profile"]
    assert problem == "There is no AWS profile 'nope' in the AWS config or credentials file (found: dev, sso-dev)."


def test_local_form_checks_account_and_data_dir(settings, tmp_path):
    form = conn.ConnectionForm(kind=ProfileKind.LOCAL, name="local 2", account_id="123")
    assert "must be 12 digits" in conn.form_problems(form, settings)["account_id"]
    (tmp_path / "file").write_text("x")
    form = replace(form, account_id="111122223333", data_dir="relative/dir")
    assert "must be an absolute path" in conn.form_problems(form, settings)["data_dir"]
    assert "is a file" in conn.form_problems(replace(form, data_dir=str(tmp_path / "file")), settings)["data_dir"]
    assert conn.form_problems(replace(form, data_dir=str(tmp_path / "new")), settings) == {}
    assert conn.form_profile(form).kind is ProfileKind.LOCAL and form.secrets() == {}


def test_form_round_trips_a_profile_and_only_keyring_forms_carry_secrets():
    profile = AwsProfile("prod", "eu-west-1", CredentialSource.AWS_PROFILE, "sso-dev")
    form = conn.form_for_profile(profile, original="prod")
    assert conn.form_profile(form) == profile and form.original == "prod"
    assert replace(form, access_key_id=KEY, secret_access_key=SECRET).secrets() == {}
    keyed = endpoint_form(session_token=Secret("tok"))
    assert keyed.secrets() == {SecretField.ACCESS_KEY_ID: Secret(KEY), SecretField.SECRET_ACCESS_KEY: SECRET,
                               SecretField.SESSION_TOKEN: Secret("tok")}
    assert "example-secret-value" not in repr(keyed)


def test_saving_a_rename_moves_the_secrets_and_keeps_the_active_choice(tmp_path, settings):
    file, store = SettingsFile(tmp_path), SessionSecrets()
    for field, value in ((SecretField.ACCESS_KEY_ID, Secret(KEY)), (SecretField.SECRET_ACCESS_KEY, SECRET),
                         (SecretField.SESSION_TOKEN, Secret("old-token"))):
        store.set("lab", field, value)
    form = conn.form_for_profile(settings.profile("lab"), original="lab")
    form = form.with_secrets(conn.stored_secrets(store, "lab"))
    form = replace(form, name="lab 2", session_token=Secret(""))
    plan = conn.plan_save(form, settings)
    saved = conn.apply_save(plan, file, store, store)
    assert file.load() == saved and saved.active_profile == "lab 2"
    assert [p.name for p in saved.profiles] == ["local", "lab 2"]
    assert conn.stored_secrets(store, "lab 2") == {SecretField.ACCESS_KEY_ID: Secret(KEY),
                                                   SecretField.SECRET_ACCESS_KEY: SECRET}
    assert conn.stored_secrets(store, "lab") == {}


def test_switching_away_from_keyring_keys_deletes_them(tmp_path, settings):
    store = SessionSecrets()
    store.set("lab", SecretField.ACCESS_KEY_ID, Secret(KEY))
    store.set("lab", SecretField.SECRET_ACCESS_KEY, SECRET)
    form = replace(conn.form_for_profile(settings.profile("lab"), original="lab"),
                   credentials=CredentialSource.ENVIRONMENT, access_key_id=KEY, secret_access_key=SECRET)
    conn.apply_save(conn.plan_save(form, settings), SettingsFile(tmp_path), store, store)
    assert conn.stored_secrets(store, "lab") == {}


def test_no_keyring_leaves_the_settings_file_alone_and_session_only_works(tmp_path, settings):
    file = SettingsFile(tmp_path)
    file.save(settings)
    before = file.path.read_bytes()
    store = conn.with_session_fallback(KeyringSecrets(keyring.backends.fail.Keyring()))
    assert conn.with_session_fallback(store) is store
    with pytest.raises(KeyringUnavailable):
        store.check()
    plan = conn.plan_save(endpoint_form(), settings)
    with pytest.raises(KeyringUnavailable, match="keep the secret in memory for this session only"):
        conn.apply_save(plan, file, store, store)
    assert file.path.read_bytes() == before
    conn.apply_save(plan, file, store.session, store)
    assert file.load().profile("moto").url == "http://127.0.0.1:5001"
    assert store.get("moto", SecretField.SECRET_ACCESS_KEY) == SECRET
    assert SECRET.reveal() not in file.path.read_text()


def test_remove_deletes_secrets_and_refuses_the_last_connection(tmp_path, settings):
    file, store = SettingsFile(tmp_path), SessionSecrets()
    store.set("lab", SecretField.SECRET_ACCESS_KEY, SECRET)
    left = conn.remove_connection(settings, "lab", file, store)
    assert [p.name for p in left.profiles] == ["local"] and left.active_profile == "local"
    assert file.load() == left and conn.stored_secrets(store, "lab") == {}
    with pytest.raises(conn.RemovalRefused, match="'local' is the only connection; add another one"):
        conn.remove_connection(left, "local", file, store)
    with pytest.raises(conn.RemovalRefused, match="no connection named 'gone'"):
        conn.remove_connection(left, "gone", file, store)


def test_copy_names_are_free_and_valid(settings):
    assert conn.copy_name(settings, "lab") == "lab copy"
    settings = settings.with_profile(EndpointProfile("lab copy", "http://h"))
    assert conn.copy_name(settings, "lab") == "lab copy 2"
    long = conn.copy_name(settings, "x" * 64)
    assert len(long) == 64 and long.endswith(" copy")


def test_aws_profiles_are_discovered_and_sso_is_recognised(aws_config):
    assert conn.aws_profiles() == ["sso-dev", "static"]
    assert conn.is_sso_profile("sso-dev") and not conn.is_sso_profile("static")
    assert conn.sso_login_command("my profile") == "aws sso login --profile 'my profile'"


def test_an_sso_profile_without_a_session_names_the_login_command(aws_config):
    profile = AwsProfile("prod", "eu-west-1", CredentialSource.AWS_PROFILE, "sso-dev")
    with pytest.raises(conn.SsoLoginRequired) as info:
        run(conn.check_connection(profile, SessionSecrets(), LocalServices()))
    assert info.value.command == "aws sso login --profile sso-dev"
    assert "`aws sso login --profile sso-dev`" in str(info.value)
    assert "aws sso login --profile sso-dev" in info.value.cause  # botocore's own words are kept
    assert isinstance(info.value, errors.CognitoDeskError)


def test_check_connection_reports_who_the_embedded_service_says_we_are(service):
    store = SessionSecrets()
    store.set("svc", SecretField.ACCESS_KEY_ID, Secret(service.access_key_id))
    store.set("svc", SecretField.SECRET_ACCESS_KEY, Secret(service.secret_access_key))
    report = run(conn.check_connection(EndpointProfile("svc", service.url, service.region), store, LocalServices()))
    assert report.endpoint == service.url and report.account == service.account_id
    assert report.arn.startswith("arn:aws:") and service.account_id in report.arn
    assert report.latency_ms > 0
    store.set("svc", SecretField.SECRET_ACCESS_KEY, Secret("wrong-secret"))
    with pytest.raises(errors.AwsError) as info:
        run(conn.check_connection(EndpointProfile("svc", service.url, service.region), store, LocalServices()))
    assert info.value.code == "SignatureDoesNotMatch"


def test_check_connection_on_a_local_profile_serves_its_data_dir(tmp_path):
    local = LocalServices()
    try:
        profile = LocalProfile("mine", "eu-west-1", "111122223333", str(tmp_path / "data"))
        report = run(conn.check_connection(profile, SessionSecrets(), local))
        assert report.account == "111122223333" and report.endpoint in local.served()
    finally:
        local.stop_all()
