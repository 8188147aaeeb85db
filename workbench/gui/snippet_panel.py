"""Code: the current payload as signing code for the integrator's backend, ready to paste."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.widgets import hint_label, monospace_font, replace_text
from workbench.sso.snippets import KEY_VARIABLE, LANGUAGES, snippet


class SnippetPanel(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.language = QComboBox()
        self.language.setObjectName("snippet-language")
        self.language.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.language.setMinimumContentsLength(14)
        for key, (label, _render) in LANGUAGES.items():
            self.language.addItem(label, key)
        self.code = QPlainTextEdit(readOnly=True)
        self.code.setObjectName("snippet-code")
        self.code.setFont(monospace_font())
        self.code.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        copy = QPushButton("Copy code")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.code.toPlainText()))
        top = QHBoxLayout()
        top.addWidget(QLabel("Language"))
        top.addWidget(self.language, 1)
        top.addWidget(copy)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(
            hint_label(
                f"The key comes from the {KEY_VARIABLE} environment variable, never from the code; "
                "iat and exp are set when the code runs."
            )
        )
        layout.addWidget(self.code, 1)
        self._payload: Mapping[str, Any] = {}
        self._ttl = 60
        self._community = "localhost"
        self.language.currentIndexChanged.connect(lambda *_: self.refresh_code())

    def show_payload(self, payload: Mapping[str, Any], ttl: int | None, community: str) -> None:
        self._payload, self._ttl, self._community = payload, ttl or 60, community
        if self.isVisible():
            self.refresh_code()

    def showEvent(self, event: Any) -> None:
        self.refresh_code()
        super().showEvent(event)

    def refresh_code(self) -> None:
        replace_text(
            self.code,
            snippet(str(self.language.currentData()), self._payload, self._ttl, self._community),
        )
