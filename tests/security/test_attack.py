"""The bad-token run: every case gets its expected verdict from the emulator, and a community
that answers wrongly is caught."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, Cli, write_json
from workbench.emulator.fixture import sample_fixture
from workbench.emulator.server import ServerThread
from workbench.toolkit import attack

PAYLOAD = {"sub": "qa-1", "name": "QA", "email": "qa@example.com", "spaceIds": ["sp_general"]}


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[ServerThread]:
    server = ServerThread.for_data_dir(tmp_path, sample_fixture(), lambda: TEST_KEY).start()
    server.wait_ready()
    yield server
    server.stop()


def test_every_case_is_as_expected_against_the_emulator(emulator: ServerThread) -> None:
    other = attack.other_member_email(emulator.url, PAYLOAD["sub"])
    assert other == "fox@example.com"
    cases = attack.battery(PAYLOAD, TEST_KEY, other_email=other)
    names = {case.name for case in cases}
    assert {
        "expired an hour ago",
        "alg none",
        "wrong key",
        "sub missing",
        "email of another member",
        "redirect_uri //evil.example/",
    } <= names
    outcomes = attack.run(emulator.url, cases)
    assert [o.case for o in outcomes if not o.passed] == []
    report = json.loads(attack.to_json(outcomes, emulator.url))
    assert report["failed"] == 0 and report["passed"] == len(cases)


def test_a_community_that_answers_wrongly_is_caught(emulator: ServerThread) -> None:
    # Signed with a key the community does not have: the "valid" cases must now fail.
    outcomes = attack.run(emulator.url, attack.battery(PAYLOAD, "some-other-key-0123456789abcd"))
    failed = {o.case for o in outcomes if not o.passed}
    assert "valid token" in failed and "no expiry" in failed
    assert "wrong key" not in failed  # still rejected for its signature, as expected
    html = attack.to_html(outcomes, emulator.url)
    assert html.count("FAIL") >= 2 and "<table>" in html


def test_nothing_answers(tmp_path: Path) -> None:
    outcomes = attack.run("http://127.0.0.1:9", attack.battery(PAYLOAD, TEST_KEY)[:1])
    assert not outcomes[0].passed and outcomes[0].actual.startswith("no answer")


@pytest.mark.slow
def test_attack_command_with_a_throwaway_emulator(cli: Cli, tmp_path: Path) -> None:
    payload = write_json(tmp_path / "p.json", PAYLOAD)
    report = tmp_path / "report.json"
    result = cli(
        "attack",
        "--payload",
        str(payload),
        "--json",
        str(report),
        "--html",
        str(tmp_path / "r.html"),
        key=None,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "22 of 22 as expected" in result.stdout
    assert json.loads(report.read_text())["failed"] == 0
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")
