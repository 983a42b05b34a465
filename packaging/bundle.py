"""Build the PyInstaller bundle once per set of inputs, and measure it.

Owns :func:`build` — ``build/dist/cognito-desk`` from ``packaging/cognito-desk.spec``, skipped when a
digest of everything that goes in (the spec, its hooks and launcher, the package's source, ``resources/``,
``pyproject.toml`` and the installed distributions' versions) matches the one recorded beside the last
build — and :func:`measure`, the unpacked size and what dominates it. Run with the project's venv Python
(PyInstaller is in the test extra).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "cognito-desk.spec"
BUILD = ROOT / "build"
DIST = BUILD / "dist"
BUNDLE = DIST / "cognito-desk"
DIGEST_FILE = DIST / "cognito-desk.inputs-sha256"
INPUT_TREES = ("cognito_desk", "resources", "packaging/hooks")
INPUT_FILES = ("pyproject.toml", "packaging/cognito-desk.spec", "packaging/launcher.py", "packaging/icons.py")
SKIPPED_PARTS = {"__pycache__", ".mypy_cache"}


def inputs_digest() -> str:
    """A digest of every input of the build (file contents and the installed distribution versions)."""
    digest = hashlib.sha256()
    files = [ROOT / name for name in INPUT_FILES]
    for tree in INPUT_TREES:
        files += [p for p in (ROOT / tree).rglob("*") if p.is_file() and not SKIPPED_PARTS & set(p.parts)]
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    versions = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    digest.update("\n".join(versions).encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def build(force: bool = False) -> Path:
    """The bundle directory, rebuilt only when an input changed (or ``force``)."""
    digest = inputs_digest()
    executable = BUNDLE / ("cognito-desk.exe" if os.name == "nt" else "cognito-desk")
    if not force and executable.exists() and DIGEST_FILE.exists() and DIGEST_FILE.read_text() == digest:
        print(f"[package] bundle is up to date: {BUNDLE}", flush=True)
        return BUNDLE
    print("[package] building the bundle with PyInstaller (onedir)", flush=True)
    DIGEST_FILE.unlink(missing_ok=True)
    subprocess.run([sys.executable, str(ROOT / "packaging" / "icons.py"), str(BUILD / "icons")], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(BUILD / "pyinstaller"), str(SPEC)],
                   check=True, cwd=ROOT)
    DIGEST_FILE.write_text(digest)
    return BUNDLE


def file_sizes(root: Path) -> dict[Path, int]:
    """Bytes of every regular file under ``root`` (symlinks count as nothing: they share a target)."""
    return {p: p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def measure(root: Path = BUNDLE, top: int = 8) -> tuple[int, list[tuple[str, int]]]:
    """Total unpacked bytes and the ``top`` largest files (relative paths)."""
    sizes = file_sizes(root)
    largest = sorted(sizes.items(), key=lambda item: item[1], reverse=True)[:top]
    return sum(sizes.values()), [(str(path.relative_to(root)), size) for path, size in largest]
