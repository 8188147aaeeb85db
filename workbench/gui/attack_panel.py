"""QA runs: the bad-token battery and scenario files against the emulator, as a pass/fail
matrix (a scenario's rows show each step's event)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.emulator_host import EmulatorHost
from workbench.gui.widgets import hint_label
from workbench.toolkit import attack, scenario


class _Relay(QObject):
    """Carries results from the worker thread to the GUI thread."""

    outcome = Signal(object)
    finished = Signal()
    failed = Signal(str)


class AttackPanel(QWidget):
    def __init__(
        self,
        host: EmulatorHost,
        payload: Callable[[], Mapping[str, Any]],
        key: Callable[[], str | None],
        personas: Callable[[], dict[str, dict[str, Any]]] = dict,
    ) -> None:
        super().__init__()
        self.host = host
        self.personas = personas
        self.payload = payload
        self.key = key
        self.outcomes: list[attack.Outcome] = []
        self.target = ""
        self.relay = _Relay()
        self.relay.outcome.connect(self._add)
        self.relay.finished.connect(self._finished)
        self.relay.failed.connect(self._failed)
        self.run_button = QPushButton("Run bad tokens")
        self.run_button.setToolTip("Run the bad-token battery against the emulator")
        self.run_button.setObjectName("run-attack")
        self.run_button.clicked.connect(self.run)
        self.scenario_button = QPushButton("Run scenario…")
        self.scenario_button.setToolTip("Run a scenario file (JSON or YAML) against the emulator")
        self.scenario_button.setObjectName("run-scenario")
        self.scenario_button.clicked.connect(self.choose_scenario)
        export_json = QPushButton("JSON…")
        export_json.setToolTip("Export the results as JSON")
        export_json.clicked.connect(lambda: self.export("json"))
        export_html = QPushButton("HTML…")
        export_html.setToolTip("Export the results as an HTML report")
        export_html.clicked.connect(lambda: self.export("html"))
        self.summary = QLabel("Not run yet")
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("attack-table")
        self.table.setHorizontalHeaderLabels(["case", "expected", "actual", "result"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.scenario_button)
        buttons.addStretch(1)
        buttons.addWidget(export_json)
        buttons.addWidget(export_html)
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint_label(
                "Deliberately wrong tokens made from the current payload (expired, wrong key, alg "
                "none, missing claims, open redirects, another member's email…), each with the "
                "verdict the platform gives. The valid cases log the member in for real."
            )
        )
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def run(self) -> None:
        url, key = self.host.url, self.key()
        if url is None or key is None:
            self.summary.setText("Needs the emulator running and a key")
            return
        payload = dict(self.payload())
        self.outcomes = []
        self.table.setRowCount(0)
        self.target = url
        self._busy("Running the bad tokens…")

        def work() -> None:
            other = attack.other_member_email(url, payload.get("sub"))
            attack.run(
                url,
                attack.battery(payload, key, other_email=other),
                progress=self.relay.outcome.emit,
            )
            self.relay.finished.emit()

        threading.Thread(target=work, name="bad-tokens", daemon=True).start()

    def choose_scenario(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Run a scenario", "", "Scenarios (*.json *.yaml *.yml)"
        )
        if path:
            self.run_scenario(Path(path))

    def run_scenario(self, path: Path) -> None:
        url, key = self.host.url, self.key()
        if url is None or key is None:
            self.summary.setText("Needs the emulator running and a key")
            return
        try:
            plan = scenario.load(path, self.personas())
        except scenario.ScenarioError as exc:
            self.summary.setText(str(exc))
            return
        self.outcomes = []
        self.table.setRowCount(0)
        self.target = f"{url} ({plan.name})"
        self._busy(f"Running {plan.name}…")

        def as_outcome(result: scenario.StepResult) -> None:
            event = result.event or {}
            actual = event.get("outcome", "?") + (f" {event['code']}" if event.get("code") else "")
            if event.get("changes"):
                actual += " · " + ", ".join(event["changes"])
            self.relay.outcome.emit(
                attack.Outcome(
                    result.step,
                    "as written in the scenario",
                    actual,
                    result.passed,
                    "; ".join(result.problems),
                )
            )

        def work() -> None:
            try:
                scenario.run(plan, url, key, progress=as_outcome)
            except Exception as exc:  # reported in the panel, in words
                self.relay.failed.emit(f"The scenario stopped: {exc}")
            self.relay.finished.emit()

        threading.Thread(target=work, name="scenario", daemon=True).start()

    def _busy(self, text: str) -> None:
        self.run_button.setEnabled(False)
        self.scenario_button.setEnabled(False)
        self.summary.setText(text)

    def _failed(self, message: str) -> None:
        self.summary.setText(message)

    def _add(self, outcome: attack.Outcome) -> None:
        self.outcomes.append(outcome)
        row = self.table.rowCount()
        self.table.insertRow(row)
        cells = [
            outcome.case,
            outcome.expected,
            outcome.actual,
            "pass" if outcome.passed else "FAIL",
        ]
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(outcome.why or text)
            if column == 3:
                item.setForeground(QBrush(QColor("#2b8a3e" if outcome.passed else "#c92a2a")))
            self.table.setItem(row, column, item)

    def _finished(self) -> None:
        self.run_button.setEnabled(True)
        self.scenario_button.setEnabled(True)
        failed = sum(not o.passed for o in self.outcomes)
        self.summary.setText(
            f"{len(self.outcomes) - failed} of {len(self.outcomes)} as expected"
            + (f" · {failed} FAILED" if failed else "")
        )
        self.table.resizeColumnsToContents()

    def export(self, kind: str) -> None:
        if not self.outcomes:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the bad-token run", f"bad-tokens.{kind}", f"{kind.upper()} (*.{kind})"
        )
        if path:
            self.write(Path(path), kind)

    def write(self, path: Path, kind: str) -> None:
        text = (attack.to_json if kind == "json" else attack.to_html)(self.outcomes, self.target)
        path.write_text(text, encoding="utf-8")
