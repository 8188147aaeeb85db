"""The flow trace: every request of the preview to the emulator, grouped per login.

Copy it as text for a bug report, or export it as a HAR file for any HAR viewer.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench import __version__
from workbench.emulator.trace import TraceEntry, to_har
from workbench.gui.emulator_host import EmulatorHost
from workbench.gui.widgets import hint_label

COLUMNS = ["request", "status", "→ redirect", "cookies set", "context"]


class TracePanel(QWidget):
    def __init__(self, host: EmulatorHost) -> None:
        super().__init__()
        self.host = host
        self.entries: list[TraceEntry] = []
        self.notes: list[tuple[float, str]] = []
        self.groups: dict[int, QTreeWidgetItem] = {}
        self.tree = QTreeWidget()
        self.tree.setObjectName("trace-tree")
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setColumnWidth(0, 330)
        self.tree.setColumnWidth(1, 50)
        self.tree.setColumnWidth(2, 180)
        self.tree.setUniformRowHeights(True)
        copy = QPushButton("Copy as text")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.as_text()))
        export = QPushButton("Export HAR…")
        export.clicked.connect(self.export_har)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.clear)
        buttons = QHBoxLayout()
        self.summary = QLabel("No requests yet")
        buttons.addWidget(self.summary, 1)
        for button in (copy, export, clear):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint_label(
                "Every request the preview made to the emulator, in order; a new group starts at "
                "each login, SSO attempt or logout. Cookie values are never shown."
            )
        )
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        host.trace_added.connect(self.add_entries)

    def add_entries(self, entries: list[TraceEntry]) -> None:
        for entry in entries:
            self.entries.append(entry)
            group = self.groups.get(entry.group)
            if group is None:
                group = QTreeWidgetItem(
                    [f"Flow {entry.group} · {datetime.fromtimestamp(entry.at):%H:%M:%S}"]
                )
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                self.tree.addTopLevelItem(group)
                group.setExpanded(True)
                self.groups[entry.group] = group
            context = ", ".join(x for x in (entry.fetch_dest, entry.fetch_site) if x)
            item = QTreeWidgetItem(
                [
                    f"{entry.method} {entry.url}",
                    str(entry.status),
                    entry.location or "",
                    ", ".join(entry.cookies_set),
                    context,
                ]
            )
            item.setToolTip(0, entry.url)
            if entry.status >= 400:
                item.setForeground(1, QBrush(QColor("#c92a2a")))
            elif 300 <= entry.status < 400:
                item.setForeground(1, QBrush(QColor("#1c7ed6")))
            group.addChild(item)
        self._update_summary()
        if entries:
            self.tree.scrollToBottom()

    def add_note(self, text: str) -> None:
        """Something the browser did that the emulator cannot see (a refused cookie)."""
        import time

        if self.notes and self.notes[-1][1] == text:
            return  # the browser asks once per cookie read and write: say it once
        self.notes.append((time.time(), text))
        item = QTreeWidgetItem([f"⚠ {text}"])
        item.setForeground(0, QBrush(QColor("#e67700")))
        parent = self.tree.topLevelItem(self.tree.topLevelItemCount() - 1)
        if parent is not None:
            parent.addChild(item)
        else:
            self.tree.addTopLevelItem(item)
        self._update_summary()

    def _update_summary(self) -> None:
        self.summary.setText(
            f"{len(self.entries)} requests in {len(self.groups)} flows"
            + (f" · {len(self.notes)} browser notes" if self.notes else "")
        )

    def as_text(self) -> str:
        lines: list[str] = []
        current = None
        events = sorted(
            [(e.at, 0, e) for e in self.entries] + [(at, 1, text) for at, text in self.notes],
            key=lambda item: (item[0], item[1]),
        )
        for _at, kind, value in events:
            if kind == 0:
                assert isinstance(value, TraceEntry)
                if value.group != current:
                    current = value.group
                    lines.append(f"# flow {value.group}")
                lines.append(value.line())
            else:
                lines.append(f"! {value}")
        return "\n".join(lines) + ("\n" if lines else "")

    def export_har(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the trace as HAR", "sso-flow.har", "HTTP Archive (*.har)"
        )
        if path:
            self.write_har(Path(path))

    def write_har(self, path: Path) -> None:
        path.write_text(json.dumps(to_har(self.entries, __version__), indent=2), encoding="utf-8")

    def clear(self) -> None:
        self.entries.clear()
        self.notes.clear()
        self.groups.clear()
        self.tree.clear()
        self._update_summary()
        if self.host.server is not None:
            self.host.server.trace.clear()
