"""Findings: the one vocabulary the validator, the command line and the emulator share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Level = Literal["error", "warning"]

# Error codes in the order the emulator reports them when several apply (CONTRACT.md section 3).
ERROR_ORDER: tuple[str, ...] = (
    "missing_token",
    "malformed_token",
    "unsupported_algorithm",
    "invalid_signature",
    "token_expired",
    "token_not_yet_valid",
    "missing_claim",
    "invalid_claim",
    "claim_too_long",
    "email_conflict",
)

WARNING_CODES: tuple[str, ...] = (
    "no_expiry",
    "long_lifetime",
    "picture_not_http",
    "both_space_forms",
    "operation_without_spaces",
    "unknown_space",
    "unmapped_field",
)

# Rejections for a bad signature or an expired token are 401; every other one is 400.
UNAUTHORIZED_CODES = frozenset({"invalid_signature", "token_expired", "token_not_yet_valid"})


@dataclass(frozen=True, slots=True)
class Finding:
    level: Level
    code: str
    field: str | None
    message: str

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "field": self.field,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        level: Level = "error" if data.get("level") == "error" else "warning"
        return cls(level, str(data["code"]), data.get("field"), str(data.get("message", "")))

    def as_line(self) -> str:
        """One line for a terminal: `error invalid_claim (sub): sub is a number; ...`."""
        where = f" ({self.field})" if self.field else ""
        return f"{self.level} {self.code}{where}: {self.message}"


def error(code: str, field: str | None, message: str) -> Finding:
    return Finding("error", code, field, message)


def warning(code: str, field: str | None, message: str) -> Finding:
    return Finding("warning", code, field, message)


def _rank(finding: Finding) -> tuple[int, int]:
    if finding.is_error:
        order = ERROR_ORDER.index(finding.code) if finding.code in ERROR_ORDER else len(ERROR_ORDER)
        return (0, order)
    order = WARNING_CODES.index(finding.code) if finding.code in WARNING_CODES else 99
    return (1, order)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first in the emulator's order, then warnings; stable within a code."""
    return sorted(findings, key=_rank)


def first_error(findings: list[Finding]) -> Finding | None:
    errors = [f for f in findings if f.is_error]
    return sort_findings(errors)[0] if errors else None


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)
