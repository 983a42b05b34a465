"""Tests for cognito_desk.settings: the settings file, its schema, validation and migration."""

from __future__ import annotations

import json
import os

import pytest

from cognito_desk.core import errors
from cognito_desk.settings import (
    SCHEMA_VERSION,
    AwsProfile,
    CredentialSource,
    EndpointProfile,
    LocalProfile,
    Settings,
    SettingsError,
    SettingsFile,
    config_dir,
    settings_path,
)
from cognito_desk.settings.document import migrate


@pytest.fixture
def store(tmp_path):
    return SettingsFile(tmp_path / "cfg")


def write(store, document):
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(json.dumps(document))


def problems_of(store, document):
    write(store, document)
    with pytest.raises(SettingsError) as info:
        store.load()
    assert str(store.path) in str(info.value)
    return info.value.problems


def test_missing_file_gives_defaults(store):
    settings = store.load()
    assert settings == Settings()
    assert settings.profiles == (LocalProfile("local", "us-east-1", "000000000000", ""),)
    assert settings.active_profile == "local"
    assert not store.path.exists()


def test_round_trip_of_every_kind(store):
    settings = Settings(profiles=(
        LocalProfile("local", region="eu-west-1", account_id="123456789012", data_dir="/srv/desk"),
        AwsProfile("prod", region="eu-central-1", aws_profile="corp-admin"),
        AwsProfile("keys", credentials=CredentialSource.KEYRING, aws_profile=""),
        EndpointProfile("moto", url="http://127.0.0.1:5000", region="us-west-2",
                        credentials=CredentialSource.AWS_PROFILE, aws_profile="moto"),
    ), active_profile="prod")
    store.save(settings)
    assert store.load() == settings
    on_disk = json.loads(store.path.read_text())
    assert on_disk["schema_version"] == SCHEMA_VERSION == 1
    assert on_disk["profiles"][3] == {
        "kind": "endpoint", "name": "moto", "url": "http://127.0.0.1:5000", "region": "us-west-2",
        "credentials": "aws-profile", "aws_profile": "moto"}


def test_defaults_fill_missing_fields(store):
    write(store, {"schema_version": 1, "profiles": [{"kind": "aws", "name": "a"},
                                                    {"kind": "endpoint", "name": "e", "url": "https://x.test"}]})
    settings = store.load()
    assert settings.profiles == (
        AwsProfile("a", "us-east-1", CredentialSource.AWS_PROFILE, "default"),
        EndpointProfile("e", "https://x.test", "us-east-1", CredentialSource.KEYRING))
    assert settings.active_profile == "a"


@pytest.mark.parametrize("profile, expected", [
    ({"kind": "endpoint", "name": "e", "url": "localhost:4566"},
     "profiles[0].url: 'localhost:4566' must start with http:// or https://"),
    ({"kind": "endpoint", "name": "e", "url": "http://"}, "profiles[0].url: 'http://' has no host name"),
    ({"kind": "endpoint", "name": "e", "url": "http://h:99999"}, "has an invalid port"),
    ({"kind": "endpoint", "name": "e", "url": "http://u:p@h"}, "must not carry credentials"),
    ({"kind": "endpoint", "name": "e", "url": "http://h/?a=1"}, "must not have a query string"),
    ({"kind": "endpoint", "name": "e"}, "profiles[0].url: is required for a endpoint profile"),
    ({"kind": "aws", "name": "a", "region": "US-EAST"},
     "profiles[0].region: 'US-EAST' is not an AWS region name"),
    ({"kind": "local", "name": "l", "account_id": "42"}, "profiles[0].account_id: '42' must be 12 digits"),
    ({"kind": "aws", "name": "bad:name"}, "profiles[0].name: 'bad:name' is not a valid profile name"),
    ({"kind": "aws", "name": " padded"}, "is not a valid profile name"),
    ({"kind": "aws", "name": "a", "aws_profile": ""}, "profiles[0].aws_profile: name the AWS profile"),
    ({"kind": "aws", "name": "a", "credentials": "plaintext"}, "profiles[0].credentials: must be one of"),
    ({"kind": "cloud", "name": "a"}, "profiles[0].kind: must be one of local, aws, endpoint, not 'cloud'"),
    ({"kind": "aws", "name": "a", "colour": "red"}, "profiles[0].colour: unknown field for a aws profile"),
    ({"kind": "aws", "name": "a", "region": 5}, "profiles[0].region: must be a string, not int"),
    ({"kind": "aws", "name": "a", "secret_access_key": "x"},
     "profiles[0].secret_access_key: secrets are never kept in the settings file"),
    ({"kind": "local", "name": "l", "credentials": "keyring"}, "profiles[0].credentials: unknown field"),
    ("just a string", "profiles[0]: must be an object, not str"),
])
def test_each_profile_validation_error(store, profile, expected):
    problems = problems_of(store, {"schema_version": 1, "profiles": [profile]})
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize("document, expected", [
    ({"schema_version": 1, "profiles": [{"kind": "aws", "name": "Dev"}, {"kind": "aws", "name": "dev"}]},
     "profiles[1].name: duplicate profile name 'dev' (profiles[0] has the same name)"),
    ({"schema_version": 1, "profiles": [{"kind": "aws", "name": "a"}], "active_profile": "zzz"},
     "active_profile: 'zzz' is not the name of a profile"),
    ({"schema_version": 1, "profiles": []}, "profiles: at least one connection profile is needed"),
    ({"schema_version": 1, "profiles": {}}, "profiles: must be a list"),
    ({"schema_version": 1, "theme": "dark"}, "theme: unknown setting"),
    ({"schema_version": 9},
     "schema_version: 9 was written by a newer cognito-desk; this version reads up to 1"),
    ({"schema_version": "1"}, "schema_version: must be a whole number, not '1'"),
    ([1, 2], "the file must hold a JSON object, not list"),
])
def test_document_validation_errors(store, document, expected):
    assert expected in problems_of(store, document)


