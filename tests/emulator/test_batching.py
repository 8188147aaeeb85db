"""Logins that arrive together commit together, yet each stays all-or-nothing on its own."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_KEY
from tests.emulator.conftest import Emulator, fixture, token
from workbench.emulator.batching import LoginBatcher
from workbench.emulator.community import LoginAttempt, LoginResult, sso_login_many
from workbench.emulator.store import Store, utc_now


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = Store.open(tmp_path, fixture())
    yield opened
    opened.close()


def attempt(tok: str, redirect_uri: str | None = None) -> LoginAttempt:
    return LoginAttempt(tok, TEST_KEY, redirect_uri)


def test_a_batch_applies_its_attempts_in_order(store: Store) -> None:
    outcomes = sso_login_many(
        store,
        [
            attempt(token(sub="ava", email="ava@example.com", name="Ava")),
            attempt(token(sub="ava", email="ava@example.com", name="Ava Two")),
            attempt(token(sub="ava", email="ava@example.com"), "/spaces/general"),
            attempt(token(sub="ava", key="not-the-community-key")),
            attempt(token(sub="bo", email="ava@example.com")),
        ],
    )
    assert all(isinstance(o, LoginResult) for o in outcomes)
    results = [o for o in outcomes if isinstance(o, LoginResult)]
    assert [(r.outcome, r.code) for r in results] == [
        ("created", None),
        ("updated", None),
        ("updated", None),
        ("rejected", "invalid_signature"),
        ("rejected", "email_conflict"),
    ]
    # The second saw what the first wrote, inside the same transaction.
    assert results[1].changes == {"name": ["Ava", "Ava Two"]}
    assert results[2].redirect == "/spaces/general"
    assert [e["id"] for e in store.events()] == [r.event_id for r in results]
    ava = next(u for u in store.list_users() if u["externalId"] == "ava")
    assert ava["name"] == "Sam"  # the third login's name (the token's default)


def test_a_failing_attempt_is_undone_alone(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real_set_field = store.set_field

    def set_field(member_id: str, key: str, value: Any) -> None:
        if value == "Boom Inc":
            raise RuntimeError("disk full")
        real_set_field(member_id, key, value)

    monkeypatch.setattr(store, "set_field", set_field)
    outcomes = sso_login_many(
        store,
        [
            attempt(token(sub="one", email="one@example.com", company="Initech")),
            attempt(token(sub="two", email="two@example.com", company="Boom Inc")),
            attempt(token(sub="three", email="three@example.com", company="Initech")),
        ],
    )
    assert isinstance(outcomes[1], RuntimeError)
    subs = {u["externalId"] for u in store.list_users()}
    assert {"one", "three"} <= subs and "two" not in subs
    # Two events, none for the attempt that failed halfway.
    assert [e["outcome"] for e in store.events()] == ["created", "created"]


def test_a_savepoint_needs_a_transaction(store: Store) -> None:
    with pytest.raises(RuntimeError, match="needs a transaction"), store.savepoint():
        pass


def run_together(batcher: LoginBatcher, attempts: list[LoginAttempt]) -> list[Any]:
    async def main() -> list[Any]:
        return await asyncio.gather(*(batcher.login(a) for a in attempts), return_exceptions=True)

    return asyncio.run(main())


def test_requests_in_one_turn_share_one_commit(store: Store) -> None:
    batcher = LoginBatcher(store)
    attempts = [attempt(token(sub=f"m{i}", email=f"m{i}@example.com")) for i in range(12)]
    results = run_together(batcher, attempts)
    assert [r.outcome for r in results] == ["created"] * 12
    assert (batcher.batches, batcher.logins) == (1, 12)
    assert len(store.events()) == 12


def test_a_lone_request_is_not_kept_waiting(store: Store) -> None:
    batcher = LoginBatcher(store)

    async def main() -> tuple[LoginResult, float]:
        started = time.perf_counter()
        result = await asyncio.wait_for(batcher.login(attempt(token())), timeout=5)
        return result, time.perf_counter() - started

    result, _elapsed = asyncio.run(main())
    assert result.outcome == "created" and batcher.batches == 1


def test_a_cancelled_request_does_not_disturb_the_others(store: Store) -> None:
    batcher = LoginBatcher(store)

    async def main() -> list[Any]:
        tasks = [
            asyncio.ensure_future(batcher.login(attempt(token(sub=f"c{i}", email=f"c{i}@x.io"))))
            for i in range(3)
        ]
        await asyncio.sleep(0)  # all three are queued now
        tasks[1].cancel()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(main())
    assert isinstance(results[1], asyncio.CancelledError)
    assert [results[0].outcome, results[2].outcome] == ["created", "created"]


def test_a_failed_commit_fails_every_request_in_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    batcher = LoginBatcher(store)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("the disk went away")

    monkeypatch.setattr("workbench.emulator.batching.sso_login_many", broken)
    results = run_together(batcher, [attempt(token(sub=f"f{i}")) for i in range(3)])
    assert all(isinstance(r, OSError) for r in results)


def test_event_loops_on_several_threads_each_get_their_own_results(store: Store) -> None:
    batcher = LoginBatcher(store)
    found: dict[int, list[Any]] = {}

    def worker(n: int) -> None:
        attempts = [attempt(token(sub=f"t{n}-{i}", email=f"t{n}-{i}@x.io")) for i in range(5)]
        found[n] = run_together(batcher, attempts)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(found) == [0, 1, 2, 3]
    for n, results in found.items():
        assert [r.outcome for r in results] == ["created"] * 5
        assert {r.member_id for r in results} == {
            u["id"] for u in store.list_users() if (u["externalId"] or "").startswith(f"t{n}-")
        }


def test_the_endpoint_answers_as_before(emu: Emulator) -> None:
    response = emu.login(token(), "/spaces/general?tab=new members")
    assert response.status_code == 302
    assert response.headers["location"] == "/spaces/general?tab=new%20members"
    assert response.headers["content-length"] == "0"
    cookies = response.headers.get_list("set-cookie")
    assert [c.split("=", 1)[0] for c in cookies] == ["wb_session", "wb_session_embed"]
    assert cookies[0].endswith("; HttpOnly; Path=/; SameSite=lax")
    assert cookies[1].endswith("; HttpOnly; Path=/; SameSite=none; Secure")


def test_a_repeated_parameter_counts_its_last_value(emu: Emulator) -> None:
    good, bad = token(sub="last-wins"), "not-a-token"
    assert emu.client.get(f"/api/auth/sso?jwt={bad}&jwt={good}").status_code == 302
    assert emu.client.get(f"/api/auth/sso?jwt={good}&jwt={bad}").status_code == 400


def test_head_is_still_routed(emu: Emulator) -> None:
    assert emu.client.head("/api/auth/sso").status_code == 400
    assert emu.client.post("/api/auth/sso").status_code == 405


def test_timestamps_keep_their_format() -> None:
    stamp = utc_now()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)
    parsed = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - parsed).total_seconds()) < 2
