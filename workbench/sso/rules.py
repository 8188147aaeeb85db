"""The validator: every rule a payload must pass, as findings (CONTRACT.md section 2).

The same function checks a payload before it is signed (GUI, `workbench token`) and the claims
of a decoded token (`workbench decode`, the emulator); only the context differs.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workbench.sso.findings import Finding, error, sort_findings, warning
from workbench.sso.payload import (
    REQUIRED_CLAIMS,
    SPACE_ACTIONS,
    SPACE_ROLES,
    SPACES_OPERATIONS,
    is_custom_key,
    is_present_value,
    json_type_name,
)

MAX_SUB_LENGTH = 50
MAX_EMAIL_LENGTH = 200
RECOMMENDED_LIFETIME = 60
DEFAULT_LEEWAY = 10
# A time claim above this is almost surely milliseconds (it would be the year 5138 in seconds).
MILLISECONDS_THRESHOLD = 100_000_000_000

# Deliberately simple: one @, something before it, a dotted domain, no spaces. Stricter checks
# reject addresses real mail servers accept.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")

_FIX_HINTS: dict[str, str] = {
    "sub": "send the user's ID in your product as a string, e.g. String(user.id)",
    "name": "send the member's display name",
    "email": "send the member's verified email address",
}


@dataclass(frozen=True, slots=True)
class ProfileField:
    """A custom profile field of a community and the payload keys that fill it."""

    key: str
    name: str
    external_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ValidationContext:
    """What the validator knows beyond the payload: the clock and, when known, the community."""

    now: float | None = None
    leeway: float = DEFAULT_LEEWAY
    space_ids: frozenset[str] | None = None
    profile_fields: tuple[ProfileField, ...] | None = None

    def current_time(self) -> float:
        return time.time() if self.now is None else self.now


def validate_payload(
    payload: Mapping[str, Any], context: ValidationContext | None = None
) -> list[Finding]:
    """All findings for a payload, errors first in the emulator's order."""
    ctx = context or ValidationContext()
    findings: list[Finding] = []
    findings += _check_profile_claims(payload)
    findings += _check_times(payload, ctx)
    findings += _check_spaces(payload, ctx)
    findings += _check_custom_fields(payload, ctx)
    return sort_findings(findings)


# ---- profile claims ------------------------------------------------------------------------


