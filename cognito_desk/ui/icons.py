"""Where the app's assets are, and its SVG icons as QIcons (sharp at any device pixel ratio).

Owns :func:`resources_dir` — the top-level ``resources/`` of a source checkout or an editable install,
``cognito_desk/resources`` inside a wheel, or the PyInstaller bundle's copy — and :func:`icon`, cached
per name. A missing icon is a packaging bug and raises, so tests catch it.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

__all__ = ["app_icon", "icon", "resources_dir"]


@cache
def resources_dir() -> Path:
    here = Path(__file__).resolve()
    candidates = [here.parents[2] / "resources", here.parents[1] / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / "resources")
    for candidate in candidates:
        if (candidate / "icons").is_dir():
            return candidate
    raise FileNotFoundError(f"cognito-desk's resources are missing (looked in {', '.join(map(str, candidates))})")


@cache
def icon(name: str) -> QIcon:
    path = resources_dir() / "icons" / f"{name}.svg"
    if not path.is_file():
        raise FileNotFoundError(f"no icon {name!r} at {path}")
    return QIcon(str(path))


def app_icon() -> QIcon:
    return icon("cognito-desk")
