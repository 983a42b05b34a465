"""Where cognito-desk's assets (``resources/``: SVG icons, desktop files) are, however it was installed.

Owns :func:`resources_dir`, the one lookup used by the icons and by the diagnostics: the PyInstaller
bundle's copy (``sys._MEIPASS``), the top-level ``resources/`` of a source checkout or an editable install,
or — from a wheel — the copy installed as data under ``<prefix>/share/cognito-desk/resources``.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

__all__ = ["resources_dir"]


def _candidates() -> list[Path]:
    package = Path(__file__).resolve().parent
    found = [package.parent / "resources", Path(sys.prefix) / "share" / "cognito-desk" / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        found.insert(0, Path(bundle) / "resources")
    return found


@cache
def resources_dir() -> Path:
    candidates = _candidates()
    for candidate in candidates:
        if (candidate / "icons").is_dir():
            return candidate
    raise FileNotFoundError(f"cognito-desk's resources are missing (looked in {', '.join(map(str, candidates))})")
