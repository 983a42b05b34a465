"""The data directory of a service: private file modes, one service per directory, where it runs.

The directory holds the service's RSA signing key, the admin key pair and every vended secret, so
:func:`secure` creates it ``0700`` and every file in it ``0600`` whatever the umask, and tightens a
directory found looser (saying so in the log). Whoever serves a directory holds :class:`DataDirLock`
— an exclusive lock (``flock``; ``msvcrt.locking`` on Windows) on ``instance.lock`` — and publishes
its URL and pid in ``instance.json`` beside it, so the desktop app and ``cognito-desk serve`` find a
running service (:func:`running_instance`) instead of starting a second one over the same database
(:class:`DataDirInUse`). The OS drops the lock when the process dies, so a stale ``instance.json``
left by a crash never blocks anyone.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

log = logging.getLogger("cognito_desk.service")

LOCK_FILE = "instance.lock"
INSTANCE_FILE = "instance.json"
DIR_MODE = 0o700
FILE_MODE = 0o600
#: How long a caller waits for a service that holds the lock but has not published its URL yet.
STARTING_GRACE = 3.0


class DataDirInUse(RuntimeError):
    """Another live service serves this data directory (``url`` and ``pid`` say where)."""

    def __init__(self, data_dir: Path, url: str | None, pid: int | None) -> None:
        where = f" on {url}" if url else ""
        who = f" (pid {pid})" if pid else ""
        super().__init__(f"cognito-desk is already serving {data_dir}{where}{who}")
        self.data_dir, self.url, self.pid = data_dir, url, pid


def secure(data_dir: Path) -> Path:
    """Create ``data_dir`` owner-only (0700) or tighten it, and make every file in it 0600."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    mode = stat.S_IMODE(data_dir.stat().st_mode)
    if mode & 0o077:
        try:
            data_dir.chmod(DIR_MODE)
            log.warning("tightened permissions of %s from %04o to %04o (it holds keys and credentials)",
                        data_dir, mode, DIR_MODE)
        except OSError as exc:
            log.warning("cannot tighten permissions of %s (%04o): %s", data_dir, mode, exc.strerror)
    for path in data_dir.iterdir():
        if path.is_file() and not path.is_symlink() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(FILE_MODE)
            log.warning("tightened permissions of %s to %04o", path, FILE_MODE)
    return data_dir


def create_private(path: Path) -> Path:
    """Make sure ``path`` exists as an owner-only file (SQLite then gives its -wal and -shm files the same mode)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    return path


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _published(data_dir: Path) -> tuple[str | None, int | None]:
    try:
        info = json.loads((data_dir / INSTANCE_FILE).read_text())
        return info.get("url"), info.get("pid")
    except (OSError, ValueError, AttributeError):
        return None, None


def _held(data_dir: Path) -> bool:
    """Whether some open file description holds the directory's lock (probing never keeps it)."""
    try:
        fd = os.open(data_dir / LOCK_FILE, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        if _try_lock(fd):
            _unlock(fd)
            return False
        return True
    finally:
        os.close(fd)


def running_instance(data_dir: Path) -> str | None:
    """The URL of the live service holding ``data_dir``, else None (a stale instance.json counts for nothing)."""
    deadline = time.monotonic() + STARTING_GRACE
    while _held(Path(data_dir)):
        url, _ = _published(Path(data_dir))
        if url or time.monotonic() > deadline:
            return url
        time.sleep(0.05)  # the holder is starting: its URL follows once it is listening
    return None


class DataDirLock:
    """The exclusive claim of one service on a data directory, from :meth:`acquire` to :meth:`release`."""

    def __init__(self, data_dir: Path, fd: int) -> None:
        self.data_dir, self._fd = data_dir, fd

    @classmethod
    def acquire(cls, data_dir: Path) -> DataDirLock:
        """Take the directory or raise :class:`DataDirInUse` naming the live holder."""
        fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, FILE_MODE)
        deadline = time.monotonic() + STARTING_GRACE
        while not _try_lock(fd):
            url, pid = _published(data_dir)
            # A holder without a URL yet is starting (or probing briefly): give it a moment to say where it is.
            if url or time.monotonic() > deadline:
                os.close(fd)
                raise DataDirInUse(data_dir, url, pid)
            time.sleep(0.05)
        (data_dir / INSTANCE_FILE).unlink(missing_ok=True)  # stale: its writer no longer holds the lock
        return cls(data_dir, fd)

    def publish(self, url: str) -> None:
        """Write instance.json (0600, atomically) once the service is listening on ``url``."""
        partial = self.data_dir / f".{INSTANCE_FILE}.{os.getpid()}"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "w") as handle:
            json.dump({"url": url, "pid": os.getpid()}, handle)
        os.replace(partial, self.data_dir / INSTANCE_FILE)

    def release(self) -> None:
        if self._fd < 0:
            return
        (self.data_dir / INSTANCE_FILE).unlink(missing_ok=True)
        _unlock(self._fd)
        os.close(self._fd)
        self._fd = -1
