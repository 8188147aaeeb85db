"""The virtual clock: the emulator and the validator run early or late, on purpose."""

from __future__ import annotations

import json
import time
from pathlib import Path

from starlette.testclient import TestClient

from tests.conftest import TEST_KEY, Cli, base_payload
from tests.emulator.conftest import Emulator
from workbench.emulator.app import create_app
from workbench.sso import sign


def expired_30s_ago() -> str:
    now = int(time.time())
    return sign(base_payload(iat=now - 90, exp=now - 30), TEST_KEY)


def test_a_slow_community_clock_accepts_a_token_that_just_expired(emu: Emulator) -> None:
    client = TestClient(
        create_app(emu.store, lambda: TEST_KEY, clock_offset=-60), follow_redirects=False
    )
    assert client.get("/api/auth/sso", params={"jwt": expired_30s_ago()}).status_code == 302
    assert emu.login(expired_30s_ago(), json=True).json()["error"]["code"] == "token_expired"


def test_the_clock_is_set_through_the_api(emu: Emulator) -> None:
    fresh = sign(base_payload(iat=int(time.time()), exp=int(time.time()) + 60), TEST_KEY)
    assert emu.client.get("/_workbench/api/clock").json()["offsetSeconds"] == 0
    assert emu.client.put("/_workbench/api/clock", json={"offsetSeconds": 600}).status_code == 200
    response = emu.login(fresh, json=True)
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_expired"
    skewed = emu.client.get("/_workbench/api/clock").json()
    assert skewed["offsetSeconds"] == 600 and skewed["now"] > time.time() + 590
    for bad in ({"offsetSeconds": "soon"}, {}, {"offsetSeconds": 1e12}):
        assert emu.client.put("/_workbench/api/clock", json=bad).status_code == 400
    evil = emu.client.put(
        "/_workbench/api/clock",
        json={"offsetSeconds": 0},
        headers={"origin": "https://evil.example"},
    )
    assert evil.status_code == 403
    assert emu.client.get("/_workbench/api/clock").json()["offsetSeconds"] == 600


def test_token_and_decode_take_a_clock_offset(cli: Cli, tmp_path: Path) -> None:
    signed = cli(
        "token", "--payload", "-", "--clock-offset", "-3600", stdin=json.dumps(base_payload())
    )
    assert signed.returncode == 0, signed.stderr
    token = signed.stdout.strip()
    now_view = cli("decode", token)
    assert now_view.returncode == 1
    assert json.loads(now_view.stdout)["findings"][0]["code"] == "token_expired"
    past_view = cli("decode", token, "--clock-offset", "-3600")
    assert past_view.returncode == 0, past_view.stdout
    assert cli("decode", token, "--clock-offset", "x").returncode == 2
