"""Signing code for the payload in seven languages: the key is never inlined, and the Python and
Node snippets, run for real, make tokens the workbench accepts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import TEST_KEY, Cli, write_json
from workbench.sso import decode
from workbench.sso.snippets import KEY_VARIABLE, LANGUAGES, snippet

PAYLOAD: dict[str, Any] = {
    "sub": "user-7",
    "name": 'O\'Brien \\ "Q"',
    "email": "ob@example.com",
    "tagline": "back`tick and ${dollar} and 🙂",
    "spaceIds": ["sp_general"],
    "company": {"name": "Acme", "size": 3},
    "iat": 1,
    "exp": 2,
}


def token_from(url: str) -> str:
    return parse_qs(urlsplit(url.strip()).query)["jwt"][0]


def check_token(url: str) -> None:
    result = decode(token_from(url), TEST_KEY)
    assert result.signature == "valid"
    assert result.ok, result.findings
    claims = result.payload
    assert claims["exp"] - claims["iat"] == 60
    for key, value in PAYLOAD.items():
        if key not in ("iat", "exp"):
            assert claims[key] == value, key


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_snippet_reads_the_key_from_the_environment(language: str) -> None:
    code = snippet(language, PAYLOAD, community="acme.example")
    assert KEY_VARIABLE in code
    assert TEST_KEY not in code
    assert "https://acme.example/api/auth/sso?jwt=" in code
    assert "user-7" in code


def test_the_python_snippet_runs_and_signs(tmp_path: Path) -> None:
    script = tmp_path / "sso.py"
    script.write_text(snippet("python", PAYLOAD))
    out = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env={**os.environ, KEY_VARIABLE: TEST_KEY},
        check=True,
        timeout=60,
    )
    check_token(out.stdout)


@pytest.mark.slow
def test_the_node_snippet_runs_and_signs(tmp_path: Path) -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("WORKBENCH_TEST_SESSION"):
            pytest.fail("node and npm are on this machine kind; the test must run")
        pytest.skip("needs node and npm")
    install = subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund", "jsonwebtoken@9"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-1000:]
    script = tmp_path / "sso.js"
    script.write_text(snippet("node", PAYLOAD))
    out = subprocess.run(
        ["node", str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, KEY_VARIABLE: TEST_KEY},
        check=True,
        timeout=60,
    )
    check_token(out.stdout)


def test_snippet_command(cli: Cli, tmp_path: Path) -> None:
    payload = write_json(tmp_path / "p.json", PAYLOAD)
    result = cli("snippet", "--lang", "ruby", "--payload", str(payload), "--ttl", "30", key=None)
    assert result.returncode == 0, result.stderr
    assert "now + 30" in result.stdout and "JSON.parse(" in result.stdout
    bad = cli("snippet", "--lang", "cobol", "--payload", str(payload), key=None)
    assert bad.returncode == 2 and "choose from" in bad.stderr


def test_the_embedded_json_is_the_payload() -> None:
    code = snippet("python", PAYLOAD)
    line = next(x for x in code.splitlines() if x.startswith("user_data = json.loads("))
    literal = line.removeprefix("user_data = json.loads(").removesuffix(")")
    import ast

    assert json.loads(ast.literal_eval(literal)) == {
        k: v for k, v in PAYLOAD.items() if k not in ("iat", "exp")
    }


def test_diff_command(cli: Cli, tmp_path: Path) -> None:
    old = write_json(tmp_path / "old.json", {"sub": "u-1", "name": "A", "email": "a@example.com"})
    token = cli("token", "--payload", str(old)).stdout.strip()
    new = write_json(
        tmp_path / "new.json",
        {"sub": "u-1", "name": "B", "email": "a@example.com", "company": "Initech"},
    )
    result = cli("diff", token, str(new), "--json", key=None)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert {c["claim"]: c["kind"] for c in out["claims"]}["name"] == "changed"
    assert out["community"]["changes"] == {"name": ["A", "B"], "fields.company": [None, "Initech"]}
    text = cli("diff", str(old), str(new), key=None)
    assert "~ name" in text.stdout and 'fields.company: null → "Initech"' in text.stdout
    bad = cli("diff", "x" * 5000, str(new), key=None)
    assert bad.returncode == 1 and "neither a payload file nor a token" in bad.stderr
