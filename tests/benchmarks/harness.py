"""Shared pieces of the benchmarks: processes, wrk, stores of many members, timing helpers."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
KEY = "bench-key-0123456789abcdef0123456789abcdef"  # the benchmarks' own key, not a secret


@dataclass
class Result:
    """One row of the table: the project's figure against its baseline, and the budget."""

    benchmark: str
    measure: str
    project: float
    baseline: float | None
    unit: str
    budget: str
    ok: bool | None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.project / self.baseline  # type: ignore[operator]


def env() -> dict[str, str]:
    result = dict(os.environ)
    result["WORKBENCH_SSO_KEY"] = KEY
    result["PYTHONPATH"] = str(REPO) + os.pathsep + result.get("PYTHONPATH", "")
    result.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    return result


@contextmanager
def process(args: list[str], ready: re.Pattern[str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A server process, yielded with the first regex group of its ready line."""
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env()
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = ready.search(line)
        if not match:
            raise RuntimeError(f"{args[2:]} did not start: {line!r}")
        yield proc, match.group(1)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


@contextmanager
def emulator(data_dir: Path) -> Iterator[str]:
    args = [sys.executable, "-m", "workbench", "serve", "--port", "0", "--data-dir", str(data_dir)]
    with process(args, re.compile(r"on (http://\S+)")) as (_proc, url):
        yield url


@contextmanager
def baseline(kind: str) -> Iterator[str]:
    args = [sys.executable, str(HERE / "baseline_servers.py"), kind]
    with process(args, re.compile(r"READY (\d+)")) as (_proc, port):
        yield f"http://127.0.0.1:{port}"


def sso_paths(count: int, prefix: str = "bench", extra: dict[str, Any] | None = None) -> Path:
    """A file of SSO request paths, one distinct member each, valid for an hour."""
    from workbench.sso import sign

    now = int(time.time())
    handle, name = tempfile.mkstemp(prefix="sso-paths-", suffix=".txt")
    with os.fdopen(handle, "w") as out:
        for i in range(count):
            claims = {
                "sub": f"{prefix}-{i}",
                "name": f"Member {i}",
                "email": f"{prefix}{i}@example.com",
                "spaceIds": ["sp_general"],
                "company": "Acme",
                "iat": now,
                "exp": now + 3600,
                **(extra or {}),
            }
            out.write(f"/api/auth/sso?jwt={sign(claims, KEY)}\n")
    return Path(name)


def wrk(url: str, paths: Path, seconds: float, connections: int = 16) -> dict[str, Any]:
    """Run wrk against `url` round-robin over `paths`; its figures as a dict."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "-s",
        str(HERE / "pool.lua"),
        url,
        "--",
        str(paths),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    figures: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["failed"] = sum(
        figures[k]
        for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return figures


def populate(data_dir: Path, members: int) -> None:
    """A store with `members` SSO members (each in a space, with a field), written directly."""
    from workbench.emulator.fixture import sample_fixture
    from workbench.emulator.store import DB_NAME, Store

    Store.open(data_dir, sample_fixture()).close()
    conn = sqlite3.connect(data_dir / DB_NAME)
    now = "2026-01-01T00:00:00.000Z"
    conn.executemany(
        "INSERT INTO members (id, external_id, email, email_lower, name, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (
                f"m_pop{i}",
                f"pop-{i}",
                f"pop{i}@example.com",
                f"pop{i}@example.com",
                f"Pop {i}",
                now,
                now,
            )
            for i in range(members)
        ),
    )
    conn.executemany(
        "INSERT INTO memberships (member_id, space_id, joined_at) VALUES (?, ?, ?)",
        ((f"m_pop{i}", "sp_general", now) for i in range(members)),
    )
    conn.executemany(
        "INSERT INTO member_fields (member_id, key, value) VALUES (?, 'company', '\"Acme\"')",
        ((f"m_pop{i}",) for i in range(members)),
    )
    conn.commit()
    conn.close()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def median(samples: list[float]) -> float:
    return statistics.median(samples)
