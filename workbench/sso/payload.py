"""The SSO payload: the standard claims, the space claims and custom fields, in one ordered dict.

The payload is kept as the JSON object it is, so key order and keys the workbench does not know
survive every round trip; the properties only read it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

REQUIRED_CLAIMS: tuple[str, ...] = ("sub", "name", "email")
PROFILE_CLAIMS: tuple[str, ...] = ("sub", "email", "name", "tagline", "picture")
TIME_CLAIMS: tuple[str, ...] = ("iat", "exp", "nbf")
SPACE_CLAIMS: tuple[str, ...] = ("spaceIds", "spaces", "spacesOperation")

# Keys that are never custom profile fields (CONTRACT.md section 3).
STANDARD_CLAIMS: frozenset[str] = frozenset(
    {*PROFILE_CLAIMS, *TIME_CLAIMS, "iss", "aud", "jti", *SPACE_CLAIMS}
)

SPACE_ACTIONS: tuple[str, ...] = ("JOIN", "LEAVE")
SPACE_ROLES: tuple[str, ...] = ("MEMBER",)
SPACES_OPERATIONS: tuple[str, ...] = ("ADD", "REPLACE")

MAX_PAYLOAD_BYTES = 1024 * 1024


class PayloadError(ValueError):
    """The text is not a JSON object that could be an SSO payload."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


_STRICT_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def loads_json(text: str | bytes) -> Any:
    """json.loads without the NaN/Infinity extension that other JWT libraries refuse.

    Raises ValueError (JSONDecodeError included) or RecursionError on bad input.
    """
    if isinstance(text, str):
        # What json.loads does for str, with one decoder made once instead of one per call.
        if text.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _STRICT_DECODER.decode(text)
    return json.loads(text, parse_constant=_reject_constant)


def is_custom_key(key: str) -> bool:
    return key not in STANDARD_CLAIMS


def is_present_value(value: Any) -> bool:
    """A custom-field value that counts: not null, "", [] or {}."""
    return value is not None and value != "" and value != [] and value != {}


class Payload(Mapping[str, Any]):
    """An SSO payload: a read-only view over a JSON object with helpers for its claims."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = dict(data or {})

    @classmethod
    def from_json(cls, text: str) -> Payload:
        if len(text.encode("utf-8", errors="surrogatepass")) > MAX_PAYLOAD_BYTES:
            raise PayloadError(f"the payload is larger than {MAX_PAYLOAD_BYTES // 1024} KiB")
        try:
            data = loads_json(text)
        except json.JSONDecodeError as exc:
            raise PayloadError(
                f"the payload is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        except (ValueError, RecursionError) as exc:
            raise PayloadError(f"the payload is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise PayloadError(
                f"the payload is a JSON {json_type_name(data)}; it must be an object "
                '({"sub": ..., "name": ..., "email": ...})'
            )
        return cls(data)

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self._data, indent=indent, ensure_ascii=False)

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data)

    def with_claims(self, **claims: Any) -> Payload:
        """A copy with these claims set (existing keys keep their position)."""
        data = dict(self._data)
        data.update(claims)
        return Payload(data)

    def without(self, *keys: str) -> Payload:
        return Payload({k: v for k, v in self._data.items() if k not in keys})

    def custom_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if is_custom_key(k)}

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Payload):
            return list(self._data.items()) == list(other._data.items())
        if isinstance(other, Mapping):
            return dict(self._data) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Payload({self._data!r})"


def json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
