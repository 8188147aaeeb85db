"""`workbench token` and `workbench decode` through a real subprocess (CONTRACT.md section 1)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest

from tests.conftest import TEST_KEY, Cli, base_payload, write_json
from workbench.sso import sign
from workbench.sso.tokens import sign_raw


def test_token_signs_with_iat_now_and_exp_in_60_seconds(cli: Cli, tmp_path: Path) -> None:
    payload = write_json(tmp_path / "p.json", base_payload(company="Acme"))
    before = int(time.time())
    result = cli("token", "--payload", str(payload))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    claims = jwt.decode(lines[0], TEST_KEY, algorithms=["HS256"])
    assert before <= claims["iat"] <= int(time.time())
    assert claims["exp"] == claims["iat"] + 60
    assert list(claims)[:4] == ["sub", "name", "email", "company"]
    assert result.stderr == ""


def test_token_ttl_and_existing_claims(cli: Cli, tmp_path: Path) -> None:
    payload = write_json(tmp_path / "p.json", base_payload())
    claims = jwt.decode(
        cli("token", "--payload", str(payload), "--ttl", "30").stdout.strip(),
        TEST_KEY,
        algorithms=["HS256"],
    )
    assert claims["exp"] - claims["iat"] == 30
    now = int(time.time())
    fixed = write_json(tmp_path / "f.json", base_payload(iat=now - 5, exp=now + 20))
    claims = jwt.decode(
        cli("token", "--payload", str(fixed)).stdout.strip(), TEST_KEY, algorithms=["HS256"]
    )
    assert (claims["iat"], claims["exp"]) == (now - 5, now + 20)


def test_token_no_exp_warns_on_stderr(cli: Cli, tmp_path: Path) -> None:
    payload = write_json(tmp_path / "p.json", base_payload())
    result = cli("token", "--payload", str(payload), "--no-exp")
    assert result.returncode == 0
    assert "exp" not in jwt.decode(result.stdout.strip(), TEST_KEY, algorithms=["HS256"])
    assert result.stderr.splitlines() == [result.stderr.splitlines()[0]]
    assert result.stderr.startswith("warning no_expiry")


def test_token_reads_stdin(cli: Cli) -> None:
    result = cli("token", "--payload", "-", stdin=json.dumps(base_payload()))
    assert result.returncode == 0
    assert jwt.decode(result.stdout.strip(), TEST_KEY, algorithms=["HS256"])["sub"] == "user-1"


def test_token_with_errors_prints_no_token_and_exits_1(cli: Cli) -> None:
    result = cli("token", "--payload", "-", stdin=json.dumps({"sub": 42, "name": "D"}))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "error invalid_claim (sub): sub is a number; send String(user.id)" in result.stderr
    assert "error missing_claim (email)" in result.stderr


def test_token_allow_invalid_prints_it_anyway(cli: Cli) -> None:
    result = cli("token", "--payload", "-", "--allow-invalid", stdin='{"sub": 42}')
    assert result.returncode == 0
    claims = jwt.decode(
        result.stdout.strip(), TEST_KEY, algorithms=["HS256"], options={"verify_sub": False}
    )
    assert claims["sub"] == 42
    assert "missing_claim" in result.stderr


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        ("[1, 2]", "JSON array"),
        ("not json", "not valid JSON"),
        ("", "empty"),
        ("null", "JSON null"),
    ],
)
def test_token_payload_that_is_not_an_object_exits_1(cli: Cli, stdin: str, expected: str) -> None:
    result = cli("token", "--payload", "-", stdin=stdin)
    assert result.returncode == 1
    assert result.stdout == ""
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_binary_and_huge_stdin(cli: Cli) -> None:
    binary = cli("token", "--payload", "-", stdin=b"\xff\xfe\x00\x01" * 100)
    assert binary.returncode == 1 and "not UTF-8" in binary.stderr
    huge = cli("token", "--payload", "-", stdin=b'{"a": "' + b"x" * (3 * 1024 * 1024) + b'"}')
    assert huge.returncode == 1 and "over 1 MiB" in huge.stderr
    for result in (binary, huge):
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unreadable_payload_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    missing = cli("token", "--payload", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    directory = cli("token", "--payload", str(tmp_path))
    assert directory.returncode == 2 and "directory" in directory.stderr
    for result in (missing, directory):
        assert len(result.stderr.strip().splitlines()) == 1


def test_no_key_exits_2_and_says_how_to_set_one(cli: Cli, tmp_path: Path) -> None:
    payload = write_json(tmp_path / "p.json", base_payload())
    env_backup = dict(cli.env)
    cli.env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    try:
        result = cli("token", "--payload", str(payload), key=None)
    finally:
        cli.env = env_backup
    assert result.returncode == 2
    assert "WORKBENCH_SSO_KEY" in result.stderr and "gnome-keyring" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["--ttl", "0"], ["--ttl", "soon"], ["--bogus"]])
def test_usage_errors_exit_2_in_one_line(cli: Cli, args: list[str]) -> None:
    result = cli("token", "--payload", "-", *args, stdin="{}")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--help" in result.stderr


def test_decode_a_valid_token(cli: Cli) -> None:
    token = sign(
        {**base_payload(), "iat": int(time.time()), "exp": int(time.time()) + 60}, TEST_KEY
    )
    result = cli("decode", token)
    assert result.returncode == 0
    out = json.loads(result.stdout)
    assert set(out) == {"header", "payload", "signature", "findings"}
    assert out["signature"] == "valid" and out["findings"] == []
    assert out["payload"]["sub"] == "user-1"


def test_decode_reads_stdin_and_sso_urls(cli: Cli) -> None:
    token = sign({**base_payload(), "exp": int(time.time()) + 60}, TEST_KEY)
    assert json.loads(cli("decode", "-", stdin=token + "\n").stdout)["signature"] == "valid"
    url = f"https://acme.example/api/auth/sso?jwt={token}&redirect_uri=/spaces"
    assert json.loads(cli("decode", url).stdout)["payload"]["sub"] == "user-1"


def test_decode_invalid_signature_exits_1(cli: Cli) -> None:
    token = sign({**base_payload(), "exp": int(time.time()) + 60}, "other")
    result = cli("decode", token)
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert out["signature"] == "invalid"
    assert out["findings"][0]["code"] == "invalid_signature"
    assert set(out["findings"][0]) == {"level", "code", "field", "message"}


def test_decode_no_verify_needs_no_key(cli: Cli) -> None:
    token = sign({**base_payload(), "exp": int(time.time()) + 60}, "other")
    result = cli("decode", token, "--no-verify", key=None)
    assert result.returncode == 0
    assert json.loads(result.stdout)["signature"] == "unverified"


@pytest.mark.parametrize("text", ["hello", "a.b.c", "....", "\x00\x01", "eyJ" * 10])
def test_decode_garbage_is_malformed_not_a_traceback(cli: Cli, text: str) -> None:
    result = cli("decode", "-", stdin=text)
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert out["findings"][0]["code"] == "malformed_token"
    assert "Traceback" not in result.stderr


def test_decode_alg_none(cli: Cli) -> None:
    token = sign_raw({"alg": "none"}, base_payload(), None)
    out = json.loads(cli("decode", token).stdout)
    assert out["findings"][0]["code"] == "unsupported_algorithm"
    assert out["signature"] == "invalid"


def test_decode_without_key_exits_2(cli: Cli) -> None:
    cli.env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    result = cli("decode", "a.b.c", key=None)
    assert result.returncode == 2
    assert "--no-verify" in result.stderr or "WORKBENCH_SSO_KEY" in result.stderr


def test_help_has_examples(cli: Cli) -> None:
    top = cli("--help")
    assert top.returncode == 0 and "examples:" in top.stdout
    for command in ("token", "decode", "key", "serve", "gui"):
        result = cli(command, "--help")
        assert result.returncode == 0
        assert "example" in result.stdout


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("workbench ")