def test_every_problem_is_reported_at_once(store):
    problems = problems_of(store, {"schema_version": 1, "profiles": [
        {"kind": "aws", "name": "a", "region": "nowhere"},
        {"kind": "endpoint", "name": "b", "url": "ftp://x"}]})
    assert len(problems) == 2


def test_invalid_json_names_line_and_column(store):
    store.path.parent.mkdir(parents=True)
    store.path.write_text('{\n  "profiles": [,]\n}')
    with pytest.raises(SettingsError, match=r"not valid JSON \(line 2, column 16") as info:
        store.load()
    assert isinstance(info.value, errors.CognitoDeskError)


def test_save_refuses_invalid_settings_and_keeps_file(store):
    store.save(Settings())
    before = store.path.read_bytes()
    with pytest.raises(SettingsError, match="duplicate profile name"):
        store.save(Settings(profiles=(LocalProfile("x"), AwsProfile("X")), active_profile="x"))
    assert store.path.read_bytes() == before


def test_migration_v0_to_v1(store):
    v0 = {"active_profile": "ls", "profiles": [
        {"kind": "endpoint", "name": "ls", "endpoint": "http://localhost:4566", "region": "us-east-1"},
        {"kind": "local", "name": "local"}]}
    write(store, v0)
    settings = store.load()
    assert settings.profile("ls") == EndpointProfile("ls", url="http://localhost:4566")
    assert migrate(v0)["profiles"][0] == {"kind": "endpoint", "name": "ls", "url": "http://localhost:4566",
                                          "region": "us-east-1"}
    assert migrate({"schema_version": 0})["schema_version"] == 1
    store.save(settings)
    assert '"endpoint": "http' not in store.path.read_text()
    assert json.loads(store.path.read_text())["schema_version"] == 1


def test_atomic_write_leaves_old_file_when_replace_fails(store, monkeypatch):
    store.save(Settings())
    before = store.path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.save(Settings().with_profile(AwsProfile("prod")))
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["settings.json"]


def test_secrets_never_reach_the_file(store):
    from cognito_desk.settings import Secret, SecretField, SessionSecrets

    secrets = SessionSecrets()
    secrets.set("prod", SecretField.SECRET_ACCESS_KEY, Secret("wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"))
    store.save(Settings().with_profile(AwsProfile("prod", credentials=CredentialSource.KEYRING)))
    data = store.path.read_bytes()
    assert b"wJalrXUtnFEMI" not in data
    assert b"secret" not in data.lower()


def test_with_profile_replaces_by_name():
    settings = Settings().with_profile(AwsProfile("a")).with_profile(AwsProfile("a", region="eu-west-1"))
    assert [p.name for p in settings.profiles] == ["local", "a"]
    assert settings.profile("a").region == "eu-west-1"
    with pytest.raises(KeyError):
        settings.profile("missing")


def test_remember_active_changes_only_the_active_profile_of_the_file_as_it_is_now(store):
    """The window remembers the connection it opened while a dialog may have saved (or removed) profiles since
    the window read them: the file's profiles are kept, and a profile removed meanwhile is not brought back."""
    store.save(Settings().with_profile(AwsProfile("a")).with_profile(AwsProfile("b")))
    assert store.remember_active("a") == Settings((LocalProfile("local"), AwsProfile("a"), AwsProfile("b")), "a")
    store.save(Settings((LocalProfile("local"), AwsProfile("b")), "local"))  # "a" removed by another writer
    assert store.remember_active("a") == Settings((LocalProfile("local"), AwsProfile("b")), "local")
    assert store.load() == Settings((LocalProfile("local"), AwsProfile("b")), "local")
    assert store.remember_active("b").active_profile == "b" == store.load().active_profile


def test_config_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("COGNITO_DESK_CONFIG_DIR", str(tmp_path / "env"))
    assert config_dir() == tmp_path / "env"
    assert config_dir(tmp_path / "arg") == tmp_path / "arg"
    assert SettingsFile().path == tmp_path / "env" / "settings.json"
    monkeypatch.delenv("COGNITO_DESK_CONFIG_DIR")
    assert settings_path().name == "settings.json" and "cognito-desk" in str(settings_path())
