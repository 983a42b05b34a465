"""Render the app icon (``resources/icons/cognito-desk.svg``) to the sizes desktops and installers want.

    python packaging/icons.py [OUT]      (default build/icons)

Writes the freedesktop hicolor tree — ``hicolor/<N>x<N>/apps/<app id>.png`` for the standard sizes and
``hicolor/scalable/apps/<app id>.svg`` — which the .deb installs under ``/usr/share/icons``, and
``cognito-desk-256.png``, which PyInstaller turns into the Windows ``.ico`` and macOS ``.icns`` (with
Pillow installed). One source picture, rendered with Qt's own SVG renderer, so nothing drifts.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "cognito-desk.svg"
APP_ID = "io.github.cognitodesk.CognitoDesk"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(out: Path) -> list[Path]:
    """Render every size into ``out``; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not a valid SVG")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"could not write {target}")
        written.append(target)
    scalable = out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, scalable)
    installer_icon = out / "cognito-desk-256.png"
    shutil.copyfile(out / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png", installer_icon)
    del app
    return [*written, scalable, installer_icon]


if __name__ == "__main__":
    for path in render(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"):
        print(path)
