"""Small shared widgets and helpers for the panels."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
)
from PySide6.QtWidgets import QLabel, QStyle, QWidget

from workbench.sso import Finding


def monospace_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def hint_label(text: str = "") -> QLabel:
    """A muted one-line explanation under a control."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("role", "hint")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.92)
    label.setFont(font)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def finding_icon(widget: QWidget, finding: Finding) -> Any:
    pixmap = (
        QStyle.StandardPixmap.SP_MessageBoxCritical
        if finding.is_error
        else QStyle.StandardPixmap.SP_MessageBoxWarning
    )
    return widget.style().standardIcon(pixmap)


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


class JsonHighlighter(QSyntaxHighlighter):
    """Keys, strings, numbers and literals in distinct colours, readable on light and dark."""

    def __init__(self, document: Any, dark: bool = False) -> None:
        super().__init__(document)
        colours = (
            {"key": "#9cdcfe", "string": "#ce9178", "number": "#b5cea8", "literal": "#569cd6"}
            if dark
            else {"key": "#0451a5", "string": "#a31515", "number": "#098658", "literal": "#0000ff"}
        )
        self.formats: dict[str, QTextCharFormat] = {}
        for name, colour in colours.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if name == "key":
                fmt.setFontWeight(QFont.Weight.DemiBold)
            self.formats[name] = fmt

    def highlightBlock(self, text: str) -> None:
        import re

        for match in re.finditer(
            r'"(?:[^"\\]|\\.)*"(\s*:)?|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\b(?:true|false|null)\b',
            text,
        ):
            token = match.group(0)
            if token.startswith('"'):
                kind = "key" if match.group(1) else "string"
                length = len(token) - (len(match.group(1)) if match.group(1) else 0)
            elif token[0] in "-0123456789":
                kind, length = "number", len(token)
            else:
                kind, length = "literal", len(token)
            self.setFormat(match.start(), length, self.formats[kind])


def set_muted(label: QLabel, muted: bool = True) -> None:
    label.setForegroundRole(
        QPalette.ColorRole.PlaceholderText if muted else QPalette.ColorRole.WindowText
    )


ALIGN_TOP = Qt.AlignmentFlag.AlignTop
