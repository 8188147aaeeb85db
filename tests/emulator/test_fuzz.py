"""Generated tokens and requests: never a 5xx, and a rejection never changes the community."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TEST_KEY
from tests.emulator.conftest import Emulator
from workbench.sso.tokens import sign_raw

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
claim_names = st.sampled_from(
    [
        "sub",
        "name",
        "email",
        "tagline",
        "picture",
        "iat",
        "exp",
        "nbf",
        "spaceIds",
        "spaces",
        "spacesOperation",
        "company",
        "org",
        "jobTitle",
        "iss",
    ]
)
payloads = st.dictionaries(claim_names | st.text(max_size=10), values, max_size=8)
headers = st.fixed_dictionaries(
    {"alg": st.sampled_from(["HS256", "none", "HS512", "RS256"])},
    optional={"typ": st.just("JWT"), "kid": st.text(max_size=20)},
)


def snapshot(emu: Emulator) -> Any:
    return emu.users(), emu.client.get("/_workbench/api/spaces").json()


SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings(
    max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=headers,
    payload=payloads | st.builds(lambda v: v, values),
    key=st.sampled_from([TEST_KEY, "other", ""]),
    redirect=st.none() | st.text(max_size=40),
)
def test_generated_tokens(
    emu: Emulator, header: dict[str, Any], payload: Any, key: str, redirect: str | None
) -> None:
    before = snapshot(emu)
    token = sign_raw(header, payload, key if header["alg"] != "none" else None)
    response = emu.login(token, redirect, json=True)
    assert response.status_code in (302, 400, 401), response.text
    if response.status_code == 302:
        location = response.headers["location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\"))
    else:
        body = response.json()
        assert set(body["error"]) == {"code", "message"}
        assert snapshot(emu) == before


@settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.text(max_size=300))
def test_generated_query_strings(emu: Emulator, raw: str) -> None:
    before = snapshot(emu)
    response = emu.client.get(
        "/api/auth/sso?" + quote(raw, safe="=&%"), headers={"accept": "application/json"}
    )
    assert response.status_code in (302, 400, 401, 414)
    if response.status_code != 302:
        assert snapshot(emu) == before


@SETTINGS
@given(path=st.text(max_size=60))
def test_pages_never_5xx(emu: Emulator, path: str) -> None:
    response = emu.client.get("/" + quote(path, safe="/?=&"))
    assert response.status_code < 500


def test_duplicated_keys_take_the_last_value(emu: Emulator) -> None:
    import base64
    import hashlib
    import hmac
    import time

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    head = b64(b'{"alg":"HS256","typ":"JWT"}')
    exp = int(time.time() + 30)
    body_json = f'{{"sub":"first","sub":"dup-1","name":"D","email":"dup@example.com","exp":{exp}}}'
    body = b64(body_json.encode())
    sig = b64(hmac.new(TEST_KEY.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest())
    assert emu.login(f"{head}.{body}.{sig}").status_code == 302
    assert emu.user("dup-1")["email"] == "dup@example.com"
    assert json.loads(body_json)["sub"] == "dup-1"
