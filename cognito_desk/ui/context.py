"""What every screen is given: the app's collaborators, made once by the composition root.

Owns :class:`AppContext` — the window-state store (``QSettings``: geometry, splitters, last pool per
connection, theme), the :class:`~.tasks.Runner` for network work, and, once :meth:`AppContext.load`
has run, the settings file, the secret store (the OS keyring, with keys kept "for this session only" when there is
none) and the embedded services of Local
connections. Those three pull in keyring, botocore and the service, so the app loads them in a worker
thread after the window is painted; tests pass them in ready-made. ``retry`` is how the connections' clients
retry (None: botocore's standard mode; a test may ask for backoff without jitter). Screens receive the context through
their constructor; there are no global registries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from .tasks import Runner

if TYPE_CHECKING:
    from ..aws.retry import RetryPolicy
    from ..backend import LocalServices
    from ..settings import SecretStore, SettingsFile

__all__ = ["AppContext"]


class AppContext:
    def __init__(self, prefs: QSettings, runner: Runner, *, settings_file: SettingsFile | None = None,
                 secrets: SecretStore | None = None, local: LocalServices | None = None,
                 retry: RetryPolicy | None = None) -> None:
        self.prefs = prefs
        self.runner = runner
        self.retry = retry
        self._settings_file = settings_file
        self._secrets = _with_session_fallback(secrets) if secrets is not None else None
        self._local = local

    @property
    def loaded(self) -> bool:
        return None not in (self._settings_file, self._secrets, self._local)

    async def load(self) -> None:
        """Make the collaborators not given to the constructor (imports and all, in a worker thread)."""
        if not self.loaded:
            import asyncio

            await asyncio.to_thread(self._load)

    def _load(self) -> None:
        from ..backend import LocalServices
        from ..settings import KeyringSecrets, SettingsFile

        self._settings_file = self._settings_file or SettingsFile()
        self._secrets = self._secrets if self._secrets is not None else _with_session_fallback(KeyringSecrets())
        self._local = self._local or LocalServices()

    @property
    def settings_file(self) -> SettingsFile:
        return self._need(self._settings_file)

    @property
    def secrets(self) -> SecretStore:
        return self._need(self._secrets)

    @property
    def local(self) -> LocalServices:
        return self._need(self._local)

    @staticmethod
    def _need(value):
        if value is None:
            raise RuntimeError("the app context is used before AppContext.load() ran")
        return value


def _with_session_fallback(store: SecretStore) -> SecretStore:
    """The store every screen reads: the keyring, plus keys the user chose to keep for this session only."""
    from ..admin.connections import with_session_fallback

    return with_session_fallback(store)
