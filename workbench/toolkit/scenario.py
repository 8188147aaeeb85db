"""Scenarios: a file of SSO steps with the outcome and member state each must produce.

    {"name": "...", "steps": [{"name": "...", "payload": {...} | "persona": "Dana",
      "redirectUri": "/spaces/x", "clockOffset": 0,
      "expect": {"outcome": "created" | "updated" | "rejected", "code": "...",
                 "redirect": "/spaces/x",
                 "member": {"name": ..., "email": ..., "spaceIds": [...], "fields": {...}}}}]}

Teams run them in CI against `workbench serve` (`workbench scenario FILE --target URL`); the
expectations on events and members need the emulator's inspection API.
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.sso.payload import json_type_name
from workbench.sso.redirects import community_base_url
from workbench.sso.tokens import prepare_claims, sign
from workbench.textfiles import TextFileError, read_text_file
from workbench.toolkit.attack import Case, send

OUTCOMES = ("created", "updated", "rejected")
MEMBER_KEYS = ("name", "email", "tagline", "picture", "externalId", "spaceIds", "fields")


class ScenarioError(ValueError):
    """A scenario file that cannot be run; the message names the bad key."""


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    payload: dict[str, Any]
    redirect_uri: str | None
    clock_offset: float
    expect: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    steps: tuple[Step, ...]


@dataclass(slots=True)
class StepResult:
    step: str
    passed: bool
    problems: list[str] = field(default_factory=list)
    event: dict[str, Any] | None = None


def load(path: str | Path, personas: Mapping[str, Mapping[str, Any]] | None = None) -> Scenario:
    try:
        text = read_text_file(path, "scenario", 4 * 1024 * 1024)
    except TextFileError as exc:
        raise ScenarioError(str(exc)) from None
    try:
        if str(path).endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as exc:  # JSON and YAML raise their own kinds
        raise ScenarioError(f"scenario {path} cannot be read: {exc}") from None
    return parse(data, personas or {}, str(path))


def parse(
    data: Any, personas: Mapping[str, Mapping[str, Any]], source: str = "scenario"
) -> Scenario:
    def fail(where: str, problem: str) -> ScenarioError:
        return ScenarioError(f"{source}: {where} {problem}")

    if not isinstance(data, dict):
        raise fail("the file", f"must be an object, not {json_type_name(data)}")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise fail("steps", "must be a non-empty list")
    parsed = []
    for index, raw in enumerate(steps):
        where = f"steps[{index}]"
        if not isinstance(raw, dict):
            raise fail(where, "must be an object")
        unknown = set(raw) - {"name", "payload", "persona", "redirectUri", "clockOffset", "expect"}
        if unknown:
            raise fail(f"{where}.{sorted(unknown)[0]}", "is not a known key")
        if "persona" in raw:
            if raw["persona"] not in personas:
                raise fail(f"{where}.persona", f"names no saved persona: {raw['persona']!r}")
            payload = dict(personas[raw["persona"]])
        elif isinstance(raw.get("payload"), dict):
            payload = dict(raw["payload"])
        else:
            raise fail(where, "needs a payload object or a persona name")
        offset = raw.get("clockOffset", 0)
        if isinstance(offset, bool) or not isinstance(offset, int | float):
            raise fail(f"{where}.clockOffset", "must be a number of seconds")
        redirect = raw.get("redirectUri")
        if redirect is not None and not isinstance(redirect, str):
            raise fail(f"{where}.redirectUri", "must be a string")
        expect = raw.get("expect", {})
        if not isinstance(expect, dict):
            raise fail(f"{where}.expect", "must be an object")
        if "outcome" in expect and expect["outcome"] not in OUTCOMES:
            raise fail(f"{where}.expect.outcome", f"must be one of {', '.join(OUTCOMES)}")
        member = expect.get("member", {})
        if not isinstance(member, dict) or set(member) - set(MEMBER_KEYS):
            raise fail(f"{where}.expect.member", f"may only hold {', '.join(MEMBER_KEYS)}")
        parsed.append(
            Step(
                str(raw.get("name", f"step {index + 1}")), payload, redirect, float(offset), expect
            )
        )
    return Scenario(str(data.get("name", source)), tuple(parsed))


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 (http or https)
        return json.loads(response.read())


def _put_clock(base: str, offset: float) -> None:
    request = urllib.request.Request(  # noqa: S310 (http or https)
        f"{base}/_workbench/api/clock",
        method="PUT",
        data=json.dumps({"offsetSeconds": offset}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=15):  # noqa: S310 (http or https)
        pass


def run(
    scenario: Scenario, target: str, key: str, progress: Callable[[StepResult], None] | None = None
) -> list[StepResult]:
    base = community_base_url(target)
    results: list[StepResult] = []
    try:
        events = _get_json(f"{base}/_workbench/api/events")
        last_event = events[-1]["id"] if events else 0
        inspectable = True
    except (OSError, ValueError):
        last_event, inspectable = 0, False
    for step in scenario.steps:
        result = StepResult(step.name, True)
        try:
            if inspectable:
                _put_clock(base, step.clock_offset)
            token = sign(prepare_claims(step.payload, now=time.time()), key)
            status, code, location = send(
                target, Case(step.name, token, 0, redirect_uri=step.redirect_uri)
            )
            result.problems += _check_answer(step.expect, status, code, location)
            if inspectable:
                new = _get_json(f"{base}/_workbench/api/events?since={last_event}")
                if new:
                    last_event = new[-1]["id"]
                    result.event = new[-1]
                result.problems += _check_member(base, step)
            elif step.expect.get("member"):
                result.problems.append("the target has no inspection API: member not checked")
        except (OSError, ValueError) as exc:
            result.problems.append(f"no answer from {target}: {exc}")
        result.passed = not result.problems
        results.append(result)
        if progress is not None:
            progress(result)
    if inspectable:
        with contextlib.suppress(OSError):
            _put_clock(base, 0)
    return results


def _check_answer(
    expect: Mapping[str, Any], status: int, code: str | None, location: str | None
) -> list[str]:
    problems = []
    outcome = expect.get("outcome")
    if outcome in ("created", "updated") and status != 302:
        problems.append(f"expected the login to be accepted, got {status} {code or ''}".strip())
    if outcome == "rejected" and status == 302:
        problems.append("expected a rejection, the login was accepted")
    if "code" in expect and code != expect["code"]:
        problems.append(f"expected code {expect['code']}, got {code}")
    if "redirect" in expect and location != expect["redirect"]:
        problems.append(f"expected a redirect to {expect['redirect']}, got {location}")
    return problems


def _check_member(base: str, step: Step) -> list[str]:
    problems: list[str] = []
    expect = step.expect
    sub = step.payload.get("sub")
    users = _get_json(f"{base}/_workbench/api/users")
    member = next((u for u in users if u.get("externalId") == sub), None)
    outcome = expect.get("outcome")
    if outcome in ("created", "updated") and member is None:
        problems.append(f"no member with sub {sub!r} after the step")
    wanted = expect.get("member", {})
    if wanted and member is None:
        return problems or [f"no member with sub {sub!r} to check"]
    for key, value in wanted.items():
        actual = member.get(key) if member else None
        if key == "spaceIds":
            if sorted(actual or []) != sorted(value):
                problems.append(f"spaceIds: expected {sorted(value)}, got {sorted(actual or [])}")
        elif key == "fields":
            for field_key, field_value in value.items():
                got = (actual or {}).get(field_key)
                if got != field_value:
                    problems.append(f"fields.{field_key}: expected {field_value!r}, got {got!r}")
        elif actual != value:
            problems.append(f"{key}: expected {value!r}, got {actual!r}")
    return problems
