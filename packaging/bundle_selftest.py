"""Run the built bundle's ``--self-test`` the way a user would: installed elsewhere, as a normal user.

Owns :func:`self_test_bundle`: copy the bundle to a fresh folder outside the source tree (readable by
everyone, writable by root only, as under ``/opt``), pick the user — the current one, or when that is
root a dedicated unprivileged account (created with ``useradd`` if missing) — and run ``cognito-desk
--self-test`` with a clean environment, the Chromium sandbox left on. Only when Chromium cannot start
with its sandbox on this machine is the test repeated with ``QTWEBENGINE_DISABLE_SANDBOX=1``, and the
report says so. Afterwards the install folder must be exactly as it was: the app writes nothing there.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TEST_USER = "cognito-desk-selftest"
TIMEOUT_SECONDS = 300


@dataclass
class BundleReport:
    returncode: int
    output: str  # the self-test's lines
    errors: str  # its stderr (Qt and Chromium chatter), for when it failed
    user: str
    install_dir: Path
    sandbox: str
    changed: list[str]

    @property
    def passed(self) -> bool:
        return self.returncode == 0 and not self.changed


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every path under ``root`` with its size, mode and mtime (what "unchanged" means)."""
    entries = {}
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        entries[str(path.relative_to(root))] = (info.st_size, info.st_mode, info.st_mtime_ns)
    return entries


def changes(before: dict, after: dict) -> list[str]:
    added = [f"added {name}" for name in sorted(after.keys() - before.keys())]
    removed = [f"removed {name}" for name in sorted(before.keys() - after.keys())]
    modified = [f"modified {name}" for name in sorted(before.keys() & after.keys()) if before[name] != after[name]]
    return added + removed + modified


def unprivileged_user() -> pwd.struct_passwd:
    """The user to test as: the current one unless it is root; then :data:`TEST_USER`, created if needed."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    try:
        return pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", "--comment", "cognito-desk self-test",
                        TEST_USER], check=True)
        return pwd.getpwnam(TEST_USER)


def _run(executable: Path, user: pwd.struct_passwd, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {"HOME": user.pw_dir, "USER": user.pw_name, "LOGNAME": user.pw_name, "PATH": "/usr/bin:/bin",
           "LANG": "C.UTF-8", **extra_env}
    as_other = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if os.geteuid() != user.pw_uid else {}
    return subprocess.run([str(executable), "--self-test"], env=env, cwd=user.pw_dir, capture_output=True, text=True,
                          timeout=TIMEOUT_SECONDS, **as_other)


def _sandbox_unavailable(result: subprocess.CompletedProcess) -> bool:
    """Chromium could not start with its sandbox (as opposed to any other failure): its render process died or
    never answered, or Chromium aborted the whole process ("No usable sandbox!") before the check could report."""
    web = next((line for line in result.stdout.splitlines() if " web engine:" in line), "")
    if web:
        return web.startswith("FAIL") and ("render process" in web or "no answer" in web)
    return "sandbox" in result.stderr.lower()


def self_test_bundle(bundle: Path) -> BundleReport:
    user = unprivileged_user()
    parent = Path(tempfile.mkdtemp(prefix="cognito-desk-install-"))
    try:
        install_dir = parent / "cognito-desk"
        shutil.copytree(bundle, install_dir, symlinks=True)
        for path in [parent, *parent.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() or path.stat().st_mode & 0o111 else 0o644)
        executable = install_dir / "cognito-desk"
        before = snapshot(install_dir)
        result = _run(executable, user, {})
        output, sandbox = result.stdout, "on"
        if result.returncode != 0 and _sandbox_unavailable(result):
            result = _run(executable, user, {"QTWEBENGINE_DISABLE_SANDBOX": "1"})
            output += "[retried without the Chromium sandbox]\n" + result.stdout
            sandbox = "off: Chromium could not start with its sandbox on this machine"
        return BundleReport(result.returncode, output, result.stderr, f"{user.pw_name} (uid {user.pw_uid})",
                            install_dir, sandbox, changes(before, snapshot(install_dir)))
    finally:
        shutil.rmtree(parent, ignore_errors=True)
