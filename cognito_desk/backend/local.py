"""The embedded service behind Local connections: join the one serving a data dir, or serve it in-process.

Owns :class:`LocalServices`, the registry of embedded services this process serves (one
:class:`~cognito_desk.service.server.ServiceThread` per data directory, on a free loopback port), and
the rule that there are never two services on one data directory: when ``cognito-desk serve`` (or
another app) already holds the directory, a Local connection joins that service with the directory's
admin key instead of starting a second one (whose request quotas, then, are that service's). A service
this process starts enforces the profile's request quotas (``LocalProfile.quotas``: off, aws or a quota
file). Starting a service opens SQLite and binds a socket, so it runs in a worker thread — and so does
importing the service, which a connection to anything but a Local profile never needs;
:meth:`LocalServices.stop_all` is for the process's exit. When the service a connection used goes away —
the joined ``serve`` stopped, or this process's own service died — :meth:`LocalServices.reattach` serves
the directory again (or joins whoever took it) and says what happened (:class:`Reattached`).
"""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..settings import LocalProfile, default_data_dir

if TYPE_CHECKING:
    from ..service import server

__all__ = ["AttachedService", "LocalServices", "Reattached", "local_data_dir", "user_pool_overrides"]


def local_data_dir(profile: LocalProfile) -> Path:
    """The data directory of a Local profile: its own, or the one ``cognito-desk serve`` uses by default."""
    return Path(profile.data_dir).expanduser() if profile.data_dir else default_data_dir()


def user_pool_overrides(profile: LocalProfile) -> dict[str, str]:
    """The service's ``provider_endpoints``: user-pool keys from the profile's user pool endpoint, when set."""
    return {"cognito-idp": profile.user_pool_endpoint} if profile.user_pool_endpoint else {}


@dataclass(frozen=True)
class AttachedService:
    url: str
    data_dir: Path
    access_key_id: str
    secret_access_key: str
    #: True when this process serves it; False when it joined a service another process runs.
    owned: bool

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 0

    def __repr__(self) -> str:
        return f"AttachedService({self.url!r}, {str(self.data_dir)!r}, owned={self.owned})"


@dataclass(frozen=True)
class Reattached:
    """The service a Local connection used went away and :meth:`LocalServices.reattach` found it another."""

    before: AttachedService
    after: AttachedService

    @property
    def message(self) -> str:
        """One plain sentence for the user: what stopped, and what serves the data directory now."""
        gone = ("This app's embedded service" if self.before.owned else "The cognito-desk serve") + \
            f" on port {self.before.port} stopped"
        if self.after.owned:
            now = f"this app now serves {self.after.data_dir} itself, on port {self.after.port}"
        else:
            now = f"joined the cognito-desk serve now running on port {self.after.port}"
        return f"{gone}; {now}. Retry what failed."


class LocalServices:
    """The embedded services of this process, one per data directory, started on first use."""

    def __init__(self) -> None:
        self._threads: dict[Path, server.ServiceThread] = {}
        self._lock = asyncio.Lock()

    async def attach(self, profile: LocalProfile) -> AttachedService:
        data_dir = local_data_dir(profile).resolve()
        server = await asyncio.to_thread(importlib.import_module, "cognito_desk.service.server")
        async with self._lock:
            thread = self._threads.get(data_dir)
            if thread is not None and not thread.running:  # it died: free the directory, then serve it anew
                del self._threads[data_dir]
                await asyncio.to_thread(thread.stop)
                thread = None
            if thread is None:
                url = await asyncio.to_thread(server.running_instance, data_dir)
                if url is not None:
                    return await asyncio.to_thread(self._joined, url, data_dir)
                from ..service.context import ServiceSettings  # loaded with the server above
                from ..service.quotas import quota_table

                settings = ServiceSettings(region=profile.region, account_id=profile.account_id,
                                           quotas=await asyncio.to_thread(quota_table, profile.quotas),
                                           provider_endpoints=user_pool_overrides(profile))

                def start() -> server.ServiceThread:
                    # Recorded by the worker itself: a connect cancelled meanwhile must not orphan the service.
                    started = self._threads[data_dir] = server.ServiceThread(data_dir, settings).start()
                    return started

                try:
                    thread = await asyncio.to_thread(start)
                except server.DataDirInUse as exc:  # another process started serving it a moment ago
                    return await asyncio.to_thread(self._joined, exc.url, data_dir)
        return AttachedService(thread.url, data_dir, thread.settings.access_key_id,
                               thread.settings.secret_access_key, owned=True)

    async def reattach(self, profile: LocalProfile, current: AttachedService) -> Reattached | None:
        """If ``current`` no longer serves the profile's directory, serve it (or join its new holder).

        None when ``current`` is still the live service of the directory (nothing to do: the failure that
        prompted the check lies elsewhere).
        """
        if await asyncio.to_thread(self._still_serving, current):
            return None
        after = await self.attach(profile)
        return None if after == current else Reattached(current, after)

    def _still_serving(self, current: AttachedService) -> bool:
        thread = self._threads.get(current.data_dir)
        if current.owned:
            return thread is not None and thread.running and thread.url == current.url
        from ..service import server

        return thread is None and server.running_instance(current.data_dir) == current.url

    @staticmethod
    def _joined(url: str, data_dir: Path) -> AttachedService:
        from ..service import server

        key, secret, _ = server.admin_credentials(data_dir)
        return AttachedService(url, data_dir, key, secret, owned=False)

    def served(self) -> list[str]:
        """The URLs this process serves (for the status bar and diagnostics)."""
        return [thread.url for thread in self._threads.values()]

    def stop_all(self) -> None:
        """Stop every service this process serves (blocking; at exit)."""
        threads, self._threads = list(self._threads.values()), {}
        for thread in threads:
            thread.stop()
