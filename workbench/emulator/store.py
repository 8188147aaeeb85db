"""The emulator's SQLite store: one connection, WAL, one short transaction per SSO attempt.

Everything the community knows lives here: its configuration (from the fixture), members,
memberships, custom field values, sessions and the events timeline. A restart on the same data
directory keeps all of it.
"""

from __future__ import annotations

import hmac
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.emulator.fixture import (
    SETTINGS_DEFAULTS,
    Fixture,
    Space,
    check_settings,
    fixture_from_data,
)
from workbench.sso.rules import ProfileField

DB_NAME = "community.sqlite3"
SCHEMA_VERSION = 2

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE spaces (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, slug TEXT NOT NULL UNIQUE,
        position INTEGER NOT NULL);
    CREATE TABLE profile_fields (
        key TEXT PRIMARY KEY, name TEXT NOT NULL, external_keys TEXT NOT NULL,
        position INTEGER NOT NULL);
    CREATE TABLE members (
        id TEXT PRIMARY KEY, external_id TEXT, email TEXT NOT NULL, email_lower TEXT NOT NULL,
        name TEXT NOT NULL, tagline TEXT, picture TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE UNIQUE INDEX members_external_id ON members (external_id)
        WHERE external_id IS NOT NULL;
    CREATE UNIQUE INDEX members_email_lower ON members (email_lower);
    CREATE TABLE member_fields (
        member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
        key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (member_id, key)) WITHOUT ROWID;
    CREATE TABLE memberships (
        member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
        space_id TEXT NOT NULL, joined_at TEXT NOT NULL,
        PRIMARY KEY (member_id, space_id)) WITHOUT ROWID;
    CREATE INDEX memberships_space ON memberships (space_id);
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
        created_at TEXT NOT NULL);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, outcome TEXT NOT NULL,
        code TEXT, user_id TEXT, redirect TEXT, findings TEXT NOT NULL, changes TEXT NOT NULL,
        extra TEXT NOT NULL DEFAULT '{}');
    """,
    # Sessions became signed cookies (no write per login); only logouts are remembered.
    2: """
    DROP TABLE sessions;
    CREATE TABLE revoked_sessions (nonce TEXT PRIMARY KEY, at TEXT NOT NULL) WITHOUT ROWID;
    """,
}


class StoreError(RuntimeError):
    """The database cannot be opened or is from a newer workbench."""


_this_second: tuple[int, str] = (0, "")


def utc_now() -> str:
    """Now, as the inspection API shows times: `2026-01-31T12:00:00.123Z`."""
    global _this_second
    now = time.time()
    second = int(now)
    cached = _this_second
    if cached[0] != second:
        # Formatting a date is most of a timestamp's cost: once a second is enough.
        cached = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        _this_second = cached
    return f"{cached[1]}.{int((now - second) * 1000):03d}Z"


def new_member_id() -> str:
    return "m_" + secrets.token_hex(6)


def _sign_session(secret: bytes, body: str) -> str:
    return hmac.digest(secret, body.encode(), "sha256").hex()[:32]


def _json_text(value: list[Any] | dict[str, Any]) -> str:
    # Most events have no findings, changes or extras: skip the encoder for those.
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False)


@dataclass(slots=True)
class MemberRow:
    id: str
    external_id: str | None
    email: str
    name: str
    tagline: str | None
    picture: str | None
    created_at: str
    updated_at: str
    # Filled by members_by_sub_or_email, which reads them in the same query.
    space_ids: list[str] | None = None
    fields: dict[str, Any] | None = None


_MEMBER_COLUMNS = "id, external_id, email, name, tagline, picture, created_at, updated_at"
_MEMBER_COLUMNS_OF_M = ", ".join("m." + c.strip() for c in _MEMBER_COLUMNS.split(","))


# Spaces, profile fields, settings and each space's position: read once, kept until changed.
_Config = tuple[frozenset[str], tuple[ProfileField, ...], dict[str, Any], dict[str, int]]


class Store:
    """One SQLite database; safe to share between threads (calls are serialised)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        try:
            self._conn = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=10
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA busy_timeout=10000")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the emulator database {self.path}: {exc}") from None
        self._lock = threading.RLock()
        self._in_tx = False
        self._config_cache: _Config | None = None
        self._session_cache: tuple[bytes, str] | None = None
        self._migrate()

    @classmethod
    def open(cls, data_dir: Path, fixture: Fixture) -> Store:
        """The store in `data_dir`, seeded from `fixture` when new, configured from it always."""
        store = cls(Path(data_dir) / DB_NAME)
        store.apply_fixture(fixture)
        return store

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ---- plumbing -----------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the emulator database {self.path} is from a newer workbench (schema "
                    f"{version}); upgrade the workbench or use another --data-dir"
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                self._conn.executescript(
                    f"BEGIN IMMEDIATE; {_MIGRATIONS[target]} PRAGMA user_version = {target}; COMMIT;"
                )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: everything inside commits together or not at all."""
        with self._lock:
            if self._in_tx:
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._in_tx = False

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside a transaction: the block's writes are undone on their own if it fails."""
        with self._lock:
            if not self._in_tx:
                raise RuntimeError("a savepoint needs a transaction")
            self._conn.execute("SAVEPOINT attempt")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK TO attempt")
                self._conn.execute("RELEASE attempt")
                raise
            self._conn.execute("RELEASE attempt")

    def _query(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cursor = self._conn.execute(sql, params)
            rows: list[Any] = cursor.fetchall()
            return rows

    def _meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def _set_meta(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # ---- configuration ------------------------------------------------------------------------

    def apply_fixture(self, fixture: Fixture) -> None:
        """Take the community's configuration from the fixture; seed members when new.

        A database that already has members keeps them (and their events) across restarts.
        """
        with self.transaction() as conn:
            seeded = self._meta("seeded") == "1"
            self._set_meta(conn, "fixture", json.dumps(fixture.raw))
            self._set_meta(conn, "community_name", fixture.community_name)
            # Settings edited in the workbench survive a restart, unless the fixture's changed.
            fixture_changed = self._meta("fixture_settings") != json.dumps(fixture.settings)
            if not seeded or self._meta("settings") is None or fixture_changed:
                self._set_meta(conn, "settings", json.dumps(fixture.settings))
            self._set_meta(conn, "fixture_settings", json.dumps(fixture.settings))
            self._write_config(conn, fixture)
            if not seeded:
                self._seed_members(conn, fixture)
                self._set_meta(conn, "seeded", "1")
        self._config_cache = None

    def _write_config(self, conn: sqlite3.Connection, fixture: Fixture) -> None:
        conn.execute("DELETE FROM spaces")
        conn.executemany(
            "INSERT INTO spaces (id, name, slug, position) VALUES (?, ?, ?, ?)",
            [(s.id, s.name, s.slug, i) for i, s in enumerate(fixture.spaces)],
        )
        conn.execute("DELETE FROM profile_fields")
        conn.executemany(
            "INSERT INTO profile_fields (key, name, external_keys, position) VALUES (?, ?, ?, ?)",
            [
                (f.key, f.name, json.dumps(list(f.external_keys)), i)
                for i, f in enumerate(fixture.profile_fields)
            ],
        )

    def _seed_members(self, conn: sqlite3.Connection, fixture: Fixture) -> None:
        now = utc_now()
        for member in fixture.members:
            member_id = new_member_id()
            conn.execute(
                f"INSERT INTO members ({_MEMBER_COLUMNS}, email_lower) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    member_id,
                    member.external_id,
                    member.email,
                    member.name,
                    member.tagline,
                    member.picture,
                    now,
                    now,
                    member.email.lower(),
                ),
            )
            for space_id in member.space_ids:
                self.join_space(member_id, space_id, now)
            for key, value in member.fields.items():
                self.set_field(member_id, key, value)

    def reset(self) -> None:
        """Back to the fixture: its members, memberships and fields; no sessions, no events."""
        fixture = self.fixture()
        with self.transaction() as conn:
            self._end_all_sessions(conn)
            conn.execute("DELETE FROM events")
            conn.execute("DELETE FROM memberships")
            conn.execute("DELETE FROM member_fields")
            conn.execute("DELETE FROM members")
            conn.execute("DELETE FROM sqlite_sequence WHERE name = 'events'")
            self._set_meta(conn, "settings", json.dumps(fixture.settings))
            self._write_config(conn, fixture)
            self._seed_members(conn, fixture)
        self._config_cache = None

    def fixture(self) -> Fixture:
        raw = self._meta("fixture")
        if raw is None:
            raise StoreError("the emulator database has no community yet")
        return fixture_from_data(json.loads(raw), "stored")

    def export_fixture(self) -> dict[str, Any]:
        """The community as it is now, in the fixture format (members included)."""
        base = self.fixture().raw
        members = []
        for user in self.list_users():
            entry: dict[str, Any] = {
                "email": user["email"],
                "name": user["name"],
                "externalId": user["externalId"],
                "spaceIds": user["spaceIds"],
            }
            if user["tagline"] is not None:
                entry["tagline"] = user["tagline"]
            if user["picture"] is not None:
                entry["picture"] = user["picture"]
            if user["fields"]:
                entry["fields"] = user["fields"]
            members.append(entry)
        return {**base, "members": members, "settings": self.settings()}

    def community_name(self) -> str:
        return self._meta("community_name") or "Community"

    def _config(self) -> _Config:
        cached = self._config_cache
        if cached is None:
            order = {row[0]: row[1] for row in self._query("SELECT id, position FROM spaces")}
            space_ids = frozenset(order)
            fields = tuple(
                ProfileField(row[0], row[1], tuple(json.loads(row[2])))
                for row in self._query(
                    "SELECT key, name, external_keys FROM profile_fields ORDER BY position"
                )
            )
            settings = {**SETTINGS_DEFAULTS, **json.loads(self._meta("settings") or "{}")}
            cached = (space_ids, fields, settings, order)
            self._config_cache = cached
        return cached

    def space_ids(self) -> frozenset[str]:
        return self._config()[0]

    def profile_fields(self) -> tuple[ProfileField, ...]:
        return self._config()[1]

    def settings(self) -> dict[str, Any]:
        return dict(self._config()[2])

    def setting(self, name: str, default: Any = None) -> Any:
        """One setting, without copying them all (a login reads two)."""
        return self._config()[2].get(name, default)

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        merged = check_settings({**self.settings(), **changes})
        with self.transaction() as conn:
            self._set_meta(conn, "settings", json.dumps(merged))
        self._config_cache = None
        return merged

    def spaces(self) -> list[Space]:
        return [
            Space(row[0], row[1], row[2])
            for row in self._query("SELECT id, name, slug FROM spaces ORDER BY position")
        ]

    def space_by_slug(self, slug: str) -> Space | None:
        rows = self._query("SELECT id, name, slug FROM spaces WHERE slug = ?", (slug,))
        return Space(rows[0][0], rows[0][1], rows[0][2]) if rows else None

    def space_counts(self) -> dict[str, int]:
        return {
            row[0]: row[1]
            for row in self._query("SELECT space_id, COUNT(*) FROM memberships GROUP BY space_id")
        }

    # ---- members ------------------------------------------------------------------------------

    def _member(self, where: str, value: Any) -> MemberRow | None:
        rows = self._query(f"SELECT {_MEMBER_COLUMNS} FROM members WHERE {where} = ?", (value,))
        return MemberRow(*rows[0]) if rows else None

    def members_by_sub_or_email(
        self, external_id: str, email: str
    ) -> tuple[MemberRow | None, MemberRow | None]:
        """(the member with this externalId, the member with this email), in one query."""
        email_lower = email.lower()
        # Memberships and field values come along: a login needs them, and one statement
        # costs less than three.
        rows = self._query(
            f"SELECT {_MEMBER_COLUMNS}, "
            "(SELECT group_concat(space_id, char(31)) FROM memberships WHERE member_id = members.id), "
            "(SELECT json_group_object(key, json(value)) FROM member_fields "
            " WHERE member_id = members.id), "
            "email_lower FROM members WHERE external_id = ? OR email_lower = ?",
            (external_id, email_lower),
        )
        by_sub = by_email = None
        for row in rows:
            member = MemberRow(*row[:8])
            member.space_ids = self.in_space_order(set(row[8].split("\x1f"))) if row[8] else []
            member.fields = json.loads(row[9]) if row[9] else {}
            if member.external_id == external_id:
                by_sub = member
            if row[-1] == email_lower:
                by_email = member
        return by_sub, by_email

    def in_space_order(self, space_ids: set[str]) -> list[str]:
        order = self._config()[3]
        return sorted(space_ids, key=lambda s: (order.get(s, len(order)), s))

    def member_by_id(self, member_id: str) -> MemberRow | None:
        return self._member("id", member_id)

    def member_by_external_id(self, external_id: str) -> MemberRow | None:
        return self._member("external_id", external_id)

    def member_by_email(self, email: str) -> MemberRow | None:
        return self._member("email_lower", email.lower())

    def insert_member(self, row: MemberRow) -> None:
        with self._lock:
            self._conn.execute(
                f"INSERT INTO members ({_MEMBER_COLUMNS}, email_lower) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id,
                    row.external_id,
                    row.email,
                    row.name,
                    row.tagline,
                    row.picture,
                    row.created_at,
                    row.updated_at,
                    row.email.lower(),
                ),
            )

    def update_member(self, row: MemberRow, changed: set[str] | None = None) -> None:
        """Write the member; with `changed`, only those columns (and updated_at), so the unique
        indexes are not rewritten when email and externalId stay the same."""
        columns = {
            "external_id": row.external_id,
            "email": row.email,
            "email_lower": row.email.lower(),
            "name": row.name,
            "tagline": row.tagline,
            "picture": row.picture,
        }
        if changed is not None:
            if "email" in changed:
                changed = changed | {"email_lower"}
            columns = {k: v for k, v in columns.items() if k in changed}
        columns["updated_at"] = row.updated_at
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._lock:
            self._conn.execute(
                f"UPDATE members SET {assignments} WHERE id = ?", (*columns.values(), row.id)
            )

    def member_space_ids(self, member_id: str) -> list[str]:
        rows = self._query(
            "SELECT m.space_id FROM memberships m LEFT JOIN spaces s ON s.id = m.space_id "
            "WHERE m.member_id = ? ORDER BY s.position, m.space_id",
            (member_id,),
        )
        return [row[0] for row in rows]

    def join_space(self, member_id: str, space_id: str, at: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO memberships (member_id, space_id, joined_at) VALUES (?, ?, ?)",
                (member_id, space_id, at),
            )

    def leave_space(self, member_id: str, space_id: str) -> None:
        with self._lock:
            self._conn.execute(
                "DELETE FROM memberships WHERE member_id = ? AND space_id = ?",
                (member_id, space_id),
            )

    def member_fields(self, member_id: str) -> dict[str, Any]:
        rows = self._query("SELECT key, value FROM member_fields WHERE member_id = ?", (member_id,))
        return {row[0]: json.loads(row[1]) for row in rows}

    def set_field(self, member_id: str, key: str, value: Any) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO member_fields (member_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (member_id, key) DO UPDATE SET value = excluded.value",
                (member_id, key, json.dumps(value, ensure_ascii=False)),
            )

    def change_email(self, member_id: str, email: str) -> None:
        """A member's own email change on the account settings page."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE members SET email = ?, email_lower = ?, updated_at = ? WHERE id = ?",
                (email, email.lower(), utc_now(), member_id),
            )

    def user_dict(self, row: MemberRow) -> dict[str, Any]:
        return self._users_for([row])[0]

    @staticmethod
    def _user_filter(query: str | None) -> tuple[str, list[str]]:
        if not query:
            return "", []
        pattern = (
            "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        where = (
            "WHERE lower(name) LIKE ? ESCAPE '\\' OR email_lower LIKE ? ESCAPE '\\' "
            "OR lower(external_id) LIKE ? ESCAPE '\\'"
        )
        return where, [pattern, pattern, pattern]

    def count_users(self, query: str | None = None) -> int:
        where, params = self._user_filter(query)
        return int(self._query(f"SELECT COUNT(*) FROM members {where}", params)[0][0])

    def list_users(
        self, query: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Members as the inspection API shows them, oldest first (three queries, no N+1)."""
        where, params = self._user_filter(query)
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        rows = [
            MemberRow(*r)
            for r in self._query(
                f"SELECT {_MEMBER_COLUMNS} FROM members {where} ORDER BY rowid{page}", params
            )
        ]
        return self._users_for(rows)

    def _users_for(self, rows: list[MemberRow]) -> list[dict[str, Any]]:
        """The inspection API's shape for these members: fields in the profile's order, spaces
        in the community's, read for all of them at once."""
        if not rows:
            return []
        ids = [r.id for r in rows]
        fields: dict[str, dict[str, Any]] = {i: {} for i in ids}
        spaces: dict[str, list[str]] = {i: [] for i in ids}
        order = {f.key: i for i, f in enumerate(self.profile_fields())}
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            marks = ",".join("?" * len(chunk))
            for member_id, key, value in self._query(
                f"SELECT member_id, key, value FROM member_fields WHERE member_id IN ({marks})",
                chunk,
            ):
                fields[member_id][key] = json.loads(value)
            for member_id, space_id in self._query(
                "SELECT m.member_id, m.space_id FROM memberships m LEFT JOIN spaces s "
                f"ON s.id = m.space_id WHERE m.member_id IN ({marks}) ORDER BY s.position, m.space_id",
                chunk,
            ):
                spaces[member_id].append(space_id)
        return [
            {
                "id": r.id,
                "externalId": r.external_id,
                "email": r.email,
                "name": r.name,
                "tagline": r.tagline,
                "picture": r.picture,
                "fields": dict(
                    sorted(fields[r.id].items(), key=lambda kv: order.get(kv[0], len(order)))
                ),
                "spaceIds": spaces[r.id],
                "createdAt": r.created_at,
                "updatedAt": r.updated_at,
            }
            for r in rows
        ]

    def member_count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM members")[0][0])

    def space_members(self, space_id: str, limit: int = 200) -> list[MemberRow]:
        rows = self._query(
            f"SELECT {_MEMBER_COLUMNS_OF_M} "
            "FROM memberships ms JOIN members m ON m.id = ms.member_id "
            "WHERE ms.space_id = ? ORDER BY ms.joined_at DESC LIMIT ?",
            (space_id, limit),
        )
        return [MemberRow(*r) for r in rows]

    def recent_members(self, limit: int = 8) -> list[MemberRow]:
        rows = self._query(
            f"SELECT {_MEMBER_COLUMNS} FROM members ORDER BY updated_at DESC LIMIT ?", (limit,)
        )
        return [MemberRow(*r) for r in rows]

    # ---- sessions -----------------------------------------------------------------------------

    def _session_keys(self) -> tuple[bytes, str]:
        """The secret that signs session cookies, and the epoch a reset moves on."""
        secret = self._meta("session_secret")
        epoch = self._meta("session_epoch")
        if secret is None or epoch is None:
            with self.transaction() as conn:
                secret = self._meta("session_secret") or secrets.token_hex(32)
                epoch = self._meta("session_epoch") or "1"
                self._set_meta(conn, "session_secret", secret)
                self._set_meta(conn, "session_epoch", epoch)
        return bytes.fromhex(secret), epoch

    def create_session(self, member_id: str, at: str | None = None) -> str:
        """A signed session token: `member.epoch.nonce.signature`. Nothing is written, so a
        login costs no extra write; a logout revokes the nonce, a reset moves the epoch."""
        secret, epoch = self._session_cache or self._load_session_cache()
        body = f"{member_id}.{epoch}.{secrets.token_urlsafe(12)}"
        return f"{body}.{_sign_session(secret, body)}"

    def _load_session_cache(self) -> tuple[bytes, str]:
        self._session_cache = self._session_keys()
        return self._session_cache

    def _verify_session(self, token: str) -> tuple[str, str] | None:
        """(member id, nonce) of a genuine, current session token, else None."""
        parts = token.split(".")
        if len(parts) != 4:
            return None
        member_id, epoch, nonce, signature = parts
        secret, current_epoch = self._session_cache or self._load_session_cache()
        expected = _sign_session(secret, f"{member_id}.{epoch}.{nonce}")
        if not hmac.compare_digest(expected, signature) or epoch != current_epoch:
            return None
        return member_id, nonce

    def member_for_session(self, token: str | None) -> MemberRow | None:
        if not token or len(token) > 200:
            return None
        verified = self._verify_session(token)
        if verified is None:
            return None
        member_id, nonce = verified
        if self._query("SELECT 1 FROM revoked_sessions WHERE nonce = ?", (nonce,)):
            return None
        return self.member_by_id(member_id)

    def delete_session(self, token: str | None) -> None:
        """End one session (logout): its nonce is remembered as revoked."""
        verified = self._verify_session(token) if token else None
        if verified is None:
            return
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO revoked_sessions (nonce, at) VALUES (?, ?)",
                (verified[1], utc_now()),
            )

    def _end_all_sessions(self, conn: sqlite3.Connection) -> None:
        _secret, epoch = self._session_keys()
        self._set_meta(conn, "session_epoch", str(int(epoch) + 1))
        conn.execute("DELETE FROM revoked_sessions")
        self._session_cache = None

    # ---- events -------------------------------------------------------------------------------

    def add_event(
        self,
        *,
        outcome: str,
        code: str | None,
        user_id: str | None,
        redirect: str | None,
        findings: list[dict[str, Any]],
        changes: dict[str, Any],
        extra: dict[str, Any] | None = None,
        at: str | None = None,
    ) -> int:
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO events (at, outcome, code, user_id, redirect, findings, changes, extra) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    at or utc_now(),
                    outcome,
                    code,
                    user_id,
                    redirect,
                    _json_text(findings),
                    _json_text(changes),
                    _json_text(extra or {}),
                ),
            )
            return int(cursor.lastrowid or 0)

    def events(self, since_id: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        page = f" LIMIT {int(limit)}" if limit is not None else ""
        rows = self._query(
            "SELECT id, at, outcome, code, user_id, redirect, findings, changes, extra FROM events "
            f"WHERE id > ? ORDER BY id{page}",
            (since_id,),
        )
        return [
            {
                "id": r[0],
                "at": r[1],
                "outcome": r[2],
                "code": r[3],
                "userId": r[4],
                "redirect": r[5],
                "findings": json.loads(r[6]),
                "changes": json.loads(r[7]),
                **json.loads(r[8]),
            }
            for r in rows
        ]

    def latest_events(self, count: int) -> list[dict[str, Any]]:
        """The newest `count` events, oldest first (what a timeline shows at start)."""
        rows = self._query("SELECT COALESCE(MAX(id), 0) FROM events")
        newest = int(rows[0][0])
        return self.events(max(0, newest - count))

    def event_count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM events")[0][0])

    def trim_events(self, keep: int) -> int:
        """Delete all but the newest `keep` events; returns how many went."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM events WHERE id <= (SELECT COALESCE(MAX(id), 0) FROM events) - ?",
                (max(0, keep),),
            )
            return cursor.rowcount
