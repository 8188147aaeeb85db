"""Compare two payloads claim by claim (two tokens, or a token and the current payload)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["added", "removed", "changed", "same"]
_MARK = {"added": "+", "removed": "-", "changed": "~", "same": "="}


@dataclass(frozen=True, slots=True)
class ClaimChange:
    claim: str
    kind: Kind
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "kind": self.kind, "old": self.old, "new": self.new}


def diff_claims(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[ClaimChange]:
    """Every claim of either payload: the new payload's order first, then the removed ones."""
    changes: list[ClaimChange] = []
    for claim, value in new.items():
        if claim not in old:
            changes.append(ClaimChange(claim, "added", None, value))
        elif _same(old[claim], value):
            changes.append(ClaimChange(claim, "same", old[claim], value))
        else:
            changes.append(ClaimChange(claim, "changed", old[claim], value))
    changes += [ClaimChange(c, "removed", v, None) for c, v in old.items() if c not in new]
    return changes


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) and type(a) is type(b)


def short(value: Any, limit: int = 48) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def diff_lines(changes: list[ClaimChange], *, include_same: bool = True) -> list[str]:
    """The comparison as aligned text lines: `~ name  "Dana"  →  "Dana Scully"`."""
    shown = [c for c in changes if include_same or c.kind != "same"]
    width = max((len(c.claim) for c in shown), default=5)
    lines = []
    for change in shown:
        if change.kind == "added":
            detail = f"→  {short(change.new)}"
        elif change.kind == "removed":
            detail = f"{short(change.old)}  (not in the new one)"
        elif change.kind == "changed":
            detail = f"{short(change.old)}  →  {short(change.new)}"
        else:
            detail = short(change.new)
        lines.append(f"{_MARK[change.kind]} {change.claim.ljust(width)}  {detail}")
    return lines
