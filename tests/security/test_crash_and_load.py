"""SIGKILL in the middle of logins, concurrency storms, slow clients, a large events table."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.emulator.conftest import token
from tests.emulator.test_serve import Served, start, wait_ready

pytestmark = pytest.mark.slow


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def hit(url: str) -> int:
    try:
        with OPENER.open(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return -1  # the server is gone (killed): not an answer


def serve(data: Path) -> Served:
    proc = start("--port", "0", "--data-dir", str(data))
    return Served(proc, wait_ready(proc))


def stop(served: Served) -> None:
    if served.proc.poll() is None:
        served.proc.send_signal(signal.SIGTERM)
    served.proc.communicate(timeout=20)


def crash_payload(k: int) -> dict[str, Any]:
    return {
        "sub": f"crash-{k}",
        "name": f"Crash {k}",
        "email": f"crash{k}@example.com",
        "spaceIds": ["sp_general", "sp_beta"],
        "company": f"C-{k}",
    }


def check_invariants(data: Path) -> dict[str, int]:
    conn = sqlite3.connect(data / "community.sqlite3")
    try:
        members = conn.execute("SELECT id, external_id, email_lower FROM members").fetchall()
        ids = [m[1] for m in members if m[1] is not None]
        emails = [m[2] for m in members]
        assert len(ids) == len(set(ids)), "one member per externalId"
        assert len(emails) == len(set(emails)), "one member per lower-cased email"
        created = Counter(
            row[0] for row in conn.execute("SELECT user_id FROM events WHERE outcome = 'created'")
        )
        crash_members = [m for m in members if (m[1] or "").startswith("crash-")]
        for member_id, external_id, _email in crash_members:
            assert created[member_id] == 1, f"{external_id}: one created event"
            spaces = {
                r[0]
                for r in conn.execute(
                    "SELECT space_id FROM memberships WHERE member_id = ?", (member_id,)
                )
            }
            assert spaces == {"sp_general", "sp_beta"}, f"{external_id}: half-applied spaces"
            field = conn.execute(
                "SELECT value FROM member_fields WHERE member_id = ? AND key = 'company'",
                (member_id,),
            ).fetchone()
            assert field is not None and json.loads(field[0]) == f"C-{external_id[6:]}"
        known = {m[0] for m in members}
        assert all(member_id in known for member_id in created), "events of vanished members"
        return {"members": len(crash_members), "created_events": sum(created.values())}
    finally:
        conn.close()


def test_sigkill_during_logins_loses_at_most_the_attempts_in_flight(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rounds, sent_total = 4, 0
    for round_number in range(rounds):
        served = serve(data)
        stop_flag = threading.Event()
        statuses: list[int] = []

        def worker(
            offset: int,
            served: Served = served,
            stop_flag: threading.Event = stop_flag,
            statuses: list[int] = statuses,
        ) -> None:
            k = offset
            while not stop_flag.is_set():
                status = hit(f"{served.url}/api/auth/sso?jwt={token(crash_payload(k % 300))}")
                statuses.append(status)
                if status == -1:
                    return
                k += 8

        threads = [
            threading.Thread(target=worker, args=(i + round_number * 1000,)) for i in range(8)
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.6 + 0.2 * round_number)
        served.proc.send_signal(signal.SIGKILL)
        served.proc.communicate(timeout=20)
        stop_flag.set()
        for thread in threads:
            thread.join(15)
        answered = [s for s in statuses if s != -1]
        assert answered and all(s == 302 for s in answered), Counter(statuses)
        sent_total += len(answered)
        check_invariants(data)
    served = serve(data)  # and it starts again on what was left
    try:
        users = served.get("/_workbench/api/users")[1]
        spaces = {s["id"]: s["memberCount"] for s in served.get("/_workbench/api/spaces")[1]}
        for space_id, count in spaces.items():
            assert count == sum(1 for u in users if space_id in u["spaceIds"])
    finally:
        stop(served)
    result = check_invariants(data)
    assert result["members"] > 0 and sent_total > 50


@pytest.fixture
def served(tmp_path: Path) -> Any:
    instance = serve(tmp_path / "data")
    yield instance
    stop(instance)


def test_one_email_under_many_subs_makes_one_member(served: Served) -> None:
    urls = [
        f"{served.url}/api/auth/sso?jwt="
        + token({"sub": f"twin-{i}", "name": "Twin", "email": "Twin@Example.com"})
        for i in range(30)
    ]
    with ThreadPoolExecutor(15) as pool:
        statuses = Counter(pool.map(hit, urls))
    assert statuses == Counter({302: 1, 400: 29})
    users = served.get("/_workbench/api/users")[1]
    assert len([u for u in users if u["email"].lower() == "twin@example.com"]) == 1
    events = served.get("/_workbench/api/events")[1]
    assert Counter(e["code"] for e in events if e["outcome"] == "rejected") == {
        "email_conflict": 29
    }


def test_replace_and_add_storms_leave_a_consistent_member(served: Served) -> None:
    served.get("/api/auth/sso?jwt=" + token({"sub": "storm", "email": "storm@example.com"}))
    forms = [
        {"spaceIds": ["sp_general"], "spacesOperation": "REPLACE"},
        {"spaceIds": ["sp_product"], "spacesOperation": "ADD"},
        {"spaces": [{"spaceId": "sp_product", "action": "LEAVE"}]},
        {"spaceIds": ["sp_beta", "sp_customers"], "spacesOperation": "REPLACE"},
    ]
    urls = [
        f"{served.url}/api/auth/sso?jwt="
        + token({"sub": "storm", "email": "storm@example.com", **forms[i % 4]})
        for i in range(80)
    ]
    with ThreadPoolExecutor(16) as pool:
        statuses = Counter(pool.map(hit, urls))
    assert statuses == Counter({302: 80})
    users = served.get("/_workbench/api/users")[1]
    storm = [u for u in users if u["externalId"] == "storm"]
    assert len(storm) == 1
    assert set(storm[0]["spaceIds"]) <= {"sp_general", "sp_product", "sp_beta", "sp_customers"}
    spaces = {s["id"]: s["memberCount"] for s in served.get("/_workbench/api/spaces")[1]}
    for space_id, count in spaces.items():
        assert count == sum(1 for u in users if space_id in u["spaceIds"])


def test_many_slow_clients_do_not_take_it_down(served: Served) -> None:
    host, port = served.url.removeprefix("http://").split(":")
    slow: list[socket.socket] = []
    try:
        for _ in range(300):
            sock = socket.create_connection((host, int(port)), timeout=5)
            sock.sendall(b"GET /api/auth/sso?jwt=")  # and never finish the request
            slow.append(sock)
        started = time.monotonic()
        status = hit(f"{served.url}/api/auth/sso?jwt=" + token({"sub": "patient"}))
        assert status == 302
        assert time.monotonic() - started < 5
    finally:
        for sock in slow:
            sock.close()


def test_a_very_long_request_line_gets_a_4xx(served: Served) -> None:
    status = hit(f"{served.url}/api/auth/sso?jwt=" + "a" * 200_000)
    assert 400 <= status < 500


def test_a_large_events_table_does_not_slow_logins_or_break_the_api(tmp_path: Path) -> None:
    data = tmp_path / "data"
    stop(serve(data))
    conn = sqlite3.connect(data / "community.sqlite3")
    rows = [
        ("2026-01-01T00:00:00.000Z", "rejected", "malformed_token", None, None, "[]", "{}")
        for _ in range(200_000)
    ]
    conn.executemany(
        "INSERT INTO events (at, outcome, code, user_id, redirect, findings, changes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    served = serve(data)
    try:
        started = time.monotonic()
        assert served.get("/api/auth/sso?jwt=" + token())[0] == 302
        assert time.monotonic() - started < 2
        latest = served.get("/_workbench/api/events?since=199990")[1]
        assert [e["outcome"] for e in latest][-1] == "created"
        assert len(latest) == 11
    finally:
        stop(served)
