"""Connection profiles, the settings file that keeps them, and their secrets in the OS keyring.

The public surface of the settings package: profiles (:mod:`.profiles`), the settings document and
its file (:mod:`.document`), where files live (:mod:`.paths`) and secrets (:mod:`.secrets`). Nothing
in this package imports Qt or makes network calls.
"""

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
