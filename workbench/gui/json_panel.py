"""Raw JSON: the payload as text, in sync both ways with the forms.

Invalid JSON is marked where it breaks and is never overwritten: while the text does not parse,
the forms are locked (see `validity_changed`) so nothing can replace what the person typed.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from workbench.gui.model import PayloadModel
from workbench.gui.widgets import (
    JsonHighlighter,
    is_dark,
    monospace_font,
    pretty_json,
    replace_text,
)
from workbench.sso import Payload, PayloadError


class JsonPanel(QWidget):
    validity_changed = Signal(bool, str)  # valid, message

    def __init__(self, model: PayloadModel) -> None:
        super().__init__()
        self.model = model
        self.valid = True
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("raw-json")
        self.editor.setFont(monospace_font())
        self.editor.setTabStopDistance(self.editor.fontMetrics().horizontalAdvance(" ") * 2)
        self.highlighter = JsonHighlighter(self.editor.document(), is_dark(self))
        self.status = QLabel()
        self.status.setObjectName("raw-json-status")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.status)
        self._parse_timer = QTimer(self, singleShot=True, interval=120)
        self._parse_timer.timeout.connect(self.parse_now)
        self.editor.textChanged.connect(self._text_changed)
        self._setting_text = False
        model.changed.connect(self._model_changed)
        self._model_changed(None)

    def _model_changed(self, source: object) -> None:
        if source is self or not self.valid:
            return
        text = pretty_json(self.model.view())
        self._setting_text = True
        replace_text(self.editor, text)  # only what changed: cursor and scroll stay put
        self._setting_text = False
        self._show_ok()

    def _text_changed(self) -> None:
        if not self._setting_text:
            self._parse_timer.start()

    def parse_now(self) -> None:
        self._parse_timer.stop()
        text = self.editor.toPlainText()
        try:
            payload = Payload.from_json(text)
        except PayloadError as exc:
            self._show_error(str(exc), text)
            return
        was_valid = self.valid
        self.valid = True
        self._show_ok()
        self.model.replace(payload.to_dict(), self)
        if not was_valid:
            self.validity_changed.emit(True, "")

    def _show_ok(self) -> None:
        self.editor.setExtraSelections([])
        self.status.setText("Valid JSON: edits here update the forms, and the other way round.")
        self.status.setStyleSheet("")

    def _show_error(self, message: str, text: str) -> None:
        self.valid = False
        self.status.setText(f"⚠ {message}. The forms are locked until the JSON parses again.")
        self.status.setStyleSheet("color: #c0392b; font-weight: 600;")
        position = _error_position(text)
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor("#e74c3c"))
        fmt.setBackground(QColor(231, 76, 60, 50))
        fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
        selection.format = fmt
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(min(position, max(0, len(text) - 1)))
        cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        line = QTextEdit.ExtraSelection()
        line_format = QTextCharFormat()
        line_format.setBackground(QColor(231, 76, 60, 28))
        line_format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        line.format = line_format
        line_cursor = QTextCursor(cursor)
        line_cursor.clearSelection()
        line.cursor = line_cursor
        self.editor.setExtraSelections([line, selection])
        self.validity_changed.emit(False, message)

    def focus_field(self, path: str) -> bool:
        key = path.split("[")[0].split(".")[0]
        text = self.editor.toPlainText()
        index = text.find(json.dumps(key) + ":")
        if index < 0:
            return False
        cursor = self.editor.textCursor()
        cursor.setPosition(index)
        cursor.setPosition(index + len(json.dumps(key)), QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()
        return True


def _error_position(text: str) -> int:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.pos
    except ValueError:
        return 0
    return 0
