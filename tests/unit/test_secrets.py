"""Tests for cognito_desk.settings.secrets: keyring storage, the no-keyring condition, masking."""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest
from support import MemoryKeyring

from cognito_desk.core import errors
from cognito_desk.settings import (
    SERVICE_NAME,
    KeyringSecrets,
    KeyringUnavailable,
    Secret,
    SecretChoice,
    SecretField,
    SessionSecrets,
    keyring_username,
)


class LockedKeyring(MemoryKeyring):
    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt.file.PlaintextKeyring (matched by name)."""


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_store_read_delete_through_keyring(memory_keyring):
    secrets = KeyringSecrets()
    secrets.check()
    secrets.set("prod", SecretField.SECRET_ACCESS_KEY, Secret("abc/123"))
    assert memory_keyring.passwords == {("cognito-desk", "profile:prod:secret_access_key"): "abc/123"}
    value = secrets.get("prod", SecretField.SECRET_ACCESS_KEY)
    assert value == Secret("abc/123") and value.reveal() == "abc/123"
    assert secrets.get("prod", SecretField.SESSION_TOKEN) is None
    secrets.delete("prod", SecretField.SECRET_ACCESS_KEY)
    secrets.delete("prod", SecretField.SECRET_ACCESS_KEY)  # deleting twice is fine
    assert memory_keyring.passwords == {}
    assert secrets.persistent is True


def test_usernames_and_service_name():
    assert SERVICE_NAME == "cognito-desk"
    assert keyring_username("local", "access_key_id") == "profile:local:access_key_id"
    with pytest.raises(ValueError):
        keyring_username("local", "password")


def test_fail_backend_gives_clear_condition(monkeypatch):
    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setattr("sys.platform", "linux")
    secrets = KeyringSecrets()
    for call in (secrets.check, lambda: secrets.get("p", SecretField.SECRET_ACCESS_KEY),
                 lambda: secrets.set("p", SecretField.SECRET_ACCESS_KEY, Secret("s")),
                 lambda: secrets.delete("p", SecretField.SECRET_ACCESS_KEY)):
        with pytest.raises(KeyringUnavailable) as info:
            call()
        message = str(info.value)
        assert message.startswith(
            "No OS keyring is available: no Secret Service is running on this desktop session")
        assert "use an AWS profile" in message and "in memory for this session only" in message
        assert info.value.choices == (SecretChoice.AWS_PROFILE, SecretChoice.SESSION_ONLY)
        assert isinstance(info.value, errors.CognitoDeskError)


def test_no_keyring_error_raised_by_backend_is_translated(monkeypatch):
    class Raising(MemoryKeyring):
        def set_password(self, service, username, password):
            raise keyring.errors.NoKeyringError("No recommended backend was available.")

    monkeypatch.setattr("sys.platform", "linux")
    with pytest.raises(KeyringUnavailable, match="no Secret Service is running"):
        KeyringSecrets(Raising()).set("p", SecretField.SECRET_ACCESS_KEY, Secret("s"))


def test_null_backend_is_refused_not_silently_used():
    keyring.set_keyring(keyring.backends.null.Keyring())
    with pytest.raises(KeyringUnavailable, match="'null' backend, which stores nothing"):
        KeyringSecrets().set("p", SecretField.SECRET_ACCESS_KEY, Secret("s"))


def test_plaintext_backend_is_refused(memory_keyring):
    backend = PlaintextKeyring()
    with pytest.raises(KeyringUnavailable, match="would keep secrets in a plain file"):
        KeyringSecrets(backend).set("p", SecretField.SECRET_ACCESS_KEY, Secret("s"))
    assert backend.passwords == {}


def test_locked_keyring_is_reported():
    with pytest.raises(KeyringUnavailable, match="the keyring is locked and was not unlocked"):
        KeyringSecrets(LockedKeyring()).get("p", SecretField.SECRET_ACCESS_KEY)


def test_session_store_is_the_explicit_alternative():
    secrets = SessionSecrets()
    assert secrets.persistent is False
    secrets.set("dev", SecretField.ACCESS_KEY_ID, Secret("AKID"))
    assert secrets.get("dev", "access_key_id") == Secret("AKID")
    secrets.delete("dev", SecretField.ACCESS_KEY_ID)
    assert secrets.get("dev", SecretField.ACCESS_KEY_ID) is None
    secrets.set("dev", SecretField.SECRET_ACCESS_KEY, Secret("hidden-value"))
    assert "hidden-value" not in repr(secrets)


def test_secret_is_masked_everywhere():
    secret = Secret("hunter2-secret")
    assert repr(secret) == "Secret('********')"
    assert str(secret) == "********" and f"{secret}" == "********"
    assert "hunter2" not in repr([secret]) and "hunter2" not in repr({"k": secret})
    assert secret.reveal() == "hunter2-secret"
    assert secret != Secret("other") and bool(Secret("")) is False
    with pytest.raises(TypeError):
        Secret(b"bytes")
