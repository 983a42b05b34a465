"""Secret references in scenario files: ``env:NAME`` and ``keyring:NAME``, never the secret itself.

Owns :func:`check_not_literal` (a value that looks like a literal password, client secret or token —
a password field filled with plain text, a JWT, an AWS secret key, a long base64 blob such as a
``SAMLResponse`` — is refused with the key it was found under and how to write a reference instead),
:func:`is_reference` and :func:`resolve` (a reference to its value at run time: an environment variable,
or the OS keyring through ``KeyringSecrets`` under the profile ``scenarios/NAME`` — the
desktop app's secret fields, so a plaintext keyring is refused here too). Resolved values are
:class:`~cognito_desk.settings.Secret` so they stay masked in reprs and logs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from ..core import errors
from ..settings import KeyringUnavailable, Secret, SecretField, SecretStore, keyring_username

__all__ = ["KEYRING_PROFILE", "ReferenceError", "check_not_literal", "is_reference", "keyring_profile", "resolve"]

KEYRING_PROFILE = "scenarios"
_REFERENCE = re.compile(r"(env|keyring):([A-Za-z_][A-Za-z0-9_.\-]*)")
_SECRET_HINT = re.compile(r"passw|secret|token|passcode|\bpin\b|otp", re.IGNORECASE)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_AWS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
_BLOB = re.compile(r"[A-Za-z0-9+/_-]{120,}={0,2}")


def keyring_profile(name: str) -> str:
    """The keyring profile of ``keyring:NAME`` (its secret is kept as that profile's secret field)."""
    return f"{KEYRING_PROFILE}/{name}"


class ReferenceError(errors.CognitoDeskError):
    """A literal secret where a reference belongs, or a reference that cannot be resolved."""


def is_reference(value: str) -> bool:
    return bool(_REFERENCE.fullmatch(value))


def _refuse(where: str, what: str) -> ReferenceError:
    return ReferenceError(f"{where} looks like {what}; scenario files hold references only, never secrets: write "
                          'value = "env:NAME" (an environment variable) or "keyring:NAME" (the OS keyring) instead.')


def check_not_literal(value: str, where: str, *, hint: str = "", always: bool = False) -> None:
    """Refuse ``value`` when it looks like a secret. ``hint`` is what it fills (a selector or key name);
    ``always`` marks a place where only a reference may stand (a client secret)."""
    if not value or is_reference(value):
        return
    if value.startswith(("env:", "keyring:")):
        raise ReferenceError(f"{where}: {value.split(':', 1)[0]}: needs a NAME of letters, digits and _.- "
                             f"(got {value!r})")
    if always:
        raise _refuse(where, "a literal secret")
    if _SECRET_HINT.search(hint):
        raise _refuse(where, f"a literal password (it fills {hint!r})")
    if _JWT.search(value):
        raise _refuse(where, "a token (a JWT)")
    if _AWS_KEY_ID.search(value) or _AWS_SECRET.search(value):
        raise _refuse(where, "an AWS access key")
    if _BLOB.search(value):
        raise _refuse(where, "a token (a long encoded value)")


def resolve(value: str, secrets: SecretStore | None, environ: Mapping[str, str] | None = None) -> Secret:
    """The value a reference stands for (a plain value is returned as it is)."""
    match = _REFERENCE.fullmatch(value)
    if match is None:
        return Secret(value)
    kind, name = match.groups()
    if kind == "env":
        env = os.environ if environ is None else environ
        if name not in env:
            raise ReferenceError(f"{value}: the environment variable {name} is not set.")
        return Secret(env[name])
    if secrets is None:
        raise ReferenceError(f"{value}: no keyring is available to this run.")
    try:
        found = secrets.get(keyring_profile(name), SecretField.CLIENT_SECRET)
    except KeyringUnavailable as exc:
        raise ReferenceError(f"{value}: keyring references need the OS keyring: {exc}") from None
    if found is None:
        raise ReferenceError(f"{value}: nothing is stored in the OS keyring for it (service cognito-desk, user "
                             f"{keyring_username(keyring_profile(name), SecretField.CLIENT_SECRET)}).")
    return found
