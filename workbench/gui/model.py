"""The one payload every panel edits, and the signal that tells the others.

Panels never reach into each other's widgets: they call the setters here and listen to
`changed`, whose `source` argument lets a panel skip the echo of its own edit.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal


class PayloadModel(QObject):
    changed = Signal(object)  # the panel (or None) whose edit caused it

    def __init__(self, payload: dict[str, Any] | None = None) -> None:
        super().__init__()
        self._data: dict[str, Any] = dict(payload or {})

    def payload(self) -> dict[str, Any]:
        """A copy the caller may change."""
        return copy.deepcopy(self._data)

    def view(self) -> Mapping[str, Any]:
        """The payload itself, read-only. Every edit replaces the dict instead of changing it,
        so a view once handed out never changes under its reader (the emulator's thread reads
        one)."""
        return self._data

    def get(self, key: str, default: Any = None) -> Any:
        return copy.deepcopy(self._data.get(key, default))

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def set_claim(self, key: str, value: Any, source: object = None) -> None:
        """Set one key, keeping its position (new keys go last)."""
        if key in self._data and self._data[key] == value and type(self._data[key]) is type(value):
            return
        data = dict(self._data)
        data[key] = copy.deepcopy(value)
        self._data = data
        self.changed.emit(source)

    def remove_claim(self, key: str, source: object = None) -> None:
        if key in self._data:
            self._data = {k: v for k, v in self._data.items() if k != key}
            self.changed.emit(source)

    def replace(self, payload: dict[str, Any], source: object = None) -> None:
        if list(payload.items()) == list(self._data.items()):
            return
        self._data = copy.deepcopy(payload)
        self.changed.emit(source)

    def replace_keys(
        self, updates: dict[str, Any], removed: list[str], source: object = None
    ) -> None:
        """Several keys at once, with one signal (custom-field table edits)."""
        data = dict(self._data)
        for key in removed:
            data.pop(key, None)
        data.update(copy.deepcopy(updates))
        self.replace(data, source)
