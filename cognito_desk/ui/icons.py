"""The app's SVG icons as QIcons (sharp at any device pixel ratio).

Owns :func:`icon`, cached per name, from :func:`cognito_desk.assets.resources_dir`. A missing icon is a
packaging bug and raises, so tests catch it.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from ..assets import resources_dir

__all__ = ["app_icon", "icon"]


@cache
def icon(name: str) -> QIcon:
    path = resources_dir() / "icons" / f"{name}.svg"
    if not path.is_file():
        raise FileNotFoundError(f"no icon {name!r} at {path}")
    return QIcon(str(path))


def app_icon() -> QIcon:
    return icon("cognito-desk")
