"""Running the embedded service: data directory, admin key pair, uvicorn in a process or a thread.

``prepare`` opens the data directory (SQLite store, admin credentials) and returns the settings
and store; ``serve`` runs uvicorn in the foreground until SIGINT/SIGTERM (``cognito-desk
serve``); ``ServiceThread`` runs the same app in a background thread with its own event loop, for
the GUI and for tests. Port 0 binds a free port; the bound URL is reported either way. Either way
the service holds its data directory exclusively (``datadir.py``): ``running_instance`` tells where a
live one runs, and ``prepare`` raises ``DataDirInUse`` rather than open a held directory twice.

Admin credentials come from ``COGNITO_DESK_ACCESS_KEY_ID`` / ``COGNITO_DESK_SECRET_ACCESS_KEY``;
without them a key pair is generated on first start and kept in ``admin-credentials.json`` in the
data directory, readable by its owner only. The secret is never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import signal
import socket
import ssl
import string
import threading
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import uvicorn

from ..core.hosts import is_loopback_host
from . import connections, credentials
from .app import create_app
from .context import ServiceSettings
from .datadir import DataDirInUse, DataDirLock, create_private, running_instance, secure
from .store import Store

__all__ = ["DataDirInUse", "Prepared", "ServiceThread", "TlsFiles", "admin_credentials", "bind", "is_loopback_host",
           "prepare", "running_instance", "serve", "tls_problem", "url_of"]

log = logging.getLogger("cognito_desk.service")

ADMIN_FILE = "admin-credentials.json"
DATABASE_FILE = "cognito-desk.sqlite3"
ENV_ACCESS_KEY = "COGNITO_DESK_ACCESS_KEY_ID"
ENV_SECRET_KEY = "COGNITO_DESK_SECRET_ACCESS_KEY"


def admin_credentials(data_dir: Path) -> tuple[str, str, str]:
    """Return (access key id, secret, where it came from), generating and saving a pair if needed."""
    key, secret = os.environ.get(ENV_ACCESS_KEY), os.environ.get(ENV_SECRET_KEY)
    if key and secret:
        return key, secret, "environment"
    path = secure(data_dir) / ADMIN_FILE
    if path.exists():
        stored = json.loads(path.read_text())
        return stored["AccessKeyId"], stored["SecretAccessKey"], str(path)
    alphabet = string.ascii_uppercase + string.digits
    key = "AKIA" + "".join(secrets.choice(alphabet) for _ in range(16))
    secret = secrets.token_urlsafe(30)[:40]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"AccessKeyId": key, "SecretAccessKey": secret}, handle)
    return key, secret, str(path)


class Prepared(NamedTuple):
    settings: ServiceSettings
    store: Store
    #: Where the admin key came from ("environment" or the key file's path).
    origin: str
    #: The claim on the data directory; released when the service stops.
    lock: DataDirLock


def prepare(data_dir: Path, settings: ServiceSettings) -> Prepared:
    """Claim and open the data directory: settings completed with the admin key, the store, the key's origin.

    Raises :class:`DataDirInUse` when another live service holds the directory.
    """
    lock = DataDirLock.acquire(secure(data_dir))
    try:
        key, secret, origin = admin_credentials(data_dir)
        store = Store(create_private(data_dir / DATABASE_FILE))
        credentials.purge_expired(store, settings.clock())
    except BaseException:
        lock.release()
        raise
    return Prepared(replace(settings, access_key_id=key, secret_access_key=secret), store, origin, lock)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket, *, tls: bool = False) -> str:
    host, port = sock.getsockname()[:2]
    scheme = "https" if tls else "http"
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


class TlsFiles(NamedTuple):
    """PEM files for serving HTTPS (``--tls-cert`` / ``--tls-key``)."""

    cert: Path
    key: Path


def tls_problem(tls: TlsFiles) -> str | None:
    """Why ``tls`` cannot serve HTTPS (unreadable, not PEM, key not matching the certificate), else None."""
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(tls.cert, tls.key)
    except ssl.SSLError as exc:
        return exc.reason or str(exc)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _server(settings: ServiceSettings, store: Store, tls: TlsFiles | None = None) -> uvicorn.Server:
    limits = settings.limits
    protocol = connections.protocol_for(limits)
    config = uvicorn.Config(create_app(settings, store), lifespan="off", access_log=False, proxy_headers=False,
                            log_config=None, server_header=False, timeout_graceful_shutdown=5, http=protocol,
                            timeout_keep_alive=limits.keep_alive_timeout, limit_concurrency=protocol.cap + 1,
                            h11_max_incomplete_event_size=limits.max_head_bytes,
                            ssl_certfile=tls and str(tls.cert), ssl_keyfile=tls and str(tls.key))
    return uvicorn.Server(config)


async def _purge_forever(store: Store, settings: ServiceSettings) -> None:
    """Forget expired credentials every ``settings.purge_interval`` seconds (the table stays bounded)."""
    while True:
        await asyncio.sleep(settings.purge_interval)
        try:
            purged = credentials.purge_expired(store, settings.clock())
            await store.durable()
        except Exception:
            log.exception("purging expired credentials failed")
        else:
            if purged:
                log.info("purged %d expired credentials", purged)


def _run(server: uvicorn.Server, sock: socket.socket) -> None:
    """Serve on a fresh event loop (uvloop when installed) and release the app's resources after."""

    async def main() -> None:
        app = server.config.app
        app.store.attach(asyncio.get_running_loop())
        purger = asyncio.create_task(_purge_forever(app.store, app.settings), name="purge-expired-credentials")
        try:
            await server.serve(sockets=[sock])
        finally:
            purger.cancel()
            await app.aclose()

    with asyncio.Runner(loop_factory=server.config.get_loop_factory()) as runner:
        runner.run(main())


