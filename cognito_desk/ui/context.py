"""What every screen is given: the app's collaborators, made once by the composition root.

Owns :class:`AppContext` — the settings file, the secret store, the embedded services of Local
connections, the window-state store (``QSettings``: geometry, splitters, last pool per connection,
theme) and the :class:`~.tasks.Runner` for network work. Screens receive it through their
constructor; there are no global registries.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings

from ..backend import LocalServices
from ..settings import SecretStore, SettingsFile
from .tasks import Runner

__all__ = ["AppContext"]


@dataclass
class AppContext:
    settings_file: SettingsFile
    secrets: SecretStore
    local: LocalServices
    prefs: QSettings
    runner: Runner
