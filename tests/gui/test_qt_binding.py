"""The Qt binding must not over-release None (PySide6 6.12.0 did, and a long session aborted).

On Python 3.11 None is an ordinary object: every call into a binding that drops a reference it
does not own brings the process nearer to "Fatal Python error: deallocating None". The live
token view calls such methods thousands of times per keystroke on a big payload.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit


def test_calls_that_return_nothing_keep_none_alive(qtbot: Any) -> None:
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText("x" * 600)
    cursor = QTextCursor(editor.document())
    fmt = QTextCharFormat()
    before = sys.getrefcount(None)
    for position in range(500):
        cursor.setPosition(position)
        cursor.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(fmt)
    assert sys.getrefcount(None) - before > -100  # 1,500 calls; a leak shows as -1,500


def test_the_json_highlighter_keeps_none_alive(qtbot: Any) -> None:
    from workbench.gui.widgets import JsonHighlighter

    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    JsonHighlighter(editor.document())
    before = sys.getrefcount(None)
    editor.setPlainText("\n".join('{"key": "value", "n": 1, "t": true}' for _ in range(1000)))
    assert sys.getrefcount(None) - before > -100


def test_replace_text_changes_only_the_difference(qtbot: Any) -> None:
    from workbench.gui.widgets import replace_text

    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText('{\n  "name": "Dana 🙂 Scully",\n  "sub": "u-1"\n}')
    cursor = editor.textCursor()
    cursor.setPosition(3)
    editor.setTextCursor(cursor)
    for new in (
        '{\n  "name": "Dana 🙂 Scully",\n  "sub": "u-12"\n}',
        '{\n  "name": "Dana 🙂🙂 Scully",\n  "sub": "u-12"\n}',
        '{\n  "sub": "u-12"\n}',
        "",
        "🙂",
    ):
        replace_text(editor, new)
        assert editor.toPlainText() == new
