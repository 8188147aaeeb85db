"""Custom fields: every non-standard key, its type and value, and the profile field it fills."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.model import PayloadModel
from workbench.gui.widgets import hint_label
from workbench.sso.payload import (
    STANDARD_CLAIMS,
    is_custom_key,
    is_present_value,
    json_type_name,
)
from workbench.sso.rules import ProfileField, map_custom_fields

TYPES = ("string", "number", "boolean", "JSON")


def type_of(value: Any) -> str:
    """The editor's type for a value: JSON's own name for scalars, "JSON" for the rest."""
    kind = json_type_name(value)
    return kind if kind in ("string", "number", "boolean") else "JSON"


def text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def parse_value(kind: str, text: str) -> Any:
    """The typed value, or raises ValueError with a short reason."""
    if kind == "string":
        return text
    if kind == "number":
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise ValueError("not a number") from None
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError("not a finite number") from None
            return number
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise ValueError("true or false")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None


def mapping_text(
    key: str, payload: Mapping[str, Any], fields: tuple[ProfileField, ...] | None
) -> str:
    if fields is None:
        return "(community unknown)"
    naming = [f for f in fields if key in f.external_keys]
    if not naming:
        return "no profile field: ignored"
    mapped = map_custom_fields(payload, fields)
    parts = []
    for field in naming:
        winner = mapped.get(field.key)
        if winner and winner[0] == key:
            parts.append(f"→ {field.name}")
        elif winner:
            parts.append(f"{field.name} (taken from {winner[0]})")
        elif not is_present_value(payload.get(key)):
            parts.append(f"{field.name} (empty: kept as is)")
    return ", ".join(parts)


class FieldsPanel(QWidget):
    def __init__(self, model: PayloadModel) -> None:
        super().__init__()
        self.model = model
        self.profile_fields: tuple[ProfileField, ...] | None = None
        self._updating = False
        self._shown: dict[str, Any] = {"": object()}  # never equal: the first change renders
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("fields-table")
        self.table.setHorizontalHeaderLabels(["key", "type", "value", "profile field"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 100)
        self.table.setColumnWidth(1, 84)
        self.table.setColumnWidth(3, 130)
        self.table.itemChanged.connect(self._cell_changed)
        add = QPushButton("Add field")
        add.clicked.connect(self._add_row)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self._remove_rows)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint_label(
                "Each profile field takes its value from the first of its external keys whose "
                'value is not null, "", [] or {}. Keys no field names are ignored.'
            )
        )
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        model.changed.connect(self._model_changed)
        self._model_changed(None)

    def set_profile_fields(self, fields: tuple[ProfileField, ...] | None) -> None:
        self.profile_fields = fields
        self._refresh_mappings()

    def _model_changed(self, source: object) -> None:
        custom = {k: v for k, v in self.model.view().items() if is_custom_key(k)}
        # An edit elsewhere (a keystroke in sub) leaves the custom fields as they are: the table,
        # with a widget per row, is rebuilt only when they change.
        unchanged = list(custom.items()) == list(self._shown.items())
        self._shown = custom
        if source is self or unchanged:
            if not unchanged or source is self:
                self._refresh_mappings()
            return
        self._updating = True
        try:
            self.table.setRowCount(0)
            for key, value in custom.items():
                self._append_row(key, value)
        finally:
            self._updating = False
        self._refresh_mappings()

    def _append_row(self, key: str, value: Any) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(key))
        kind = QComboBox()
        kind.addItems(TYPES)
        kind.setCurrentText(type_of(value))
        kind.currentIndexChanged.connect(lambda *_: self._cell_changed())
        self.table.setCellWidget(row, 1, kind)
        self.table.setItem(row, 2, QTableWidgetItem(text_of(value)))
        mapping = QTableWidgetItem("")
        mapping.setFlags(mapping.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, 3, mapping)

    def _rows(self) -> tuple[dict[str, Any], list[int]]:
        values: dict[str, Any] = {}
        bad: list[int] = []
        for row in range(self.table.rowCount()):
            key_item = self.table.item(row, 0)
            key = key_item.text().strip() if key_item else ""
            kind_widget = self.table.cellWidget(row, 1)
            kind = kind_widget.currentText() if isinstance(kind_widget, QComboBox) else "string"
            value_item = self.table.item(row, 2)
            text = value_item.text() if value_item else ""
            if not key or key in STANDARD_CLAIMS:
                bad.append(row)
                continue
            try:
                values[key] = parse_value(kind, text)
            except ValueError:
                bad.append(row)
        return values, bad

    def _cell_changed(self, *_: object) -> None:
        if self._updating:
            return
        values, bad = self._rows()
        bad_keys = self._bad_keys(bad)
        rebuilt: dict[str, Any] = {}
        for key, value in self.model.payload().items():
            if not is_custom_key(key):
                rebuilt[key] = value
            elif key in values:
                rebuilt[key] = values[key]
            elif key in bad_keys:
                rebuilt[key] = value  # a value that does not fit its type never replaces a good one
            # any other custom key was renamed or removed in the table
        for key, value in values.items():
            rebuilt.setdefault(key, value)
        self.model.replace(rebuilt, self)
        self._mark(bad)

    def _bad_keys(self, rows: list[int]) -> set[str]:
        keys = set()
        for row in rows:
            item = self.table.item(row, 0)
            if item and item.text().strip():
                keys.add(item.text().strip())
        return keys

    def _mark(self, bad: list[int]) -> None:
        self._updating = True
        try:
            for row in range(self.table.rowCount()):
                item = self.table.item(row, 2)
                if item is not None:
                    item.setBackground(QBrush(QColor("#f8d7da")) if row in bad else QBrush())
                    item.setToolTip("This value does not fit its type" if row in bad else "")
        finally:
            self._updating = False

    def _refresh_mappings(self) -> None:
        payload = self.model.view()
        self._updating = True
        try:
            for row in range(self.table.rowCount()):
                key_item = self.table.item(row, 0)
                key = key_item.text().strip() if key_item else ""
                text = mapping_text(key, payload, self.profile_fields) if key else ""
                if key in STANDARD_CLAIMS:
                    text = "a standard claim, not a custom field"
                item = self.table.item(row, 3)
                if item is not None:
                    item.setText(text)
        finally:
            self._updating = False

    def _add_row(self) -> None:
        existing = set(self.model.view())
        name = "field"
        counter = 1
        while name in existing:
            counter += 1
            name = f"field{counter}"
        self.model.set_claim(name, "", None)
        row = self.table.rowCount() - 1
        self.table.setCurrentCell(row, 0)
        item = self.table.item(row, 0)
        if item is not None:
            self.table.editItem(item)

    def _remove_rows(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        keys = []
        for row in rows:
            item = self.table.item(row, 0)
            if item:
                keys.append(item.text().strip())
        self.model.replace_keys({}, keys, None)

    def focus_field(self, path: str) -> bool:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item and item.text().strip() == path:
                self.table.setFocus()
                self.table.setCurrentCell(row, 2)
                return True
        return False
