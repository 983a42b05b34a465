#!/usr/bin/env python3
"""Set up and run cognito-desk from a fresh clone — the README's commands.

    python3 dev.py app      install what the app needs into .venv, then start it
    python3 dev.py test     install everything the tests need (pip, npm, Debian packages), run them all
    python3 dev.py bench [NAME|all]   run a benchmark (signin, startup, identities, preview, tester, scenarios,
                            bundle, permissions, permissions_view, pool_click, userpool; default signin), or all of
                            them
    python3 dev.py screenshots   save a PNG of every screen with sample data to docs/screenshots/
    python3 dev.py package  build the Linux bundle, self-test it, then the .tar.gz and .deb in build/packages/

Extra arguments go to the program (``dev.py test -k sigv4`` → pytest). Uses only the standard
library, so it runs before anything is installed. Installs are skipped when nothing changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
#: npm projects of the test suite: the real identity providers, and the AWS JS SDK as a client.
NPM_DIRS = (ROOT / "tests" / "idp", ROOT / "tests" / "js", ROOT / "tests" / "iam_oracle")
#: Debian packages the tests use when present: a real Secret Service for the keyring test.
TEST_DEBIAN_PACKAGES = {"dbus-run-session": "dbus", "gnome-keyring-daemon": "gnome-keyring"}
BENCH_DEBIAN_PACKAGES = {"wrk": "wrk"}
#: Debian's tools that build and check the .deb: Depends from the bundle's libraries, desktop entry, metainfo.
PACKAGE_DEBIAN_PACKAGES = {"dpkg-shlibdeps": "dpkg-dev", "desktop-file-validate": "desktop-file-utils",
                           "appstreamcli": "appstream", "useradd": "passwd"}
#: Debian's libraries that Qt (xcb and offscreen platforms) and QtWebEngine's Chromium load; most come with
#: any desktop, a few are missing on minimal images.
QT_DEBIAN_LIBRARIES = ("libegl1", "libgl1", "libfontconfig1", "libdbus-1-3", "libxkbcommon0", "libxkbcommon-x11-0",
                       "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-randr0", "libxcb-render-util0",
                       "libxcb-shape0", "libxcb-xinerama0", "libepoxy0", "libwayland-cursor0", "libwayland-egl1",
                       "libnss3", "libxcomposite1", "libxdamage1", "libxrandr2", "libxtst6", "libxkbfile1",
                       "libasound2", "libgbm1", "libxshmfence1")


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def run(*args: object, cwd: Path = ROOT, env: dict | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_venv() -> None:
    if not PYTHON.exists():
        say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)


def pip_environment() -> dict[str, str]:
    """The environment for ``pip install -e``: setuptools' "BuildBackendWarning: Editable installation" notice
    (about folders named like the package, which is how this project is laid out) silenced by its message, so the
    first run is not a wall of asterisks; every other warning and every error still shows."""
    quiet = "ignore:Editable installation"
    warnings = os.environ.get("PYTHONWARNINGS")
    return {**os.environ, "PYTHONWARNINGS": f"{warnings},{quiet}" if warnings else quiet}


def ensure_python_packages(extra: str) -> None:
    """pip install -e .[extra] unless pyproject.toml is unchanged since the last install."""
    spec = f".[{extra}]" if extra else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    stamp = VENV / f".installed-{extra or 'app'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"installing Python packages ({spec})")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", spec, env=pip_environment())
    stamp.write_text(digest)


def _dpkg_missing(packages: tuple[str, ...]) -> set[str]:
    """The packages dpkg does not list as installed (none on a system without dpkg)."""
    if not shutil.which("dpkg-query"):
        return set()
    missing = set()
    for package in packages:
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
        if "install ok installed" not in status.stdout:
            missing.add(package)
    return missing


def ensure_debian_packages(wanted: dict[str, str], libraries: tuple[str, ...] = ()) -> None:
    """apt-get install the packages whose commands (or libraries) are missing (root on Debian only; else explain)."""
    missing = sorted({pkg for command, pkg in wanted.items() if shutil.which(command) is None}
                     | _dpkg_missing(libraries))
    if not missing:
        return
    if not shutil.which("apt-get") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        say(f"not installing Debian packages {' '.join(missing)} (needs root and apt-get): if something fails, "
            f"run: sudo apt-get install {' '.join(missing)}")
        return
    say(f"installing Debian packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)


def ensure_npm_packages() -> None:
    for folder in NPM_DIRS:
        lock = folder / "package-lock.json"
        if not lock.exists():
            continue
        stamp = folder / "node_modules" / ".installed"
        digest = hashlib.sha256(lock.read_bytes()).hexdigest()
        if stamp.exists() and stamp.read_text() == digest:
            continue
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("[dev] npm is needed by the tests (identity providers, AWS JS SDK): install Node.js 20+ and npm")
        say(f"installing npm packages in {folder.relative_to(ROOT)} (npm ci)")
        run(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=folder)
        stamp.write_text(digest)


def app(args: list[str]) -> None:
    ensure_venv()
    ensure_python_packages("")
    ensure_debian_packages({}, QT_DEBIAN_LIBRARIES)
    os.execv(str(PYTHON), [str(PYTHON), "-m", "cognito_desk", *args])


def test(args: list[str]) -> None:
    ensure_venv()
    ensure_python_packages("test")
    ensure_debian_packages({**TEST_DEBIAN_PACKAGES, **PACKAGE_DEBIAN_PACKAGES}, QT_DEBIAN_LIBRARIES)
    ensure_npm_packages()
    say("ruff: lint")
    run(BIN / "ruff", "check", ".")
    say("import-linter: Qt stays in cognito_desk/ui")
    run(BIN / "lint-imports", "--no-cache")
    # The bundle self-test runs before pytest, so that pytest's summary is the last line CI reads.
    if not sys.platform.startswith("linux"):
        say("bundle self-test: Linux only here (Windows: packaging/windows/build.ps1, macOS: packaging/macos/build.sh)")
    elif args:
        say("bundle self-test skipped: pytest arguments were given (a partial run)")
    else:
        say("bundle self-test: PyInstaller bundle (rebuilt only when its inputs changed), installed outside the "
            "source tree, cognito-desk --self-test as a normal user")
        run(PYTHON, ROOT / "packaging" / "linux.py", "self-test")
    say("pytest")
    run(PYTHON, "-m", "pytest", *args)


def screenshots(args: list[str]) -> None:
    ensure_venv()
    ensure_python_packages("test")
    run(PYTHON, ROOT / "tools" / "screenshots.py", *args)


#: The benchmarks ``dev.py bench NAME`` runs (each compares with its own baseline in the same run).
BENCHMARKS = ("signin", "startup", "identities", "preview", "tester", "scenarios", "bundle", "permissions",
              "permissions_view", "pool_click", "userpool")


def bench(args: list[str]) -> None:
    """``bench [NAME|all] [ARGS…]``: one benchmark (default ``signin``, the service), or all of them in turn."""
    ensure_venv()
    ensure_python_packages("test")
    ensure_debian_packages(BENCH_DEBIAN_PACKAGES, QT_DEBIAN_LIBRARIES)
    name = args[0] if args and (args[0] in BENCHMARKS or args[0] == "all") else "signin"
    rest = args[1:] if args and args[0] in (*BENCHMARKS, "all") else args
    for script in (BENCHMARKS if name == "all" else (name,)):
        say(f"benchmark: {script}")
        run(PYTHON, ROOT / "bench" / f"{script}.py", *([] if name == "all" else rest))


def package(args: list[str]) -> None:
    if not sys.platform.startswith("linux"):
        sys.exit("[dev] dev.py package builds the Linux artifacts; on Windows run packaging\\windows\\build.ps1, "
                 "on macOS packaging/macos/build.sh")
    ensure_venv()
    ensure_python_packages("test")
    ensure_debian_packages(PACKAGE_DEBIAN_PACKAGES, QT_DEBIAN_LIBRARIES)
    run(PYTHON, ROOT / "packaging" / "linux.py", "package", *args)


COMMANDS = {"app": app, "test": test, "bench": bench, "screenshots": screenshots, "package": package}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](sys.argv[2:])
