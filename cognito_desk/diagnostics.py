"""What the app is and where it keeps things: version, install, data / settings / log paths, diagnostics text.

Owns :class:`AppPaths` (the install directory — the bundle's folder when frozen, the source tree
otherwise — the bundled ``resources/`` folder, and the platform's standard data, settings and log
directories, which are never inside the install directory) and :func:`diagnostics_text`, the report the
About dialog copies and the self-test prints. The report names versions, paths, the keyring backend and a
fixed list of environment variables that shape Qt and Chromium; it never reads a secret, a settings value
or any other environment variable, so nothing in it needs masking. Qt-free: the GUI passes its Qt and
Chromium versions in.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from . import __version__
from .assets import resources_dir
from .settings.paths import APP_NAME, config_dir, default_data_dir

__all__ = ["LICENSE", "AppPaths", "diagnostics_text", "keyring_backend_name", "log_dir"]

LICENSE = "Apache-2.0"
#: Environment variables that change how Qt and Chromium run (names of settings, never secrets).
REPORTED_ENVIRONMENT = ("QT_QPA_PLATFORM", "QTWEBENGINE_DISABLE_SANDBOX", "QTWEBENGINE_CHROMIUM_FLAGS",
                        "COGNITO_DESK_DATA_DIR", "COGNITO_DESK_CONFIG_DIR", "XDG_SESSION_TYPE")


def log_dir() -> Path:
    """Where the desktop app writes its log files."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class AppPaths:
    install: Path
    resources: Path
    data: Path
    settings: Path
    logs: Path
    frozen: bool

    @classmethod
    def current(cls) -> AppPaths:
        frozen = bool(getattr(sys, "frozen", False))
        package = Path(__file__).resolve().parent
        install = Path(sys.executable).resolve().parent if frozen else package.parent
        try:
            resources = resources_dir()
        except FileNotFoundError:
            resources = package.parent / "resources"  # reported as missing by the self-test
        return cls(install=install, resources=resources, data=default_data_dir(),
                   settings=config_dir(), logs=log_dir(), frozen=frozen)

    def writable(self) -> dict[str, Path]:
        """The directories the app writes to, by what they hold."""
        return {"data": self.data, "settings": self.settings, "logs": self.logs}

    def inside_install(self) -> list[str]:
        """Names of writable directories that would land inside the install directory (should be none)."""
        return [name for name, path in self.writable().items() if path.resolve().is_relative_to(self.install)]


def keyring_backend_name() -> str:
    """The keyring backend's class, as ``module.Class`` (asks keyring, which may probe D-Bus)."""
    import keyring

    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def diagnostics_text(paths: AppPaths, runtime: Mapping[str, str] = (), environ: Mapping[str, str] | None = None,
                     keyring_backend: str | None = None) -> str:
    """A plain-text report for bug reports: ``runtime`` adds lines such as the Qt and Chromium versions."""
    environ = os.environ if environ is None else environ
    lines = [
        f"cognito-desk {__version__} ({'bundle' if paths.frozen else 'source'})",
        f"Python {platform.python_version()} on {platform.platform()}",
        *(f"{name}: {value}" for name, value in dict(runtime).items()),
        f"Install: {paths.install}",
        f"Data: {paths.data}",
        f"Settings: {paths.settings}",
        f"Logs: {paths.logs}",
        f"Keyring backend: {keyring_backend or keyring_backend_name()}",
        f"License: {LICENSE}",
    ]
    lines += [f"Environment {name}={environ[name]}" for name in REPORTED_ENVIRONMENT if name in environ]
    return "\n".join(lines) + "\n"
