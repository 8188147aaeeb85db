"""The events timeline: every SSO attempt, newest first, with findings and a readable diff."""

from __future__ import annotations

import html
import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStyle,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.emulator_host import EmulatorHost

OUTCOME_TEXT = {"created": "Created", "updated": "Updated", "rejected": "Rejected"}


def _value(value: Any) -> str:
    if value is None:
        return "<span style='color:gray'>—</span>"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return html.escape(text)


def event_html(event: dict[str, Any], member_name: str | None) -> str:
    """One event as a small report: outcome, redirect, findings, field-by-field changes."""
    outcome = event["outcome"]
    colour = {"created": "#2b8a3e", "updated": "#1c7ed6", "rejected": "#c92a2a"}[outcome]
    parts = [
        f"<h3 style='color:{colour};margin-bottom:2px'>{OUTCOME_TEXT[outcome]}"
        + (f" · <code>{html.escape(event['code'])}</code>" if event.get("code") else "")
        + "</h3>",
        f"<p style='color:gray;margin-top:0'>#{event['id']} · {html.escape(event['at'])}"
        + (f" · {html.escape(member_name)}" if member_name else "")
        + "</p>",
    ]
    if event.get("redirect"):
        parts.append(f"<p><b>Redirect</b> → <code>{html.escape(event['redirect'])}</code></p>")
    if event.get("redirectRefused"):
        parts.append(
            f"<p style='color:#e67700'><b>redirect_uri refused</b> "
            f"(<code>{html.escape(str(event.get('requestedRedirect', '')))}</code>): "
            f"{html.escape(event['redirectRefused'])}</p>"
        )
    changes = event.get("changes") or {}
    if changes:
        rows = "".join(
            f"<tr><td><b>{html.escape(name)}</b></td><td style='color:#c92a2a'>{_value(old)}</td>"
            f"<td>→</td><td style='color:#2b8a3e'>{_value(new)}</td></tr>"
            for name, (old, new) in changes.items()
        )
        parts.append(f"<p><b>Changes</b></p><table cellspacing=6>{rows}</table>")
    elif outcome == "updated":
        parts.append("<p style='color:gray'>No field changed.</p>")
    findings = event.get("findings") or []
    if findings:
        items = "".join(
            f"<li><b style='color:{'#c92a2a' if f['level'] == 'error' else '#e67700'}'>"
            f"{html.escape(f['code'])}</b>"
            + (
                f" <span style='color:gray'>{html.escape(f['field'])}</span>"
                if f.get("field")
                else ""
            )
            + f"<br>{html.escape(f['message'])}</li>"
            for f in findings
        )
        parts.append(f"<p><b>Findings</b></p><ul>{items}</ul>")
    return "".join(parts)


class EventsPanel(QWidget):
    def __init__(self, host: EmulatorHost) -> None:
        super().__init__()
        self.host = host
        self.events: dict[int, dict[str, Any]] = {}
        self.list = QListWidget()
        self.list.setObjectName("events-list")
        self.list.currentItemChanged.connect(self._show)
        self.details = QTextBrowser()
        self.details.setObjectName("event-details")
        self.summary = QLabel("No SSO attempts yet")
        trim = QPushButton("Trim to newest 100")
        trim.setObjectName("trim-events")
        trim.clicked.connect(lambda: self.host.trim_events(100))
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(trim)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(self.details)
        split.setSizes([250, 300])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        host.events_added.connect(self.add_events)
        host.events_reset.connect(self.reload)

    def reload(self) -> None:
        self.events.clear()
        self.list.clear()
        store = self.host.store
        if store is not None:
            self.add_events(store.latest_events(500))
        self._update_summary()

    def add_events(self, events: list[dict[str, Any]]) -> None:
        store = self.host.store
        for event in events:
            self.events[event["id"]] = event
            name = None
            if event.get("userId") and store is not None:
                member = store.member_by_id(event["userId"])
                name = member.name if member else None
            label = OUTCOME_TEXT[event["outcome"]]
            if event.get("code"):
                label += f" · {event['code']}"
            if name:
                label += f" · {name}"
            warnings = [f for f in event.get("findings", []) if f["level"] == "warning"]
            if warnings and event["outcome"] != "rejected":
                label += f" · {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
            label += f"    {event['at'][11:19]}"
            icon = {
                "created": QStyle.StandardPixmap.SP_DialogApplyButton,
                "updated": QStyle.StandardPixmap.SP_BrowserReload,
                "rejected": QStyle.StandardPixmap.SP_MessageBoxCritical,
            }[event["outcome"]]
            item = QListWidgetItem(self.style().standardIcon(icon), label)
            item.setData(Qt.ItemDataRole.UserRole, event["id"])
            item.setData(Qt.ItemDataRole.UserRole + 1, name)
            self.list.insertItem(0, item)
        while self.list.count() > 2000:  # a timeline, not an archive: the store keeps them all
            old = self.list.takeItem(self.list.count() - 1)
            if old is not None:
                self.events.pop(int(old.data(Qt.ItemDataRole.UserRole)), None)
        if events:
            self.list.setCurrentRow(0)
        self._update_summary()

    def _update_summary(self) -> None:
        total = len(self.events)
        rejected = sum(1 for e in self.events.values() if e["outcome"] == "rejected")
        self.summary.setText(
            f"{total} SSO attempt{'s' if total != 1 else ''} · {rejected} rejected"
            if total
            else "No SSO attempts yet: log in with a token to see one here"
        )

    def _show(self, item: QListWidgetItem | None, *_: object) -> None:
        if item is None:
            self.details.clear()
            return
        event = self.events.get(int(item.data(Qt.ItemDataRole.UserRole)))
        if event is not None:
            self.details.setHtml(event_html(event, item.data(Qt.ItemDataRole.UserRole + 1)))
