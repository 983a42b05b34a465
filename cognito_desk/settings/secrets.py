"""Secrets of connection profiles: the OS keyring, or memory for this session only.

Owns :class:`Secret` (a string whose repr and str are masked), the keyring naming scheme (service
``cognito-desk``, usernames ``profile:<name>:<field>``), and two :class:`SecretStore`s:
:class:`KeyringSecrets` (the OS keyring through ``keyring``) and :class:`SessionSecrets` (a dict that
dies with the process). When no usable keyring exists — keyring's ``fail`` backend on a headless Linux
without a Secret Service, the ``null`` backend, a plaintext file backend (also as one of the backends
keyring's chainer would use), or a locked/unopenable keyring — :class:`KeyringSecrets` raises
:class:`KeyringUnavailable`, whose message names the cause and the two ways on (an AWS profile, or
session-only memory); switching to :class:`SessionSecrets` is the caller's explicit choice. Nothing here
ever writes a secret to a file or a log. Keyring calls may block (D-Bus, unlock prompts): call them from a
worker thread in the UI.
"""

from __future__ import annotations

import hmac
import sys
from enum import StrEnum
from typing import Protocol

import keyring
import keyring.backend
import keyring.errors
from keyring.backends.chainer import ChainerBackend

from ..core import errors

__all__ = [
    "SERVICE_NAME",
    "KeyringSecrets",
    "KeyringUnavailable",
    "Secret",
    "SecretChoice",
    "SecretField",
    "SecretStore",
    "SessionSecrets",
    "keyring_username",
]

SERVICE_NAME = "cognito-desk"
_MASK = "********"


class Secret:
    """A secret string: masked in repr/str/format, revealed only on request."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)


class SecretField(StrEnum):
    ACCESS_KEY_ID = "access_key_id"
    SECRET_ACCESS_KEY = "secret_access_key"
    SESSION_TOKEN = "session_token"
    #: An identity provider's OAuth client secret (the sign-in tester's provider clients).
    CLIENT_SECRET = "client_secret"


class SecretChoice(StrEnum):
    """What the user can do when there is no keyring."""

    AWS_PROFILE = "aws-profile"
    SESSION_ONLY = "session-only"


def keyring_username(profile: str, field: SecretField | str) -> str:
    return f"profile:{profile}:{SecretField(field).value}"


class KeyringUnavailable(errors.CognitoDeskError):
    """No usable OS keyring: ``cause`` says why, ``choices`` lists the ways on."""

    choices = (SecretChoice.AWS_PROFILE, SecretChoice.SESSION_ONLY)

    def __init__(self, cause: str) -> None:
        self.cause = cause
        super().__init__(
            f"No OS keyring is available: {cause}. Choose how to continue: use an AWS profile "
            "(credentials stay with the AWS CLI configuration: IAM Identity Center, credential_process, "
            "~/.aws/credentials), or keep the secret in memory for this session only (it is forgotten "
            "when cognito-desk quits)."
        )


class SecretStore(Protocol):
    #: True when secrets survive a restart.
    persistent: bool

    def get(self, profile: str, field: SecretField) -> Secret | None: ...

    def set(self, profile: str, field: SecretField, value: Secret) -> None: ...

    def delete(self, profile: str, field: SecretField) -> None: ...


class SessionSecrets:
    """Secrets kept in memory until the process ends."""

    persistent = False

    def __init__(self) -> None:
        self._values: dict[tuple[str, SecretField], Secret] = {}

    def get(self, profile: str, field: SecretField) -> Secret | None:
        return self._values.get((profile, SecretField(field)))

    def set(self, profile: str, field: SecretField, value: Secret) -> None:
        self._values[(profile, SecretField(field))] = value

    def delete(self, profile: str, field: SecretField) -> None:
        self._values.pop((profile, SecretField(field)), None)

    def __repr__(self) -> str:
        return f"SessionSecrets({len(self._values)} secrets)"


class KeyringSecrets:
    """Secrets in the OS keyring (``backend`` defaults to keyring's current one, looked up per call)."""

    persistent = True

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend

    def check(self) -> None:
        """Raise :class:`KeyringUnavailable` unless the backend can keep secrets safely."""
        self._usable_backend()

    def get(self, profile: str, field: SecretField) -> Secret | None:
        backend = self._usable_backend()
        try:
            value = backend.get_password(SERVICE_NAME, keyring_username(profile, field))
        except keyring.errors.KeyringError as exc:
            raise _unavailable(exc) from None
        return None if value is None else Secret(value)

    def set(self, profile: str, field: SecretField, value: Secret) -> None:
        backend = self._usable_backend()
        try:
            backend.set_password(SERVICE_NAME, keyring_username(profile, field), value.reveal())
        except keyring.errors.KeyringError as exc:
            raise _unavailable(exc) from None

    def delete(self, profile: str, field: SecretField) -> None:
        backend = self._usable_backend()
        try:
            backend.delete_password(SERVICE_NAME, keyring_username(profile, field))
        except keyring.errors.PasswordDeleteError:
            return  # nothing stored under that name
        except keyring.errors.KeyringError as exc:
            raise _unavailable(exc) from None

    def _usable_backend(self) -> keyring.backend.KeyringBackend:
        backend = self._backend if self._backend is not None else keyring.get_keyring()
        refusal = _refusal(backend)
        if refusal:
            raise KeyringUnavailable(refusal)
        return backend

    def __repr__(self) -> str:
        return "KeyringSecrets()"


def _refusal(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why ``backend`` cannot keep secrets safely, else None; a chainer is judged by every backend it would use."""
    module, name = type(backend).__module__, type(backend).__name__
    if module == "keyring.backends.fail":
        return _no_backend_cause()
    if module == "keyring.backends.null":
        return "keyring is configured with its 'null' backend, which stores nothing"
    if "plaintext" in name.lower():
        return f"the keyring backend is {module}.{name}, which would keep secrets in a plain file"
    if isinstance(backend, ChainerBackend):
        chained = list(backend.backends)
        if not chained:
            return "keyring's chainer has no backend to chain, so it would store nothing"
        for member in chained:
            refusal = _refusal(member)
            if refusal:
                return f"{refusal} (one of the backends keyring's chainer would use)"
    return None


def _no_backend_cause() -> str:
    if sys.platform.startswith("linux"):
        return ("no Secret Service is running on this desktop session (install and unlock GNOME Keyring "
                "or KWallet)")
    return "no keyring backend is usable on this system"


def _unavailable(exc: keyring.errors.KeyringError) -> KeyringUnavailable:
    if isinstance(exc, keyring.errors.NoKeyringError):
        return KeyringUnavailable(_no_backend_cause())
    if isinstance(exc, keyring.errors.KeyringLocked):
        return KeyringUnavailable("the keyring is locked and was not unlocked")
    if isinstance(exc, keyring.errors.InitError):
        return KeyringUnavailable(f"the keyring could not be opened ({exc})")
    return KeyringUnavailable(f"the keyring refused the operation ({type(exc).__name__}: {exc})")
