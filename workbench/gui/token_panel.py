"""The token: encoded (three coloured parts), decoded, its times, signature state and findings.

Also the "Inspect a token" tab: paste a token from elsewhere, see it decoded and verified with
the current key, and load its payload into the forms.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.snippet_panel import SnippetPanel
from workbench.gui.token_state import TokenState
from workbench.gui.widgets import (
    JsonHighlighter,
    TokenHighlighter,
    finding_icon,
    is_dark,
    monospace_font,
    pretty_json,
    replace_text,
)
from workbench.sso import DecodedToken, Finding, ValidationContext, decode
from workbench.sso.tokens import extract_token


def time_line(claims: dict[str, Any], now: float | None = None) -> str:
    now = time.time() if now is None else now
    bits = []
    for claim in ("iat", "nbf", "exp"):
        value = claims.get(claim)
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        try:
            local = datetime.fromtimestamp(value).strftime("%H:%M:%S %d %b %Y")
        except (OverflowError, OSError, ValueError):
            local = "out of range"
        text = f"<b>{claim}</b> {local}"
        if claim == "exp":
            left = value - now
            if left >= 0:
                text += f" <span style='color:#2b8a3e'>(expires in {_duration(left)})</span>"
            else:
                text += f" <span style='color:#c92a2a'>(expired {_duration(-left)} ago)</span>"
        bits.append(text)
    if "exp" not in claims:
        bits.append("<b>exp</b> <span style='color:#e67700'>none: never expires</span>")
    return " &nbsp;·&nbsp; ".join(bits)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


class DecodedView(QWidget):
    """Signature state, times, findings and the decoded header and payload of one token."""

    focus_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.state_label = QLabel()
        self.state_label.setObjectName("signature-state")
        self.state_label.setTextFormat(Qt.TextFormat.RichText)
        self.times = QLabel()
        self.times.setObjectName("token-times")
        self.times.setTextFormat(Qt.TextFormat.RichText)
        self.times.setWordWrap(True)
        self.findings = QListWidget()
        self.findings.setObjectName("findings")
        self.findings.setWordWrap(True)
        self.findings.itemActivated.connect(self._activated)
        self.findings.itemClicked.connect(self._activated)
        self.header = QPlainTextEdit(readOnly=True)
        self.payload = QPlainTextEdit(readOnly=True)
        for view in (self.header, self.payload):
            view.setFont(monospace_font())
            JsonHighlighter(view.document(), is_dark(self))
        self.header.setMaximumHeight(90)
        decoded = QWidget()
        decoded_layout = QVBoxLayout(decoded)
        decoded_layout.setContentsMargins(0, 0, 0, 0)
        decoded_layout.addWidget(QLabel("<b>Header</b>"))
        decoded_layout.addWidget(self.header)
        decoded_layout.addWidget(QLabel("<b>Payload</b> (as signed)"))
        decoded_layout.addWidget(self.payload, 1)
        findings_box = QWidget()
        findings_layout = QVBoxLayout(findings_box)
        findings_layout.setContentsMargins(0, 0, 0, 0)
        self.findings_title = QLabel("<b>Findings</b>")
        findings_layout.addWidget(self.findings_title)
        findings_layout.addWidget(self.findings, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(findings_box)
        split.addWidget(decoded)
        split.setSizes([220, 360])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state_label)
        layout.addWidget(self.times)
        layout.addWidget(split, 1)
        self._claims: dict[str, Any] = {}
        self._shown_findings: tuple[bool, tuple[Finding, ...]] | None = None

    def show_token(
        self,
        decoded: DecodedToken | None,
        claims: dict[str, Any],
        findings: list[Finding],
        problem: str | None = None,
    ) -> None:
        self._claims = claims
        if decoded is None:
            self.state_label.setText(
                f"<span style='color:#c92a2a;font-weight:600'>Not signed</span> · {html.escape(problem or '')}"
            )
            header: dict[str, Any] = {}
        else:
            header = decoded.header
            self.state_label.setText(_state_html(decoded, findings))
        replace_text(self.header, pretty_json(header) if header else "")
        replace_text(self.payload, pretty_json(claims))
        self.tick()
        # The same findings as last time (typing in sub, say): leave the list as it is.
        shown = (decoded is None, tuple(findings))
        if shown == self._shown_findings:
            return
        self._shown_findings = shown
        self.findings.clear()
        errors = sum(1 for f in findings if f.is_error)
        warnings = len(findings) - errors
        self.findings_title.setText(
            f"<b>Findings</b> · {errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
            if findings
            else "<b>Findings</b> · none: this token passes every rule"
        )
        if not findings and decoded is not None:
            ok = QListWidgetItem(
                self.style().standardIcon(self.style().StandardPixmap.SP_DialogApplyButton),
                "No findings: the community accepts this token as it is",
            )
            self.findings.addItem(ok)
        for finding in findings:
            where = f" · {finding.field}" if finding.field else ""
            item = QListWidgetItem(
                finding_icon(self, finding), f"{finding.code}{where}\n{finding.message}"
            )
            item.setData(Qt.ItemDataRole.UserRole, finding.field or "")
            item.setToolTip("Click to go to the field" if finding.field else finding.message)
            self.findings.addItem(item)

    def tick(self) -> None:
        self.times.setText(time_line(self._claims))

    def _activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.focus_requested.emit(str(path))


def _state_html(decoded: DecodedToken, findings: list[Finding]) -> str:
    errors = [f for f in findings if f.is_error]
    signature = {
        "valid": "<span style='color:#2b8a3e;font-weight:600'>✔ signature valid</span>",
        "invalid": "<span style='color:#c92a2a;font-weight:600'>✘ signature invalid</span>",
        "unverified": "<span style='color:#e67700;font-weight:600'>signature not verified</span>",
    }[decoded.signature]
    verdict = (
        f"<span style='color:#c92a2a;font-weight:600'>the community rejects it: {html.escape(errors[0].code)}</span>"
        if errors
        else "<span style='color:#2b8a3e;font-weight:600'>the community accepts it</span>"
    )
    return f"{signature} &nbsp;·&nbsp; {verdict}"


class TokenPanel(QWidget):
    focus_requested = Signal(str)
    load_payload_requested = Signal(dict)

    def __init__(
        self,
        key_provider: Callable[[], str | None],
        context_provider: Callable[[], ValidationContext],
    ) -> None:
        super().__init__()
        self.key_provider = key_provider
        self.context_provider = context_provider
        self.state: TokenState | None = None

        live = QWidget()
        self.encoded = QPlainTextEdit(readOnly=True)
        self.encoded.setObjectName("encoded-token")
        self.encoded.setFont(monospace_font())
        self.encoded.setMaximumHeight(130)
        self.encoded.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        TokenHighlighter(self.encoded.document(), is_dark(self))
        self.view = DecodedView()
        self.view.focus_requested.connect(self.focus_requested)
        live_layout = QVBoxLayout(live)
        live_layout.addWidget(QLabel("<b>Encoded</b> (header · payload · signature)"))
        live_layout.addWidget(self.encoded)
        live_layout.addWidget(self.view, 1)

        inspect = QWidget()
        self.pasted = QPlainTextEdit()
        self.pasted.setObjectName("pasted-token")
        self.pasted.setPlaceholderText("Paste a token, or a whole SSO URL, to decode and verify it")
        self.pasted.setMaximumHeight(110)
        self.pasted.setFont(monospace_font())
        self.pasted.textChanged.connect(self.inspect_pasted)
        self.inspected = DecodedView()
        self.inspected.focus_requested.connect(self.focus_requested)
        self.load_button = QPushButton("Load this payload into the forms")
        self.load_button.setEnabled(False)
        self.load_button.clicked.connect(self._load_pasted)
        inspect_layout = QVBoxLayout(inspect)
        inspect_layout.addWidget(self.pasted)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.load_button)
        inspect_layout.addLayout(row)
        inspect_layout.addWidget(self.inspected, 1)
        compare_title = QLabel(
            "<b>Against the current payload</b> (pasted → current, and what the community "
            "would change)"
        )
        compare_title.setWordWrap(True)
        inspect_layout.addWidget(compare_title)
        self.comparison = QPlainTextEdit(readOnly=True)
        self.comparison.setObjectName("token-comparison")
        self.comparison.setFont(monospace_font())
        self.comparison.setMaximumHeight(170)
        self.comparison.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        inspect_layout.addWidget(self.comparison)
        self.compare: Callable[[dict[str, Any]], str] | None = None
        self._pasted_payload: dict[str, Any] | None = None
        self.inspect_pasted()

        self.tabs = QTabWidget()
        self.tabs.addTab(live, "Live token")
        self.tabs.addTab(inspect, "Inspect a token")
        self.snippets = SnippetPanel()
        self.tabs.addTab(self.snippets, "Code")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()

    def show_state(self, state: TokenState) -> None:
        self.state = state
        replace_text(self.encoded, state.token or f"({state.problem or 'no token'})")
        self.view.show_token(state.decoded, state.claims, state.findings, state.problem)

    def inspect_pasted(self) -> None:
        text = self.pasted.toPlainText().strip()
        if not text:
            self._pasted_payload = None
            self.load_button.setEnabled(False)
            self.inspected.show_token(None, {}, [], "paste a token above")
            return
        key = self.key_provider()
        result = decode(extract_token(text), key, self.context_provider())
        self._pasted_payload = result.payload if result.payload_is_object else None
        self.load_button.setEnabled(self._pasted_payload is not None)
        if self._pasted_payload is not None and self.compare is not None:
            self.comparison.setPlainText(self.compare(self._pasted_payload))
        else:
            self.comparison.setPlainText("")
        self.inspected.show_token(result, result.payload, result.findings)

    def _load_pasted(self) -> None:
        if self._pasted_payload is not None:
            self.load_payload_requested.emit(dict(self._pasted_payload))

    def _tick(self) -> None:
        self.view.tick()
        if self.tabs.currentIndex() == 1:
            self.inspected.tick()
