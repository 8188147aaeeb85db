"""The bad-token run: deliberately wrong tokens made from a payload, each with its expected
verdict, sent to a community's SSO endpoint and checked.

Valid cases log the member in for real (that is what they test): run it against the emulator,
or against a real community on purpose.
"""

from __future__ import annotations

import html
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote

from workbench.sso.payload import REQUIRED_CLAIMS
from workbench.sso.redirects import SSO_PATH, community_base_url
from workbench.sso.tokens import prepare_claims, sign, sign_raw

_WRONG_KEY = "not-the-community-key-0123456789abcdef"


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    token: str
    expect_status: int  # 302 accepted, or the rejection's status
    expect_code: str | None = None  # for a rejection
    expect_location: str | None = None  # for an accepted login whose redirect matters
    redirect_uri: str | None = None
    why: str = ""


@dataclass(slots=True)
class Outcome:
    case: str
    expected: str
    actual: str
    passed: bool
    why: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def battery(
    payload: Mapping[str, Any],
    key: str,
    *,
    other_email: str | None = None,
    now: float | None = None,
) -> list[Case]:
    """Every case, made from `payload` (its time claims are replaced)."""
    base = {k: v for k, v in payload.items() if k not in ("iat", "exp", "nbf")}
    moment = int(time.time() if now is None else now)

    def signed(claims: Mapping[str, Any], with_key: str = key) -> str:
        return sign(dict(claims), with_key)

    fresh = prepare_claims(base, now=moment)
    cases = [
        Case("valid token", signed(fresh), 302, why="the payload as it is, signed correctly"),
        Case(
            "expired an hour ago",
            signed({**base, "iat": moment - 3660, "exp": moment - 3600}),
            401,
            "token_expired",
        ),
        Case(
            "issued an hour ahead",
            signed({**base, "iat": moment + 3600, "exp": moment + 3660}),
            401,
            "token_not_yet_valid",
            why="a signing server whose clock is fast",
        ),
        Case(
            "no expiry",
            signed({**base, "iat": moment}),
            302,
            why="accepted, with the no_expiry warning: valid forever if it leaks",
        ),
        Case("wrong key", signed(fresh, _WRONG_KEY), 401, "invalid_signature"),
        Case(
            "alg none",
            sign_raw({"alg": "none", "typ": "JWT"}, fresh, None),
            400,
            "unsupported_algorithm",
        ),
        Case("alg HS512", _hs512(fresh, key), 400, "unsupported_algorithm"),
        Case("stripped signature", signed(fresh).rsplit(".", 1)[0] + ".", 401, "invalid_signature"),
        Case(
            "tampered payload",
            _tampered(signed(fresh), {**fresh, "sub": "admin"}),
            401,
            "invalid_signature",
        ),
    ]
    for claim in REQUIRED_CLAIMS:
        cases.append(
            Case(
                f"{claim} missing",
                signed({k: v for k, v in fresh.items() if k != claim}),
                400,
                "missing_claim",
            )
        )
    cases += [
        Case("sub of 51 characters", signed({**fresh, "sub": "s" * 51}), 400, "claim_too_long"),
        Case(
            "email of 201 characters",
            signed({**fresh, "email": "e" * 189 + "@example.com"}),
            400,
            "claim_too_long",
        ),
        Case("sub as a number", signed({**fresh, "sub": 1001}), 400, "invalid_claim"),
        Case(
            "spaces entry without action",
            signed({**fresh, "spaces": [{"spaceId": "sp_general"}]}),
            400,
            "invalid_claim",
        ),
        Case(
            "spacesOperation in lower case",
            signed({**fresh, "spaceIds": [], "spacesOperation": "replace"}),
            400,
            "invalid_claim",
        ),
    ]
    for value in (
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/%2F%2Fevil.example",
    ):
        cases.append(
            Case(
                f"redirect_uri {value}",
                signed(fresh),
                302,
                expect_location="/",
                redirect_uri=value,
                why="an open redirect must land on /",
            )
        )
    if other_email:
        cases.append(
            Case(
                "email of another member",
                signed({**fresh, "sub": f"{base.get('sub', 'x')}-other", "email": other_email}),
                400,
                "email_conflict",
            )
        )
    return cases


