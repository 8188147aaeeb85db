"""Personas: saved payloads, one JSON file each in the data directory's `personas/` folder."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from workbench.sso import Payload, PayloadError

_UNSAFE = re.compile(r"[^A-Za-z0-9 ._-]+")


class PersonaError(ValueError):
    """A persona name or file that cannot be used."""


class PersonaStore:
    def __init__(self, data_dir: Path) -> None:
        self.folder = Path(data_dir) / "personas"

    def _path(self, name: str) -> Path:
        cleaned = _UNSAFE.sub("-", name.strip()).strip(" .-")
        if not cleaned:
            raise PersonaError("give the persona a name (letters, digits, spaces, . _ -)")
        return self.folder / f"{cleaned[:80]}.json"

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted((p.stem for p in self.folder.glob("*.json")), key=str.lower)

    def save(self, name: str, payload: dict[str, Any]) -> str:
        path = self._path(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path.stem

    def load(self, name: str) -> dict[str, Any]:
        path = self._path(name)
        try:
            return Payload.from_json(path.read_text(encoding="utf-8")).to_dict()
        except FileNotFoundError:
            raise PersonaError(f"no persona named {name!r}") from None
        except (OSError, UnicodeDecodeError, PayloadError) as exc:
            raise PersonaError(f"persona {name!r} cannot be read: {exc}") from None

    def all(self) -> dict[str, dict[str, Any]]:
        """Every readable persona by name (unreadable files are skipped, not fatal)."""
        out = {}
        for name in self.names():
            try:
                out[name] = self.load(name)
            except PersonaError:
                continue
        return out

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)
