"""The community fixture (CONTRACT.md section 4): read, checked key by key, with defaults."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.paths import read_resource_text
from workbench.sso.payload import json_type_name
from workbench.sso.redirects import is_safe_redirect
from workbench.sso.rules import ProfileField
from workbench.textfiles import TextFileError, read_text_file

MAX_FIXTURE_BYTES = 64 * 1024 * 1024

SETTINGS_DEFAULTS: dict[str, Any] = {
    "loginButtonText": "Log in",
    "authorizationUrl": None,
    "signUpUrl": None,
    "logoutUrl": None,
    "accountSettingsUrl": None,
    "newUsersHomepage": None,
    "clockSkewSeconds": 10,
    # Not in the platform's settings page: whether JWT SSO is the only login method, in which
    # case the login button goes straight to the Authorization URL (as the platform does).
    "jwtSsoOnly": True,
}
URL_SETTINGS = (
    "authorizationUrl",
    "signUpUrl",
    "logoutUrl",
    "accountSettingsUrl",
    "newUsersHomepage",
)

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class FixtureError(ValueError):
    """A fixture that cannot be loaded; the message names the bad key."""


@dataclass(frozen=True, slots=True)
class Space:
    id: str
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class FixtureMember:
    email: str
    name: str
    external_id: str | None = None
    tagline: str | None = None
    picture: str | None = None
    space_ids: tuple[str, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Fixture:
    community_name: str
    spaces: tuple[Space, ...]
    profile_fields: tuple[ProfileField, ...]
    members: tuple[FixtureMember, ...]
    settings: dict[str, Any]
    raw: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(self.raw, indent=2, ensure_ascii=False)


def load_fixture_file(path: str | Path) -> Fixture:
    try:
        text = read_text_file(path, "fixture", MAX_FIXTURE_BYTES)
    except TextFileError as exc:
        raise FixtureError(str(exc)) from None
    return parse_fixture(text, source=str(path))


def sample_fixture() -> Fixture:
    return parse_fixture(read_resource_text("fixtures", "sample-community.json"), source="sample")


def parse_fixture(text: str, source: str = "fixture") -> Fixture:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixtureError(
            f"fixture {source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise FixtureError(f"fixture {source} is not valid JSON: {exc}") from None
    return fixture_from_data(data, source)


def fixture_from_data(data: Any, source: str = "fixture") -> Fixture:
    checker = _Checker(source)
    return checker.fixture(data)


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, problem: str) -> FixtureError:
        return FixtureError(f"fixture {self.source}: {path} {problem}")

    def obj(self, value: Any, path: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be an object, not {json_type_name(value)}")
        for key in value:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(
                    f"{path}.{key}" if path else key, f"is not a known key (known: {known})"
                )
        return value

    def text(self, value: Any, path: str, *, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or (not optional and not value.strip()):
            raise self.fail(path, f"must be a non-empty string, not {json_type_name(value)}")
        return value

    def fixture(self, data: Any) -> Fixture:
        top = self.obj(data, "", {"community", "spaces", "profileFields", "members", "settings"})
        community = self.obj(top.get("community", {}), "community", {"name"})
        name = self.text(community.get("name", "Community"), "community.name") or "Community"

        spaces = self.spaces(top.get("spaces", []))
        fields = self.profile_fields(top.get("profileFields", []))
        space_ids = {space.id for space in spaces}
        members = self.members(top.get("members", []), space_ids)
        settings = self.settings(top.get("settings", {}))
        raw = {
            "community": {"name": name},
            "spaces": [{"id": s.id, "name": s.name, "slug": s.slug} for s in spaces],
            "profileFields": [
                {"key": f.key, "name": f.name, "externalKeys": list(f.external_keys)}
                for f in fields
            ],
            "members": top.get("members", []),
            "settings": settings,
        }
        return Fixture(name, spaces, fields, members, settings, raw)

    def spaces(self, value: Any) -> tuple[Space, ...]:
        if not isinstance(value, list):
            raise self.fail("spaces", "must be a list")
        out: list[Space] = []
        ids: set[str] = set()
        slugs: set[str] = set()
        for index, item in enumerate(value):
            path = f"spaces[{index}]"
            entry = self.obj(item, path, {"id", "name", "slug"})
            space_id = self.text(entry.get("id"), f"{path}.id") or ""
            name = self.text(entry.get("name", space_id), f"{path}.name") or space_id
            slug = self.text(entry.get("slug", _slugify(name)), f"{path}.slug") or space_id
            if not _SLUG.match(slug):
                raise self.fail(f"{path}.slug", "may only hold letters, digits, - and _")
            if space_id in ids:
                raise self.fail(f"{path}.id", f"repeats the space id {space_id!r}")
            if slug in slugs:
                raise self.fail(f"{path}.slug", f"repeats the slug {slug!r}")
            ids.add(space_id)
            slugs.add(slug)
            out.append(Space(space_id, name, slug))
        return tuple(out)

    def profile_fields(self, value: Any) -> tuple[ProfileField, ...]:
        if not isinstance(value, list):
            raise self.fail("profileFields", "must be a list")
        out: list[ProfileField] = []
        keys: set[str] = set()
        for index, item in enumerate(value):
            path = f"profileFields[{index}]"
            entry = self.obj(item, path, {"key", "name", "externalKeys"})
            key = self.text(entry.get("key"), f"{path}.key") or ""
            name = self.text(entry.get("name", key), f"{path}.name") or key
            external = entry.get("externalKeys", [key])
            if not isinstance(external, list) or not all(
                isinstance(k, str) and k for k in external
            ):
                raise self.fail(f"{path}.externalKeys", "must be a list of non-empty strings")
            if key in keys:
                raise self.fail(f"{path}.key", f"repeats the field key {key!r}")
            keys.add(key)
            out.append(ProfileField(key, name, tuple(external)))
        return tuple(out)

    def members(self, value: Any, space_ids: set[str]) -> tuple[FixtureMember, ...]:
        if not isinstance(value, list):
            raise self.fail("members", "must be a list")
        out: list[FixtureMember] = []
        emails: set[str] = set()
        external_ids: set[str] = set()
        allowed = {"email", "name", "externalId", "tagline", "picture", "spaceIds", "fields"}
        for index, item in enumerate(value):
            path = f"members[{index}]"
            entry = self.obj(item, path, allowed)
            email = self.text(entry.get("email"), f"{path}.email") or ""
            name = self.text(entry.get("name"), f"{path}.name") or ""
            external_id = self.text(entry.get("externalId"), f"{path}.externalId", optional=True)
            tagline = self.text(entry.get("tagline"), f"{path}.tagline", optional=True)
            picture = self.text(entry.get("picture"), f"{path}.picture", optional=True)
            member_spaces = entry.get("spaceIds", [])
            if not isinstance(member_spaces, list) or not all(
                isinstance(s, str) for s in member_spaces
            ):
                raise self.fail(f"{path}.spaceIds", "must be a list of space ids")
            for position, space_id in enumerate(member_spaces):
                if space_id not in space_ids:
                    raise self.fail(f"{path}.spaceIds[{position}]", f"names no space: {space_id!r}")
            fields = entry.get("fields", {})
            if not isinstance(fields, dict):
                raise self.fail(f"{path}.fields", "must be an object of field key to value")
            if email.lower() in emails:
                raise self.fail(f"{path}.email", f"repeats the email {email!r}")
            if external_id is not None and external_id in external_ids:
                raise self.fail(f"{path}.externalId", f"repeats the externalId {external_id!r}")
            emails.add(email.lower())
            if external_id is not None:
                external_ids.add(external_id)
            out.append(
                FixtureMember(
                    email, name, external_id, tagline, picture, tuple(member_spaces), dict(fields)
                )
            )
        return tuple(out)

    def settings(self, value: Any) -> dict[str, Any]:
        entry = self.obj(value, "settings", set(SETTINGS_DEFAULTS))
        return check_settings({**SETTINGS_DEFAULTS, **entry}, self.fail)


def check_settings(settings: dict[str, Any], fail: Any = None) -> dict[str, Any]:
    """Settings with every value of the right type; raises FixtureError naming the bad one."""

    def default_fail(path: str, problem: str) -> FixtureError:
        return FixtureError(f"{path} {problem}")

    fail = fail or default_fail
    for key in settings:
        if key not in SETTINGS_DEFAULTS:
            raise fail(f"settings.{key}", "is not a known setting")
    text = settings.get("loginButtonText")
    if not isinstance(text, str) or not text.strip():
        raise fail("settings.loginButtonText", "must be a non-empty string")
    for key in URL_SETTINGS:
        url = settings.get(key)
        if url is None:
            continue
        if not isinstance(url, str):
            raise fail(f"settings.{key}", "must be a URL string or null")
        if url.startswith("/"):
            # a path on the emulator itself, such as its stand-in identity provider
            if not is_safe_redirect(url):
                raise fail(f"settings.{key}", f"is not a safe path on the community (got {url!r})")
        elif not url.startswith(("http://", "https://")):
            raise fail(f"settings.{key}", f"must start with http://, https:// or / (got {url!r})")
    if not isinstance(settings.get("jwtSsoOnly", True), bool):
        raise fail("settings.jwtSsoOnly", "must be true or false")
    skew = settings.get("clockSkewSeconds")
    if isinstance(skew, bool) or not isinstance(skew, int | float) or skew < 0 or skew > 86400:
        raise fail("settings.clockSkewSeconds", "must be a number of seconds from 0 to 86400")
    return dict(settings)


def _slugify(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return slug or "space"
