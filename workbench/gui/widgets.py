"""Small shared widgets and helpers for the panels."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QIcon,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QStyle, QWidget

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


_ICONS: dict[bool, QIcon] = {}


def finding_icon(widget: QWidget, finding: Finding) -> QIcon:
    """The error or warning icon, made once: a payload with 200 findings asks 200 times."""
    if finding.is_error not in _ICONS:
        pixmap = (
            QStyle.StandardPixmap.SP_MessageBoxCritical
            if finding.is_error
            else QStyle.StandardPixmap.SP_MessageBoxWarning
        )
        _ICONS[finding.is_error] = widget.style().standardIcon(pixmap)
    return _ICONS[finding.is_error]


def replace_text(editor: QPlainTextEdit, new: str) -> None:
    """Change the editor's text to `new` by replacing only what differs.

    A keystroke changes a few characters of a long JSON document: replacing just those keeps
    the highlighter to the lines that changed, and the cursor and scroll where they were.
    """
    old = editor.toPlainText()
    if old == new:
        return
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    cursor = QTextCursor(editor.document())
    cursor.setPosition(_utf16_length(old[:start]))
    cursor.setPosition(_utf16_length(old[: len(old) - end]), QTextCursor.MoveMode.KeepAnchor)
    cursor.insertText(new[start : len(new) - end])


def _utf16_length(text: str) -> int:
    """Qt counts positions in UTF-16 units: a character beyond U+FFFF counts twice."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


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


class TokenHighlighter(QSyntaxHighlighter):
    """The three parts of a JWT in three colours (header, payload, signature), as jwt.io does."""

    def __init__(self, document: Any, dark: bool = False) -> None:
        super().__init__(document)
        colours = ("#ff6b9a", "#b197fc", "#74c0fc") if dark else ("#d6336c", "#7048e8", "#1c7ed6")
        self.formats = []
        for colour in colours:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            self.formats.append(fmt)
        self.dot = QTextCharFormat()
        self.dot.setForeground(QColor("gray"))

    def highlightBlock(self, text: str) -> None:
        start = 0
        for index, part in enumerate(text.split(".")):
            self.setFormat(start, len(part), self.formats[min(index, 2)])
            if start + len(part) < len(text):
                self.setFormat(start + len(part), 1, self.dot)
            start += len(part) + 1
