"""The key as the GUI sees it: which community, whether a key is set, from where, which backend."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from workbench import keys


class KeyController(QObject):
    changed = Signal()

    def __init__(self, community: str = keys.DEFAULT_COMMUNITY) -> None:
        super().__init__()
        self.community = community
        self._key: str | None = None
        self.origin: str | None = None
        self.problem: str | None = None
        self.backend = keys.backend_status()
        self.reload()

    def key(self) -> str | None:
        """The current key; called from the emulator's thread too (a plain attribute read)."""
        return self._key

    def reload(self) -> None:
        self.backend = keys.backend_status()
        try:
            found = keys.find_key(self.community)
        except keys.KeyStoreError as exc:
            self._key, self.origin, self.problem = None, None, str(exc)
        else:
            self._key = found.value if found else None
            self.origin = found.origin if found else None
            self.problem = None
        self.changed.emit()

    def set_community(self, community: str) -> None:
        if community != self.community:
            self.community = community
            self.reload()

    def store(self, key: str) -> None:
        """Raises keys.KeyStoreError with a message for the user."""
        keys.set_key(key, self.community)
        self.reload()

    def generate(self) -> None:
        keys.generate_key(self.community)
        self.reload()

    def masked(self) -> str:
        return keys.mask(self._key) if self._key else "no key"

    def describe(self) -> str:
        if self._key is None:
            return self.problem or f"No key for {self.community}"
        where = "WORKBENCH_SSO_KEY" if self.origin == "environment" else self.backend.name
        return f"{self.masked()} · {where}"
