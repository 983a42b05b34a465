"""Where cognito-desk keeps its settings on disk.

The config directory is, in order: the directory a caller passes (tests), the
``COGNITO_DESK_CONFIG_DIR`` environment variable, or the platform's user config directory
(``platformdirs.user_config_dir("cognito-desk")``). The default data directory — the embedded
service's SQLite files, shared by ``cognito-desk serve`` and the Local connection of the desktop app —
is ``COGNITO_DESK_DATA_DIR`` or the platform's user data directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "cognito-desk"
CONFIG_DIR_ENV = "COGNITO_DESK_CONFIG_DIR"
DATA_DIR_ENV = "COGNITO_DESK_DATA_DIR"
SETTINGS_FILE_NAME = "settings.json"


def config_dir(override: str | os.PathLike | None = None) -> Path:
    """The settings directory (not created here)."""
    if override is not None:
        return Path(override)
    from_env = os.environ.get(CONFIG_DIR_ENV)
    if from_env:
        return Path(from_env)
    return Path(platformdirs.user_config_dir(APP_NAME))


def settings_path(override: str | os.PathLike | None = None) -> Path:
    """The settings file inside :func:`config_dir`."""
    return config_dir(override) / SETTINGS_FILE_NAME


def default_data_dir() -> Path:
    """Where ``serve`` and a Local profile keep the embedded service's data unless told otherwise."""
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
