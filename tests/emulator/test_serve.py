"""`workbench serve` as a real process: ready line, signals, restarts, port in use, bad input."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, TEST_KEY
from tests.emulator.conftest import token

READY = re.compile(r"^Serving community emulator on http://(?P<host>[^:]+):(?P<port>\d+)$")


class Served:
    def __init__(self, proc: subprocess.Popen[str], url: str) -> None:
        self.proc = proc
        self.url = url

    def get(self, path: str, accept: str = "application/json") -> tuple[int, Any, dict[str, str]]:
        request = urllib.request.Request(self.url + path, headers={"accept": accept})

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=10) as response:
                body = response.read()
                return response.status, _json_or_text(body), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, _json_or_text(exc.read()), dict(exc.headers)


def _json_or_text(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def env(key: str | None = TEST_KEY) -> dict[str, str]:
    result = {k: v for k, v in os.environ.items() if k != "WORKBENCH_SSO_KEY"}
    result["PYTHONPATH"] = str(REPO)
    if key:
        result["WORKBENCH_SSO_KEY"] = key
    return result


def start(*args: str, key: str | None = TEST_KEY) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(key),
    )


def wait_ready(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    match = READY.match(line)
    assert match, (
        f"no ready line; got {line!r}; stderr: {proc.stderr.read() if proc.stderr else ''}"
    )
    return f"http://{match['host']}:{match['port']}"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    procs: list[subprocess.Popen[str]] = []

    def run(*args: str, data_dir: Path | None = None) -> Served:
        proc = start("--port", "0", "--data-dir", str(data_dir or tmp_path / "data"), *args)
        procs.append(proc)
        return Served(proc, wait_ready(proc))

    yield run
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)  # also closes the pipes


@pytest.mark.slow
def test_ready_line_then_sigterm_exits_0(serve: Any) -> None:
    served = serve()
    status, body, _ = served.get("/_workbench/api/spaces")
    assert status == 200 and body
    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(15) == 0


@pytest.mark.slow
def test_sigint_exits_0(serve: Any) -> None:
    served = serve()
    served.proc.send_signal(signal.SIGINT)
    assert served.proc.wait(15) == 0


@pytest.mark.slow
def test_a_login_over_http_and_a_restart_keeps_everything(serve: Any, tmp_path: Path) -> None:
    served = serve()
    status, _, headers = served.get(
        "/api/auth/sso?jwt=" + token(spaceIds=["sp_general"]) + "&redirect_uri=/spaces/general"
    )
    assert status == 302 and headers["location"] == "/spaces/general"
    assert "HttpOnly" in headers["set-cookie"]
    assert "server" not in {name.lower() for name in headers}  # no "uvicorn" advertised
    before = [
        served.get(p)[1]
        for p in ("/_workbench/api/users", "/_workbench/api/spaces", "/_workbench/api/events")
    ]
    served.proc.send_signal(signal.SIGTERM)
    served.proc.wait(15)
    again = serve()
    after = [
        again.get(p)[1]
        for p in ("/_workbench/api/users", "/_workbench/api/spaces", "/_workbench/api/events")
    ]
    assert after == before
    assert any(u["externalId"] == "user-1" for u in after[0])


@pytest.mark.slow
def test_a_port_in_use_is_exit_2(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = start("--port", str(port), "--data-dir", str(tmp_path))
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert "in use" in err and len(err.strip().splitlines()) == 1
    assert out == ""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        ("{not json", "not valid JSON"),
        ('{"spaces": [{"name": "no id"}]}', "spaces[0].id"),
    ],
)
def test_a_bad_fixture_is_exit_2(tmp_path: Path, content: str | None, expected: str) -> None:
    path = tmp_path / "fixture.json"
    if content is not None:
        path.write_text(content)
    proc = start("--port", "0", "--data-dir", str(tmp_path / "d"), "--fixture", str(path))
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_no_key_is_exit_2(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "serve", "--port", "0", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env(None), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
    )
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "WORKBENCH_SSO_KEY" in err and "Traceback" not in err


@pytest.mark.slow
def test_a_custom_fixture_is_served(serve: Any, tmp_path: Path) -> None:
    path = tmp_path / "fixture.json"
    path.write_text(
        json.dumps(
            {
                "community": {"name": "Globex"},
                "spaces": [{"id": "sp_x", "name": "X", "slug": "x"}],
                "settings": {"loginButtonText": "Enter Globex"},
            }
        )
    )
    served = serve("--fixture", str(path))
    assert served.get("/_workbench/api/spaces")[1] == [
        {"id": "sp_x", "name": "X", "slug": "x", "memberCount": 0}
    ]
    assert "Enter Globex" in served.get("/", accept="text/html")[1]


@pytest.mark.slow
def test_another_host_warns(tmp_path: Path) -> None:
    proc = start("--host", "0.0.0.0", "--port", "0", "--data-dir", str(tmp_path))  # noqa: S104
    try:
        url = wait_ready(proc).replace("0.0.0.0", "127.0.0.1")  # noqa: S104
        served = Served(proc, url)
        refused = served.get("/_workbench/api/users")
        assert refused[0] == 401 and refused[1]["error"]["code"] == "unauthorized"
        assert served.get("/", accept="text/html")[0] == 200  # the community itself stays open
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert "reachable from the network" in err
    token = err.split("Authorization: Bearer ", 1)[1].split()[0]
    assert len(token) >= 24


@pytest.mark.slow
def test_many_parallel_first_logins_over_http(serve: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    served = serve()
    tok = token(sub="crowd", email="crowd@example.com")
    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(lambda _: served.get("/api/auth/sso?jwt=" + tok)[0], range(40)))
    assert statuses == [302] * 40
    users = served.get("/_workbench/api/users")[1]
    assert len([u for u in users if u["externalId"] == "crowd"]) == 1
    time.sleep(0)
