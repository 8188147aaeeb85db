"""Spaces: spaceIds picked from the community's spaces or typed, the spaces table, the operation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.model import PayloadModel
from workbench.gui.widgets import hint_label

OPERATIONS = ("", "ADD", "REPLACE")
ROLE_ABSENT = "(no role)"


def describe_operation(payload: Mapping[str, Any]) -> str:
    """One line on what the spaces claims will do to the member."""
    operation = payload.get("spacesOperation")
    has_ids = isinstance(payload.get("spaceIds"), list)
    has_entries = isinstance(payload.get("spaces"), list)
    if not has_ids and not has_entries:
        if operation:
            return f"{operation} does nothing without spaceIds or spaces: memberships stay as they are."
        return "No space claims: the member's spaces stay as they are."
    joins = len(payload.get("spaceIds") or []) if has_ids else 0
    entries = len(payload.get("spaces") or []) if has_entries else 0
    parts = []
    if joins:
        parts.append(f"join {joins} space{'s' if joins != 1 else ''}")
    if entries:
        parts.append(f"apply {entries} JOIN/LEAVE entr{'ies' if entries != 1 else 'y'} in order")
    action = " and ".join(parts) or "join nothing"
    if operation == "REPLACE":
        return f"REPLACE: leave every space first, then {action}."
    return f"{operation or 'No operation (same as ADD)'}: {action}; every other membership stays."


_ABSENT = object()


def _choice(options: list[str], value: Any, present: bool) -> QComboBox:
    """A combo of the valid values that also shows, as it is, a value that is not one of them."""
    combo = QComboBox()
    for option in options:
        combo.addItem(option, option)
    if present and value not in options:
        shown = json.dumps(value, ensure_ascii=False)
        combo.addItem(f"{shown} (invalid)", value)
        combo.setCurrentIndex(combo.count() - 1)
    elif not present and options[0] != ROLE_ABSENT:
        combo.addItem("(missing)", _ABSENT)
        combo.setCurrentIndex(combo.count() - 1)
    else:
        combo.setCurrentIndex(options.index(value) if value in options else 0)
    return combo


class SpacesPanel(QWidget):
    def __init__(self, model: PayloadModel) -> None:
        super().__init__()
        self.model = model
        self.known: list[tuple[str, str]] = []  # (id, name) of the community's spaces
        self._updating = False
        self._shown: list[tuple[str, Any]] = []

        ids_box = QGroupBox("spaceIds: spaces to join")
        self.ids_list = QListWidget()
        self.ids_list.setObjectName("space-ids")
        self.ids_list.itemChanged.connect(self._ids_changed)
        self.ids_list.setMinimumHeight(110)
        self.add_id = QLineEdit()
        self.add_id.setPlaceholderText("Type a space ID and press Enter")
        self.add_id.returnPressed.connect(self._add_typed_id)
        self.send_ids = QPushButton("Send spaceIds")
        self.send_ids.setCheckable(True)
        self.send_ids.toggled.connect(self._send_ids_toggled)
        ids_layout = QVBoxLayout(ids_box)
        ids_layout.addWidget(self.ids_list)
        row = QHBoxLayout()
        row.addWidget(self.add_id, 1)
        row.addWidget(self.send_ids)
        ids_layout.addLayout(row)

        table_box = QGroupBox("spaces: JOIN / LEAVE entries, applied in order")
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("spaces-table")
        self.table.setHorizontalHeaderLabels(["spaceId", "role", "action"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(True)
        self.table.itemChanged.connect(self._table_changed)
        add = QPushButton("Add entry")
        add.clicked.connect(self._add_entry)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self._remove_entry)
        table_layout = QVBoxLayout(table_box)
        table_layout.addWidget(self.table)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        table_layout.addLayout(buttons)

        op_box = QGroupBox("spacesOperation")
        self.operation = QComboBox()
        self.operation.setObjectName("spaces-operation")
        self.operation.addItems(["(unset)", "ADD", "REPLACE"])
        self.operation.currentIndexChanged.connect(self._operation_changed)
        self.explanation = hint_label()
        op_layout = QVBoxLayout(op_box)
        op_layout.addWidget(self.operation)
        op_layout.addWidget(self.explanation)

        layout = QVBoxLayout(self)
        layout.addWidget(ids_box, 2)
        layout.addWidget(table_box, 3)
        layout.addWidget(op_box)
        model.changed.connect(self._model_changed)
        self._model_changed(None)

    def set_known_spaces(self, spaces: list[tuple[str, str]]) -> None:
        self.known = spaces
        self._model_changed(None)

    # ---- model to widgets ---------------------------------------------------------------------

    def _model_changed(self, source: object) -> None:
        payload = self.model.view()
        claims = [(k, payload.get(k, _ABSENT)) for k in ("spaceIds", "spaces", "spacesOperation")]
        # Only a change to the space claims (or the known spaces) redraws the lists and table.
        if claims == self._shown and source is not None:
            return
        self._shown = claims
        self.explanation.setText(describe_operation(payload))
        if source is self:
            return
        self._updating = True
        try:
            ids = payload.get("spaceIds")
            self.send_ids.setChecked(isinstance(ids, list))
            chosen = [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []
            self.ids_list.clear()
            names = dict(self.known)
            for space_id in [*names, *[i for i in chosen if i not in names]]:
                label = (
                    f"{names[space_id]}  ({space_id})"
                    if space_id in names
                    else (f"{space_id}  (not a space of this community)")
                )
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, space_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if space_id in chosen else Qt.CheckState.Unchecked
                )
                self.ids_list.addItem(item)

            entries = payload.get("spaces")
            rows = entries if isinstance(entries, list) else []
            self.table.setRowCount(0)
            for entry in rows:
                self._append_row(entry if isinstance(entry, dict) else {})
            operation = payload.get("spacesOperation")
            self.operation.setCurrentIndex(
                OPERATIONS.index(operation) if operation in OPERATIONS else 0
            )
        finally:
            self._updating = False

    def _append_row(self, entry: dict[str, Any]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        space_id = entry.get("spaceId")
        self.table.setItem(row, 0, QTableWidgetItem("" if space_id is None else str(space_id)))
        role = _choice([ROLE_ABSENT, "MEMBER"], entry.get("role", ROLE_ABSENT), "role" in entry)
        role.currentIndexChanged.connect(self._table_changed)
        self.table.setCellWidget(row, 1, role)
        action = _choice(["JOIN", "LEAVE"], entry.get("action"), "action" in entry)
        action.currentIndexChanged.connect(self._table_changed)
        self.table.setCellWidget(row, 2, action)

    # ---- widgets to model ---------------------------------------------------------------------

    def _chosen_ids(self) -> list[str]:
        out = []
        for index in range(self.ids_list.count()):
            item = self.ids_list.item(index)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _ids_changed(self, *_: object) -> None:
        if self._updating:
            return
        chosen = self._chosen_ids()
        if chosen and not self.send_ids.isChecked():
            self._updating = True
            self.send_ids.setChecked(True)
            self._updating = False
        if self.send_ids.isChecked():
            self.model.set_claim("spaceIds", chosen, self)

    def _send_ids_toggled(self, checked: bool) -> None:
        if self._updating:
            return
        if checked:
            self.model.set_claim("spaceIds", self._chosen_ids(), self)
        else:
            self.model.remove_claim("spaceIds", self)

    def _add_typed_id(self) -> None:
        space_id = self.add_id.text().strip()
        if not space_id:
            return
        ids = self.model.get("spaceIds")
        ids = list(ids) if isinstance(ids, list) else []
        if space_id not in ids:
            ids.append(space_id)
        self.add_id.clear()
        self.model.set_claim("spaceIds", ids, None)

    def _table_entries(self) -> list[dict[str, Any]]:
        entries = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            entry: dict[str, Any] = {"spaceId": item.text().strip() if item else ""}
            role = self.table.cellWidget(row, 1)
            if isinstance(role, QComboBox) and role.currentText() != ROLE_ABSENT:
                entry["role"] = role.currentData()
            action = self.table.cellWidget(row, 2)
            if isinstance(action, QComboBox) and action.currentData() is not _ABSENT:
                entry["action"] = action.currentData()
            entries.append(entry)
        return entries

    def _table_changed(self, *_: object) -> None:
        if self._updating:
            return
        entries = self._table_entries()
        if entries:
            self.model.set_claim("spaces", entries, self)
        else:
            self.model.remove_claim("spaces", self)

    def _add_entry(self) -> None:
        self._updating = True
        first = self.known[0][0] if self.known else ""
        self._append_row({"spaceId": first, "action": "JOIN"})
        self._updating = False
        self._table_changed()
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)

    def _remove_entry(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.rowCount():
            rows = [self.table.rowCount() - 1]
        self._updating = True
        for row in rows:
            self.table.removeRow(row)
        self._updating = False
        self._table_changed()

    def _operation_changed(self, index: int) -> None:
        if self._updating:
            return
        if index == 0:
            self.model.remove_claim("spacesOperation", self)
        else:
            self.model.set_claim("spacesOperation", OPERATIONS[index], self)

    def focus_field(self, path: str) -> bool:
        import re

        if path.startswith("spacesOperation"):
            self.operation.setFocus()
            return True
        match = re.match(r"spaces\[(\d+)\](?:\.(\w+))?", path)
        if match:
            row = int(match.group(1))
            column = {"spaceId": 0, "role": 1, "action": 2}.get(match.group(2) or "", 0)
            if row < self.table.rowCount():
                self.table.setFocus()
                self.table.setCurrentCell(row, column)
                return True
        if path.startswith("spaceIds") or path == "spaces":
            self.ids_list.setFocus() if path.startswith("spaceIds") else self.table.setFocus()
            return True
        return False
