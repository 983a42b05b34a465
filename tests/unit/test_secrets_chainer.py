"""Issue 10 §7: keyring's chainer is judged by every backend it would use, not by its own class."""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.errors
import pytest
from support import MemoryKeyring

from cognito_desk.settings import KeyringSecrets, KeyringUnavailable, Secret, SecretField


class SafeKeyring(MemoryKeyring):
    """Stands in for the Secret Service: the chainer tries it first."""

    priority = 5


class PlaintextKeyring(SafeKeyring):
    """Stands in for keyrings.alt.file.PlaintextKeyring (matched by name), chained below the safe one."""

    priority = 1


@pytest.fixture
def chain(monkeypatch):
    """keyring's real ChainerBackend over the backends the test puts in ``chained``."""
    chained: list[keyring.backend.KeyringBackend] = []
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: list(chained))
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.chainer.ChainerBackend())
    yield chained
    keyring.set_keyring(previous)


def test_a_plaintext_backend_behind_the_chainer_is_refused(chain):
    safe, plain = SafeKeyring(), PlaintextKeyring()
    chain.extend([safe, plain])
    secrets = KeyringSecrets()
    with pytest.raises(KeyringUnavailable, match="PlaintextKeyring, which would keep secrets in a plain file "
                                                 r"\(one of the backends keyring's chainer would use\)"):
        secrets.set("lab", SecretField.SECRET_ACCESS_KEY, Secret("s3cr3t"))
    assert safe.passwords == {} and plain.passwords == {}


def test_a_chainer_of_safe_backends_is_used(chain):
    safe = SafeKeyring()
    chain.append(safe)
    secrets = KeyringSecrets()
    secrets.set("lab", SecretField.SECRET_ACCESS_KEY, Secret("s3cr3t"))
    assert secrets.get("lab", SecretField.SECRET_ACCESS_KEY).reveal() == "s3cr3t"
    assert list(safe.passwords.values()) == ["s3cr3t"]


def test_an_empty_chainer_stores_nothing_and_is_refused(chain):
    with pytest.raises(KeyringUnavailable, match="chainer has no backend to chain"):
        KeyringSecrets().check()