def _check_profile_claims(payload: Mapping[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    for claim in REQUIRED_CLAIMS:
        value = payload.get(claim)
        if value is None or value == "":
            state = "empty" if value == "" else ("null" if claim in payload else "missing")
            out.append(error("missing_claim", claim, f"{claim} is {state}; {_FIX_HINTS[claim]}"))
        elif not isinstance(value, str):
            out.append(_not_a_string(claim, value))
    for claim in ("tagline", "picture"):
        if claim in payload and not isinstance(payload[claim], str):
            out.append(_not_a_string(claim, payload[claim]))

    sub = payload.get("sub")
    if isinstance(sub, str) and len(sub) > MAX_SUB_LENGTH:
        out.append(
            error(
                "claim_too_long",
                "sub",
                f"sub is {len(sub)} characters; the limit is {MAX_SUB_LENGTH}. "
                "Send a shorter stable ID (a database ID, not a long hash or a URL)",
            )
        )
    email = payload.get("email")
    if isinstance(email, str) and email:
        if not _EMAIL.match(email):
            out.append(
                error(
                    "invalid_claim",
                    "email",
                    f"email {_quote(email)} is not an email address; send it as name@example.com",
                )
            )
        if len(email) > MAX_EMAIL_LENGTH:
            out.append(
                error(
                    "claim_too_long",
                    "email",
                    f"email is {len(email)} characters; the limit is {MAX_EMAIL_LENGTH}",
                )
            )
    picture = payload.get("picture")
    if isinstance(picture, str) and not picture.lower().startswith(("http://", "https://")):
        out.append(
            warning(
                "picture_not_http",
                "picture",
                f"picture {_quote(picture)} does not start with http:// or https://; the platform "
                "stores it unchecked and the avatar will not load. Send a full URL",
            )
        )
    return out


def _not_a_string(claim: str, value: Any) -> Finding:
    kind = json_type_name(value)
    if claim == "sub" and isinstance(value, int | float) and not isinstance(value, bool):
        message = "sub is a number; send String(user.id)"
    elif value is None:
        message = f"{claim} is null; leave it out to keep the stored value, or send a string"
    else:
        message = f"{claim} is {_article(kind)}; send a string"
    return error("invalid_claim", claim, message)


# ---- times ---------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_times(payload: Mapping[str, Any], ctx: ValidationContext) -> list[Finding]:
    out: list[Finding] = []
    now = ctx.current_time()
    times: dict[str, float] = {}
    for claim in ("exp", "iat", "nbf"):
        if claim not in payload:
            continue
        value = payload[claim]
        if _is_number(value):
            times[claim] = float(value)
            continue
        hint = ""
        if isinstance(value, float):
            hint = " that is not finite"
        elif isinstance(value, str) and _looks_numeric(value):
            hint = f" (the string {_quote(value)}; send it without quotes)"
        out.append(
            error(
                "invalid_claim",
                claim,
                f"{claim} is {_article(json_type_name(value))}{hint}; send a number of seconds "
                "since 1970, e.g. Math.floor(Date.now() / 1000)",
            )
        )

    exp = times.get("exp")
    if "exp" not in payload:
        out.append(
            warning(
                "no_expiry",
                "exp",
                "no exp: the token never expires and can be replayed forever; "
                f"set exp to iat + {RECOMMENDED_LIFETIME}",
            )
        )
    elif exp is not None:
        if exp >= MILLISECONDS_THRESHOLD:
            out.append(
                warning(
                    "long_lifetime",
                    "exp",
                    f"exp looks like milliseconds ({_format_number(exp)}); divide by 1000. As "
                    "sent, the token stays valid for thousands of years",
                )
            )
        elif exp < now - ctx.leeway:
            out.append(
                error(
                    "token_expired",
                    "exp",
                    f"the token expired at {_format_time(exp)}, {_format_duration(now - exp)} ago "
                    f"(clock-skew leeway {_format_number(ctx.leeway)} s); sign a fresh token just "
                    "before redirecting",
                )
            )
        else:
            start = times.get("iat", now)
            lifetime = exp - start
            if lifetime > RECOMMENDED_LIFETIME:
                since = "iat" if "iat" in times else "now"
                out.append(
                    warning(
                        "long_lifetime",
                        "exp",
                        f"exp is {_format_duration(lifetime)} after {since}; keep it at "
                        f"{RECOMMENDED_LIFETIME} seconds so a leaked token is soon useless",
                    )
                )

    for claim in ("iat", "nbf"):
        value = times.get(claim)
        if value is None or value <= now + ctx.leeway:
            continue
        if value >= MILLISECONDS_THRESHOLD:
            message = (
                f"{claim} looks like milliseconds ({_format_number(value)}); send seconds: "
                "Math.floor(Date.now() / 1000)"
            )
        else:
            message = (
                f"{claim} is {_format_duration(value - now)} in the future "
                f"({_format_time(value)}); check the signing server's clock"
            )
        out.append(error("token_not_yet_valid", claim, message))
    return out


# ---- spaces --------------------------------------------------------------------------------


def _check_spaces(payload: Mapping[str, Any], ctx: ValidationContext) -> list[Finding]:
    out: list[Finding] = []
    referenced: list[tuple[str, str]] = []  # (field path, space id)

    if "spaceIds" in payload:
        space_ids = payload["spaceIds"]
        if not isinstance(space_ids, list):
            out.append(
                error(
                    "invalid_claim",
                    "spaceIds",
                    f"spaceIds is {_article(json_type_name(space_ids))}; send a list of space "
                    'IDs, e.g. ["sp_general"]',
                )
            )
        else:
            for index, space_id in enumerate(space_ids):
                path = f"spaceIds[{index}]"
                if isinstance(space_id, str) and space_id:
                    referenced.append((path, space_id))
                else:
                    out.append(
                        error(
                            "invalid_claim",
                            path,
                            f"{path} is {_describe(space_id)}; every space ID must be a "
                            "non-empty string",
                        )
                    )

    if "spaces" in payload:
        spaces = payload["spaces"]
        if not isinstance(spaces, list):
            out.append(
                error(
                    "invalid_claim",
                    "spaces",
                    f"spaces is {_article(json_type_name(spaces))}; send a list of "
                    '{"spaceId": ..., "action": "JOIN"} entries',
                )
            )
        else:
            for index, entry in enumerate(spaces):
                out += _check_space_entry(index, entry, referenced)

    if "spacesOperation" in payload:
        operation = payload["spacesOperation"]
        if operation not in SPACES_OPERATIONS:
            out.append(
                error(
                    "invalid_claim",
                    "spacesOperation",
                    f'spacesOperation is {_describe(operation)}; use "ADD" (join, keep the '
                    'other spaces) or "REPLACE" (leave every other space), in capitals',
                )
            )
        elif "spaceIds" not in payload and "spaces" not in payload:
            out.append(
                warning(
                    "operation_without_spaces",
                    "spacesOperation",
                    f"spacesOperation {operation} has no effect without spaceIds or spaces; "
                    "memberships stay as they are",
                )
            )

    if "spaceIds" in payload and "spaces" in payload:
        out.append(
            warning(
                "both_space_forms",
                "spaces",
                "both spaceIds and spaces are given; both are applied (spaceIds as JOINs first), "
                "which is easy to get wrong: use one form",
            )
        )

    if ctx.space_ids is not None:
        for path, space_id in referenced:
            if space_id not in ctx.space_ids:
                out.append(
                    warning(
                        "unknown_space",
                        path,
                        f"the community has no space {_quote(space_id)}; it will be skipped. "
                        "Check the ID under the space's settings",
                    )
                )
    return out


def _check_space_entry(index: int, entry: Any, referenced: list[tuple[str, str]]) -> list[Finding]:
    path = f"spaces[{index}]"
    if not isinstance(entry, dict):
        return [
            error(
                "invalid_claim",
                path,
                f"{path} is {_describe(entry)}; each entry must be an object like "
                '{"spaceId": "sp_general", "action": "JOIN"}',
            )
        ]
    out: list[Finding] = []
    space_id = entry.get("spaceId")
    if isinstance(space_id, str) and space_id:
        referenced.append((f"{path}.spaceId", space_id))
    else:
        state = "missing" if "spaceId" not in entry else _describe(space_id)
        out.append(
            error(
                "invalid_claim",
                f"{path}.spaceId",
                f"{path}.spaceId is {state}; give the space's ID as a string",
            )
        )
    if "role" in entry and entry["role"] not in SPACE_ROLES:
        out.append(
            error(
                "invalid_claim",
                f"{path}.role",
                f'{path}.role is {_describe(entry["role"])}; the only role is "MEMBER" '
                "(or leave role out)",
            )
        )
    action = entry.get("action")
    if action not in SPACE_ACTIONS:
        state = "missing" if "action" not in entry else _describe(action)
        out.append(
            error(
                "invalid_claim",
                f"{path}.action",
                f'{path}.action is {state}; it is required: "JOIN" or "LEAVE"',
            )
        )
    return out


# ---- custom fields -------------------------------------------------------------------------


def map_custom_fields(
    payload: Mapping[str, Any], profile_fields: Iterable[ProfileField]
) -> dict[str, tuple[str, Any]]:
    """For each profile field the payload fills: (the external key used, its value).

    The first external key with a present value wins; standard claims never count.
    """
    mapped: dict[str, tuple[str, Any]] = {}
    for field in profile_fields:
        for key in field.external_keys:
            if is_custom_key(key) and key in payload and is_present_value(payload[key]):
                mapped[field.key] = (key, payload[key])
                break
    return mapped


def _check_custom_fields(payload: Mapping[str, Any], ctx: ValidationContext) -> list[Finding]:
    if ctx.profile_fields is None:
        return []
    out: list[Finding] = []
    known = {key for field in ctx.profile_fields for key in field.external_keys}
    for key in payload:
        if is_custom_key(key) and key not in known:
            out.append(
                warning(
                    "unmapped_field",
                    key,
                    f"no profile field has {_quote(key)} among its external keys; the community "
                    "ignores it. Add it to a field's External Keys, or rename it",
                )
            )
    return out


# ---- wording helpers -----------------------------------------------------------------------


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else (kind if kind == "null" else f"a {kind}")


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return _quote(value) if value else "an empty string"
    return _article(json_type_name(value))


def _quote(text: str, limit: int = 60) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return '"' + shown.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _format_time(timestamp: float) -> str:
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"{_format_number(timestamp)} (out of range)"


def _format_duration(seconds: float) -> str:
    seconds = abs(seconds)
    for unit, size in (("year", 31_557_600), ("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            amount = int(seconds // size)
            return f"{amount} {unit}{'s' if amount != 1 else ''}"
    amount = int(seconds)
    return f"{amount} second{'s' if amount != 1 else ''}"
