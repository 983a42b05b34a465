"""Light and dark palettes: follow the system's colour scheme, or the user's choice (View ▸ Theme).

Owns :func:`apply_theme` and the :data:`THEMES` choices. The Fusion style renders the same on every
platform; its palette is built here for the dark scheme and taken from the style for the light one.
With ``system`` the theme follows ``QStyleHints.colorScheme()`` and changes when the system's does.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

__all__ = ["THEMES", "apply_theme", "is_dark"]

THEMES = ("system", "light", "dark")
_STYLE = """
#errorBanner { background: %(error_bg)s; border: 1px solid %(error_border)s; border-radius: 6px; }
#errorTitle { color: %(error_text)s; }
#noticeBar { border: 1px solid %(muted)s; border-radius: 6px; }
#fieldError { color: %(error_text)s; }
#busyOverlay { background: %(overlay)s; }
#emptyState { color: %(muted)s; font-size: 13pt; }
#poolHeader { font-size: 14pt; font-weight: 600; }
#poolSubheader { color: %(muted)s; }
"""


def is_dark(choice: str) -> bool:
    if choice == "system":
        return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return choice == "dark"


def _dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#2b2d31", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1f2023", QPalette.ColorRole.AlternateBase: "#27292d",
        QPalette.ColorRole.ToolTipBase: "#3a3d42", QPalette.ColorRole.ToolTipText: "#f0f0f0",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#33363b",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Link: "#7aa7e8", QPalette.ColorRole.Highlight: "#3d6db3",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.PlaceholderText: "#8a8d93",
        QPalette.ColorRole.Mid: "#45484e", QPalette.ColorRole.Dark: "#18191b", QPalette.ColorRole.Light: "#4a4d53",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7c7f85"))
    return palette


def apply_theme(app: QApplication, choice: str) -> None:
    if choice not in THEMES:
        choice = "system"
    app.setStyle(QStyleFactory.create("Fusion"))
    dark = is_dark(choice)
    app.setPalette(_dark_palette() if dark else app.style().standardPalette())
    colours = ({"error_bg": "#4a2327", "error_border": "#a8474f", "error_text": "#ffb3b8", "overlay":
                "rgba(30, 31, 34, 200)", "muted": "#9a9da3"} if dark else
               {"error_bg": "#fdecea", "error_border": "#e0a6a0", "error_text": "#8a1c12", "overlay":
                "rgba(255, 255, 255, 200)", "muted": "#6b6f76"})
    app.setStyleSheet(_STYLE % colours)
    app.setProperty("cognitoDeskTheme", choice)
