"""Connection profiles, the settings file that keeps them, and their secrets in the OS keyring.

The public surface of the settings package: profiles (:mod:`.profiles`), the settings document and
its file (:mod:`.document`), where files live (:mod:`.paths`) and secrets (:mod:`.secrets`). Nothing
in this package imports Qt or makes network calls.
"""

from typing import TYPE_CHECKING

#: Where each public name lives. Imported on first use (PEP 562), so that reading the settings file does
#: not load keyring — the desktop app reads its paths before its window is painted.
_HOMES = {
    "SCHEMA_VERSION": "document", "Settings": "document", "SettingsError": "document", "SettingsFile": "document",
    "config_dir": "paths", "default_data_dir": "paths", "settings_path": "paths",
    "AwsProfile": "profiles", "ConnectionProfile": "profiles", "CredentialSource": "profiles",
    "EndpointProfile": "profiles", "LocalProfile": "profiles", "ProfileKind": "profiles",
    "SERVICE_NAME": "secrets", "KeyringSecrets": "secrets", "KeyringUnavailable": "secrets", "Secret": "secrets",
    "SecretChoice": "secrets", "SecretField": "secrets", "SecretStore": "secrets", "SessionSecrets": "secrets",
    "keyring_username": "secrets",
}

if TYPE_CHECKING:
    from .document import SCHEMA_VERSION, Settings, SettingsError, SettingsFile
    from .paths import config_dir, default_data_dir, settings_path
    from .profiles import (
        AwsProfile,
        ConnectionProfile,
        CredentialSource,
        EndpointProfile,
        LocalProfile,
        ProfileKind,
    )
    from .secrets import (
        SERVICE_NAME,
        KeyringSecrets,
        KeyringUnavailable,
        Secret,
        SecretChoice,
        SecretField,
        SecretStore,
        SessionSecrets,
        keyring_username,
    )

__all__ = [
    "SCHEMA_VERSION",
    "SERVICE_NAME",
    "AwsProfile",
    "ConnectionProfile",
    "CredentialSource",
    "EndpointProfile",
    "KeyringSecrets",
    "KeyringUnavailable",
    "LocalProfile",
    "ProfileKind",
    "Secret",
    "SecretChoice",
    "SecretField",
    "SecretStore",
    "SessionSecrets",
    "Settings",
    "SettingsError",
    "SettingsFile",
    "config_dir",
    "default_data_dir",
    "keyring_username",
    "settings_path",
]


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
