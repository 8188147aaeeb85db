"""The platform's SSO login: verify, resolve the member, upsert, spaces, fields, event.

One attempt is all-or-nothing: the member, memberships, custom fields and the event commit
together, or (for a rejection) only the event is written. `sso_login` gives an attempt a
transaction of its own; `sso_login_many` puts several in one, a savepoint each.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from workbench.emulator.store import MemberRow, Store, new_member_id, utc_now
from workbench.sso.findings import UNAUTHORIZED_CODES, Finding, error, first_error, sort_findings
from workbench.sso.redirects import is_safe_redirect
from workbench.sso.rules import ValidationContext, map_custom_fields
from workbench.sso.tokens import decode


@dataclass(slots=True)
class LoginResult:
    outcome: str  # "created", "updated" or "rejected"
    status: int  # 302 on success, 400 or 401 on rejection
    code: str | None = None
    message: str | None = None
    member_id: str | None = None
    redirect: str | None = None
    session_token: str | None = None
    findings: list[Finding] = field(default_factory=list)
    changes: dict[str, list[Any]] = field(default_factory=dict)
    event_id: int = 0

    @property
    def accepted(self) -> bool:
        return self.outcome != "rejected"


_COLUMN = {
    "externalId": "external_id",
    "email": "email",
    "name": "name",
    "tagline": "tagline",
    "picture": "picture",
}


class _Conflict(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def validation_context(store: Store, now: float | None = None) -> ValidationContext:
    return ValidationContext(
        now=time.time() if now is None else now,
        leeway=float(store.setting("clockSkewSeconds", 10)),
        space_ids=store.space_ids(),
        profile_fields=store.profile_fields(),
    )


@dataclass(slots=True)
class LoginAttempt:
    """One `/api/auth/sso` request: its token, the key to verify it with, its redirect_uri."""

    token: str | None
    key: str | None
    redirect_uri: str | None = None
    now: float | None = None


def sso_login(
    store: Store,
    token: str | None,
    key: str | None,
    redirect_uri: str | None = None,
    *,
    now: float | None = None,
) -> LoginResult:
    """Apply one `/api/auth/sso` request to the community, in a transaction of its own."""
    with store.transaction():
        return _login(store, LoginAttempt(token, key, redirect_uri, now))


def sso_login_many(store: Store, attempts: list[LoginAttempt]) -> list[LoginResult | Exception]:
    """Apply several requests in one transaction, so they reach the disk in one commit (most of
    a login's cost is its commit); each is still all-or-nothing on its own, in a savepoint. A
    request that fails gets its exception in its place, and the others are unaffected."""
    outcomes: list[LoginResult | Exception] = []
    with store.transaction():
        for attempt in attempts:
            try:
                with store.savepoint():
                    outcomes.append(_login(store, attempt))
            except Exception as exc:
                outcomes.append(exc)
    return outcomes


def _login(store: Store, attempt: LoginAttempt) -> LoginResult:
    """One attempt, inside the caller's write transaction. The transaction began IMMEDIATE, so
    no other connection can add a member between the lookup below and the insert."""
    decoded = decode(attempt.token, attempt.key, validation_context(store, attempt.now))
    redirect_uri = attempt.redirect_uri
    extra: dict[str, Any] = {}
    if redirect_uri is not None:
        extra["requestedRedirect"] = redirect_uri[:2000]
    if attempt.key is None:
        decoded.findings.insert(
            0,
            error(
                "invalid_signature",
                None,
                "the emulator has no SSO key to verify with; set one with `workbench key "
                "generate` or in the workbench",
            ),
        )
    blocking = first_error(decoded.findings)
    if blocking is not None:
        return _reject(store, blocking, decoded.findings, extra)
    try:
        return _upsert(store, decoded.payload, decoded.findings, redirect_uri, extra)
    except _Conflict as conflict:  # raised before anything is written
        findings = sort_findings([conflict.finding, *decoded.findings])
        return _reject(store, conflict.finding, findings, extra)


def _reject(
    store: Store, blocking: Finding, findings: list[Finding], extra: dict[str, Any]
) -> LoginResult:
    status = 401 if blocking.code in UNAUTHORIZED_CODES else 400
    event_id = store.add_event(
        outcome="rejected",
        code=blocking.code,
        user_id=None,
        redirect=None,
        findings=[f.to_dict() for f in findings],
        changes={},
        extra=extra,
    )
    return LoginResult(
        "rejected", status, blocking.code, blocking.message, findings=findings, event_id=event_id
    )


def _upsert(
    store: Store,
    payload: dict[str, Any],
    findings: list[Finding],
    redirect_uri: str | None,
    extra: dict[str, Any],
) -> LoginResult:
    sub: str = payload["sub"]
    email: str = payload["email"]
    now = utc_now()
    changes: dict[str, list[Any]] = {}

    # One indexed lookup finds both the member with this sub and the one with this email.
    by_sub, by_email = store.members_by_sub_or_email(sub, email)
    member = by_sub
    created = False
    if member is not None:
        holder = by_email
        if holder is not None and holder.id != member.id:
            raise _Conflict(_conflict(email, "another member", holder))
    else:
        member = by_email
        if member is not None:
            if member.external_id is not None:
                raise _Conflict(
                    _conflict(email, f'the member linked to sub "{member.external_id}"', member)
                )
            changes["externalId"] = [None, sub]
            member.external_id = sub
        else:
            created = True
            member = MemberRow(new_member_id(), sub, email, payload["name"], None, None, now, now)

    before = {
        "email": member.email,
        "name": member.name,
        "tagline": member.tagline,
        "picture": member.picture,
    }
    if created:
        before = {"email": None, "name": None, "tagline": None, "picture": None}
        changes["externalId"] = [None, sub]
    member.email = email
    member.name = payload["name"]
    if "tagline" in payload:
        member.tagline = payload["tagline"]
    if "picture" in payload:
        member.picture = payload["picture"]
    after = {
        "email": member.email,
        "name": member.name,
        "tagline": member.tagline,
        "picture": member.picture,
    }
    for name, old in before.items():
        if old != after[name]:
            changes[name] = [old, after[name]]
    member.updated_at = now
    if created:
        store.insert_member(member)
    else:
        store.update_member(member, {_COLUMN[name] for name in changes if name in _COLUMN})

    _apply_spaces(store, member, payload, created, now, changes)
    _apply_fields(store, member, payload, changes)

    homepage = store.setting("newUsersHomepage")
    if created and homepage:
        redirect = str(homepage)
    elif redirect_uri is not None and is_safe_redirect(redirect_uri):
        redirect = redirect_uri
    else:
        redirect = "/"
    if redirect_uri is not None and not is_safe_redirect(redirect_uri):
        extra["redirectRefused"] = "redirect_uri is not a relative path on the community"

    session = store.create_session(member.id, now)
    outcome = "created" if created else "updated"
    event_id = store.add_event(
        at=now,
        outcome=outcome,
        code=None,
        user_id=member.id,
        redirect=redirect,
        findings=[f.to_dict() for f in findings],
        changes=changes,
        extra=extra,
    )
    return LoginResult(
        outcome,
        302,
        member_id=member.id,
        redirect=redirect,
        session_token=session,
        findings=findings,
        changes=changes,
        event_id=event_id,
    )


def _conflict(email: str, whom: str, holder: MemberRow) -> Finding:
    return error(
        "email_conflict",
        "email",
        f"{email} already belongs to {whom} ({holder.name}); one email can be linked to one sub. "
        "Send that member's sub, or change the email",
    )


def _apply_spaces(
    store: Store,
    member: MemberRow,
    payload: dict[str, Any],
    created: bool,
    now: str,
    changes: dict[str, list[Any]],
) -> None:
    if "spaceIds" not in payload and "spaces" not in payload:
        return  # memberships stay as they are, whatever spacesOperation says
    known = store.space_ids()
    member_id = member.id
    if created:
        old: list[str] = []
    elif member.space_ids is not None:
        old = member.space_ids
    else:
        old = store.member_space_ids(member_id)
    # Work out the final set first, then write only the difference.
    final = set() if payload.get("spacesOperation") == "REPLACE" else set(old)
    for space_id in payload.get("spaceIds", []):
        if space_id in known:
            final.add(space_id)
    for entry in payload.get("spaces", []):
        space_id = entry["spaceId"]
        if space_id in known:
            if entry["action"] == "JOIN":
                final.add(space_id)
            else:
                final.discard(space_id)
    previous = set(old)
    for space_id in previous - final:
        store.leave_space(member_id, space_id)
    for space_id in final - previous:
        store.join_space(member_id, space_id, now)
    if final != previous:
        changes["spaceIds"] = [old, store.in_space_order(final)]


def _apply_fields(
    store: Store, member: MemberRow, payload: dict[str, Any], changes: dict[str, list[Any]]
) -> None:
    mapped = map_custom_fields(payload, store.profile_fields())
    if not mapped:
        return
    member_id = member.id
    stored = member.fields if member.fields is not None else store.member_fields(member_id)
    for field_key, (_source, value) in mapped.items():
        old = stored.get(field_key)
        if field_key not in stored or old != value or type(old) is not type(value):
            store.set_field(member_id, field_key, value)
            changes[f"fields.{field_key}"] = [old, value]