def _hs512(claims: Mapping[str, Any], key: str) -> str:
    import base64
    import hashlib
    import hmac

    head = base64.urlsafe_b64encode(b'{"alg":"HS512","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(dict(claims)).encode()).rstrip(b"=").decode()
    sig = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha512).digest()
    return f"{head}.{body}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"


def _tampered(token: str, claims: Mapping[str, Any]) -> str:
    import base64

    head, _body, sig = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(dict(claims)).encode()).rstrip(b"=").decode()
    return f"{head}.{body}.{sig}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def send(target: str, case: Case, timeout: float = 15) -> tuple[int, str | None, str | None]:
    """(status, error code, Location) of one case against `target`'s SSO endpoint."""
    url = f"{community_base_url(target)}{SSO_PATH}?jwt={quote(case.token, safe='')}"
    if case.redirect_uri is not None:
        url += f"&redirect_uri={quote(case.redirect_uri, safe='')}"
    # community_base_url allows only http and https
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return int(response.status), None, response.headers.get("Location")
    except urllib.error.HTTPError as exc:
        code = None
        if 300 <= exc.code < 400:
            return exc.code, None, exc.headers.get("Location")
        try:
            code = json.loads(exc.read())["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = None
        return exc.code, code, None


def other_member_email(target: str, sub: Any) -> str | None:
    """An email held by a member linked to another sub, from an emulator's inspection API."""
    url = f"{community_base_url(target)}/_workbench/api/users?limit=50"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http or https)
            users = json.loads(response.read())
    except (OSError, ValueError):
        return None  # a real community has no inspection API
    for user in users if isinstance(users, list) else []:
        if user.get("externalId") and user.get("externalId") != sub:
            return str(user["email"])
    return None


def judge(case: Case, status: int, code: str | None, location: str | None) -> Outcome:
    expected = (
        f"{case.expect_status}"
        + (f" {case.expect_code}" if case.expect_code else "")
        + (f" → {case.expect_location}" if case.expect_location else "")
    )
    actual = f"{status}" + (f" {code}" if code else "") + (f" → {location}" if location else "")
    passed = status == case.expect_status and (case.expect_code is None or code == case.expect_code)
    if case.expect_location is not None:
        passed = passed and location == case.expect_location
    return Outcome(case.name, expected, actual, passed, case.why)


def run(
    target: str, cases: list[Case], progress: Callable[[Outcome], None] | None = None
) -> list[Outcome]:
    outcomes = []
    for case in cases:
        try:
            outcome = judge(case, *send(target, case))
        except OSError as exc:
            outcome = Outcome(case.name, "an answer", f"no answer: {exc}", False, case.why)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes


def to_json(outcomes: list[Outcome], target: str) -> str:
    return json.dumps(
        {
            "target": target,
            "passed": sum(o.passed for o in outcomes),
            "failed": sum(not o.passed for o in outcomes),
            "results": [asdict(o) for o in outcomes],
        },
        indent=2,
    )


def to_html(outcomes: list[Outcome], target: str) -> str:
    rows = "".join(
        f"<tr class='{'pass' if o.passed else 'fail'}'><td>{html.escape(o.case)}</td>"
        f"<td>{html.escape(o.expected)}</td><td>{html.escape(o.actual)}</td>"
        f"<td>{'pass' if o.passed else 'FAIL'}</td><td>{html.escape(o.why)}</td></tr>"
        for o in outcomes
    )
    passed = sum(o.passed for o in outcomes)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Bad-token run</title>
<style>body{{font:14px system-ui,sans-serif;margin:24px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ddd;padding:6px 10px;text-align:left}}.pass td:nth-child(4){{color:#2b8a3e}}
.fail td{{background:#fff0f0}}.fail td:nth-child(4){{color:#c92a2a;font-weight:600}}</style></head>
<body><h1>Bad-token run</h1><p>{html.escape(target)}: {passed} of {len(outcomes)} as expected</p>
<table><tr><th>case</th><th>expected</th><th>actual</th><th>result</th><th>why</th></tr>
{rows}</table></body></html>
"""
