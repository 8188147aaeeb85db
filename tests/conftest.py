from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
TEST_KEY = "test-key-0123456789abcdef0123456789abcdef"  # not a secret: the tests' own key


def pytest_configure(config: pytest.Config) -> None:
    # Software drawing makes Qt say it found no OpenGL; the workbench filters the same lines.
    import re

    from workbench.gui.rendering import SOFTWARE_MODE_NOISE

    for noise in SOFTWARE_MODE_NOISE:
        config.addinivalue_line("qt_log_ignore", re.escape(noise))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # No test may read a developer's key from the environment.
    monkeypatch.delenv("WORKBENCH_SSO_KEY", raising=False)


@pytest.fixture
def key_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("WORKBENCH_SSO_KEY", TEST_KEY)
    return TEST_KEY


def base_payload(**extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"sub": "user-1", "name": "Dana", "email": "dana@example.com"}
    payload.update(extra)
    return payload


class Cli:
    """Runs the real `workbench` console entry point in a subprocess."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(
        self,
        *args: str,
        stdin: str | bytes | None = None,
        key: str | None = TEST_KEY,
        timeout: float = 60,
        env: dict[str, str | None] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """`env` adds variables to the run's environment; a None value takes one away."""
        run_env = dict(self.env)
        if key is not None:
            run_env["WORKBENCH_SSO_KEY"] = key
        for name, value in (env or {}).items():
            if value is None:
                run_env.pop(name, None)
            else:
                run_env[name] = value
        data = stdin.encode() if isinstance(stdin, str) else stdin
        proc = subprocess.run(
            [sys.executable, "-m", "workbench", *args],
            input=data if data is not None else b"",
            capture_output=True,
            env=run_env,
            timeout=timeout,
            check=False,
        )
        return subprocess.CompletedProcess(
            proc.args,
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_SSO_KEY"}
    env["PYTHONPATH"] = str(REPO)
    yield Cli(env)


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