def serve(sock: socket.socket, settings: ServiceSettings, store: Store, lock: DataDirLock,
          announce=lambda: None, tls: TlsFiles | None = None) -> None:
    """Serve in the foreground until SIGINT/SIGTERM (a graceful stop), then close the store and release the lock.

    ``announce`` runs once the signal handlers are in place (so a stop request right after it is honoured).
    With ``tls`` the service speaks HTTPS only.
    """
    url = url_of(sock, tls=tls is not None)
    try:
        server = _server(replace(settings, base_url=url), store, tls)
    except BaseException:
        store.close()
        lock.release()
        raise

    def stop(*_: object) -> None:
        server.should_exit = True

    # uvicorn installs its own handlers while it serves and re-raises the signal to these afterwards;
    # these also cover a signal that arrives before uvicorn is up. Either way: a normal exit.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    try:
        lock.publish(url)
        announce()
        _run(server, sock)
    finally:
        store.close()
        lock.release()


class ServiceThread:
    """The service on a background thread (GUI, tests): ``start()`` returns once it is listening."""

    def __init__(self, data_dir: Path, settings: ServiceSettings | None = None, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.settings, self.store, _, self._lock = prepare(Path(data_dir), settings or ServiceSettings())
        try:
            self._sock = bind(host, port)
        except BaseException:
            self.store.close()
            self._lock.release()
            raise
        self.url = url_of(self._sock)
        self._lock.publish(self.url)
        self.settings = replace(self.settings, base_url=self.url)
        self._server = _server(self.settings, self.store)
        self._thread = threading.Thread(target=self._run, name="cognito-desk-service", daemon=True)

    @property
    def service(self):
        """The running :class:`~cognito_desk.service.app.Service` (tests read its ``requests`` counts)."""
        return self._server.config.app

    def _run(self) -> None:
        _run(self._server, self._sock)

    @property
    def running(self) -> bool:
        """Whether the service is still serving (False once its thread ended, stopped or crashed)."""
        return self._thread.is_alive() and not self._server.should_exit

    def start(self) -> ServiceThread:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the embedded service failed to start")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()
        self.store.close()
        self._lock.release()
