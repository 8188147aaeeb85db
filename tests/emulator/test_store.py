"""The store: persistence, atomic attempts, unique members under concurrency, schema versions."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_KEY
from tests.emulator.conftest import Emulator, fixture, token
from workbench.emulator.community import sso_login
from workbench.emulator.store import DB_NAME, SCHEMA_VERSION, Store, StoreError


def test_a_reopened_store_keeps_members_memberships_fields_and_events(tmp_path: Path) -> None:
    store = Store.open(tmp_path, fixture())
    sso_login(store, token(spaceIds=["sp_beta"], company="Initech"), TEST_KEY)
    before = (store.list_users(), store.events(), store.space_counts())
    store.close()
    again = Store.open(tmp_path, fixture())
    try:
        assert (again.list_users(), again.events(), again.space_counts()) == before
    finally:
        again.close()


def test_the_schema_is_versioned(tmp_path: Path) -> None:
    Store.open(tmp_path, fixture()).close()
    conn = sqlite3.connect(tmp_path / DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer workbench"):
        Store(tmp_path / DB_NAME)


def test_a_failure_inside_an_attempt_leaves_nothing_half_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(tmp_path, fixture())
    before = (store.list_users(), store.events())

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "set_field", explode)
    with pytest.raises(RuntimeError):
        sso_login(store, token(spaceIds=["sp_beta"], company="Initech"), TEST_KEY)
    assert (store.list_users(), store.events()) == before
    store.close()


def test_unique_indexes_hold_in_the_database(tmp_path: Path) -> None:
    store = Store.open(tmp_path, fixture())
    store.close()
    conn = sqlite3.connect(tmp_path / DB_NAME)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO members (id, external_id, email, email_lower, name, created_at, "
            "updated_at) VALUES ('m_x', 'fox-1', 'x@y.io', 'x@y.io', 'X', '', '')"
        )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO members (id, external_id, email, email_lower, name, created_at, "
            "updated_at) VALUES ('m_y', NULL, 'DANA@example.com', 'dana@example.com', 'D', '', '')"
        )
    conn.close()


def test_parallel_first_logins_with_one_sub_make_one_member(emu: Emulator) -> None:
    tokens = [
        token(sub="racer", email="racer@example.com", spaceIds=["sp_beta"]) for _ in range(48)
    ]
    barrier = threading.Barrier(16)

    def go(tok: str) -> int:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)
        return int(emu.login(tok).status_code)

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(go, tokens))
    assert statuses == [302] * 48
    racers = [u for u in emu.users() if u["externalId"] == "racer"]
    assert len(racers) == 1
    outcomes = [e["outcome"] for e in emu.events()]
    assert outcomes.count("created") == 1 and outcomes.count("updated") == 47


def test_two_processes_on_one_database_do_not_duplicate(tmp_path: Path) -> None:
    first = Store.open(tmp_path, fixture())
    second = Store(tmp_path / DB_NAME)
    tok = token(sub="twin", email="twin@example.com")

    def login(store: Store) -> str:
        return sso_login(store, tok, TEST_KEY).outcome

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(login, [first, second] * 10))
    assert outcomes.count("created") == 1
    assert len([u for u in first.list_users() if u["externalId"] == "twin"]) == 1
    first.close()
    second.close()


def test_fixture_members_are_seeded_once(tmp_path: Path) -> None:
    store = Store.open(tmp_path, fixture())
    sso_login(store, token(sub="dana-1", email="dana@example.com"), TEST_KEY)
    store.close()
    store = Store.open(tmp_path, fixture())
    danas = [u for u in store.list_users() if u["email"].lower() == "dana@example.com"]
    assert len(danas) == 1 and danas[0]["externalId"] == "dana-1"
    store.close()


def test_trim_events_keeps_the_newest(emu: Emulator) -> None:
    for _ in range(5):
        emu.login("bad")
    assert emu.store.trim_events(2) == 3
    assert len(emu.events()) == 2


def test_a_version_1_database_is_migrated_forward(tmp_path: Path) -> None:
    from workbench.emulator.store import _MIGRATIONS

    conn = sqlite3.connect(tmp_path / DB_NAME)
    conn.executescript(_MIGRATIONS[1] + "PRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO members (id, external_id, email, email_lower, name, created_at, updated_at) "
        "VALUES ('m_old', 'old-1', 'Old@example.com', 'old@example.com', 'Old', 'x', 'x')"
    )
    conn.commit()
    conn.close()
    store = Store(tmp_path / DB_NAME)
    try:
        assert store.member_by_external_id("old-1") is not None
        token = store.create_session("m_old")
        assert store.member_for_session(token) is not None
        store.delete_session(token)
        assert store.member_for_session(token) is None
    finally:
        store.close()
    conn = sqlite3.connect(tmp_path / DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    conn.close()


def test_forged_and_stale_session_tokens_are_refused(tmp_path: Path) -> None:
    store = Store.open(tmp_path, fixture())
    try:
        member = store.list_users()[0]["id"]
        token = store.create_session(member)
        assert store.member_for_session(token) is not None
        forged = token.replace(member, store.list_users()[1]["id"])
        assert store.member_for_session(forged) is None
        assert store.member_for_session(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
        assert store.member_for_session("garbage") is None
        store.reset()
        assert store.member_for_session(token) is None  # a reset ends every session
    finally:
        store.close()
