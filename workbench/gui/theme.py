"""Light or dark: follow the system, and make sure a dark system gets a dark window.

Where the platform theme supplies a dark palette (GNOME and KDE through their Qt integration),
Qt already follows it. Where it only says "dark" (or nothing, as under Xvfb),
WORKBENCH_COLOR_SCHEME=dark|light decides, and a dark Fusion palette is applied.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


def wants_dark(app: QApplication) -> bool:
    choice = os.environ.get("WORKBENCH_COLOR_SCHEME", "").lower()
    if choice in ("dark", "light"):
        return choice == "dark"
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication) -> None:
    if not wants_dark(app):
        return
    if app.palette().color(QPalette.ColorRole.Window).lightness() < 128:
        return  # the platform already gave us a dark palette
    app.setStyle("Fusion")
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#1f232b",
        QPalette.ColorRole.WindowText: "#e6e8ef",
        QPalette.ColorRole.Base: "#161a21",
        QPalette.ColorRole.AlternateBase: "#1c2029",
        QPalette.ColorRole.ToolTipBase: "#2b303b",
        QPalette.ColorRole.ToolTipText: "#e6e8ef",
        QPalette.ColorRole.PlaceholderText: "#8b93a4",
        QPalette.ColorRole.Text: "#e6e8ef",
        QPalette.ColorRole.Button: "#2a2f3a",
        QPalette.ColorRole.ButtonText: "#e6e8ef",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Link: "#8ab4ff",
        QPalette.ColorRole.Highlight: "#4f46e5",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Mid: "#3a4050",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b7280"))
    app.setPalette(palette)
