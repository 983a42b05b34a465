"""The files and folders cognito-desk writes: owner-only, and replaced atomically.

Owns :func:`write_atomically` (a temporary file in the same directory — created ``0600`` —, written,
flushed, fsynced, then ``os.replace``d over the target; removed again if anything fails), used by every file
cognito-desk keeps settings in; :func:`private_dir` (a folder and the missing folders above it created
``0700``, the folder itself narrowed to ``0700`` when it is looser), used for the config folder and the
browser profiles' storage; and :func:`owner_only_umask`, which the desktop app and the headless scenario
runner call first, so everything they and QtWebEngine write (cookies, ``Visited Links``, caches, the run
history, settings) is owner-only whatever the user's umask (022 makes files world-readable otherwise).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["OWNER_ONLY", "owner_only_umask", "private_dir", "write_atomically"]

#: The umask the app runs under: nothing it creates is readable or writable by group or others.
OWNER_ONLY = 0o077


def owner_only_umask() -> int:
    """Make files and folders this process (and its children, Chromium's) creates owner-only; the old umask."""
    return os.umask(OWNER_ONLY)


def private_dir(path: Path) -> Path:
    """``path`` as an existing folder only its owner can enter; missing folders above it are made ``0700`` too."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    mode = stat.S_IMODE(path.stat().st_mode)
    owner = os.getuid() if hasattr(os, "getuid") else path.stat().st_uid  # Windows: its ACLs, not modes
    if mode & OWNER_ONLY and path.stat().st_uid == owner:
        path.chmod(mode & ~OWNER_ONLY)
    return path


def write_atomically(path: Path, text: str) -> None:
    private_dir(path.parent)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
