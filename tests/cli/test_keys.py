"""The key store against the real Secret Service of the test session, and its failure modes."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import keyring
import pytest

from tests.conftest import Cli
from workbench import keys


def _secret_service_available() -> bool:
    return keys.backend_status().usable and "SecretService" in keys.backend_status().name


@pytest.fixture
def community() -> Iterator[str]:
    if not _secret_service_available():
        if os.environ.get("WORKBENCH_TEST_SESSION"):
            pytest.fail("the test session has no unlocked Secret Service")
        pytest.skip("no Secret Service here; scripts/test.sh provides one")
    name = f"test-{uuid.uuid4().hex[:8]}.example"
    yield name
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(keys.SERVICE, name)


@pytest.mark.keyring
def test_set_show_reveal_delete_through_the_cli(cli: Cli, community: str) -> None:
    secret = "sso-" + uuid.uuid4().hex
    set_result = cli(
        "key", "set", "--stdin", "--community", community, stdin=secret + "\n", key=None
    )
    assert set_result.returncode == 0, set_result.stderr
    assert secret not in set_result.stdout + set_result.stderr
    assert keyring.get_password(keys.SERVICE, community) == secret

    shown = cli("key", "show", "--community", community, key=None)
    assert shown.stdout.strip() == secret[:4] + "…"
    revealed = cli("key", "show", "--reveal", "--community", community, key=None)
    assert revealed.stdout.strip() == secret

    assert cli("key", "delete", "--community", community, key=None).returncode == 0
    assert keyring.get_password(keys.SERVICE, community) is None
    gone = cli("key", "show", "--community", community, key=None)
    assert gone.returncode == 2 and "workbench key generate" in gone.stderr


@pytest.mark.keyring
def test_generate_stores_a_long_random_key(cli: Cli, community: str) -> None:
    result = cli("key", "generate", "--community", community, key=None)
    assert result.returncode == 0, result.stderr
    stored = keyring.get_password(keys.SERVICE, community)
    assert stored is not None and len(stored) * 6 >= 256
    assert stored not in result.stdout + result.stderr
    assert result.stdout.strip().endswith(stored[:4] + "…")
    again = cli("key", "generate", "--community", community, key=None)
    assert keyring.get_password(keys.SERVICE, community) != stored
    assert again.returncode == 0


@pytest.mark.keyring
def test_token_uses_the_keyring_key(cli: Cli, community: str) -> None:
    keys.set_key("keyring-key-for-token-0123456789abcdef", community)
    result = cli(
        "token",
        "--community",
        community,
        "--payload",
        "-",
        key=None,
        stdin='{"sub": "u", "name": "N", "email": "n@example.com"}',
    )
    assert result.returncode == 0, result.stderr
    import jwt

    assert jwt.decode(
        result.stdout.strip(), "keyring-key-for-token-0123456789abcdef", algorithms=["HS256"]
    )


@pytest.mark.keyring
def test_environment_overrides_the_keyring(community: str, monkeypatch: pytest.MonkeyPatch) -> None:
    keys.set_key("from-keyring", community)
    monkeypatch.setenv(keys.ENV_VAR, "from-environment")
    found = keys.find_key(community)
    assert found is not None and (found.value, found.origin) == ("from-environment", "environment")
    assert "from-environment" not in repr(found)


@pytest.mark.keyring
def test_set_refuses_an_empty_key(cli: Cli, community: str) -> None:
    result = cli("key", "set", "--stdin", "--community", community, stdin="  \n", key=None)
    assert result.returncode == 2 and "empty" in result.stderr
    assert keyring.get_password(keys.SERVICE, community) is None


def test_set_without_a_terminal_says_to_use_stdin(cli: Cli) -> None:
    result = cli("key", "set", key=None)
    assert result.returncode == 2 and "--stdin" in result.stderr


@pytest.mark.parametrize(
    "backend", ["keyring.backends.null.Keyring", "keyring.backends.fail.Keyring"]
)
@pytest.mark.parametrize("action", [["set", "--stdin"], ["generate"], ["show"], ["delete"]])
def test_an_unusable_backend_is_exit_2_in_words(cli: Cli, backend: str, action: list[str]) -> None:
    cli.env["PYTHON_KEYRING_BACKEND"] = backend
    result = cli("key", *action, stdin="abc", key=None)
    assert result.returncode == 2
    assert "gnome-keyring" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_plaintext_backend_is_refused() -> None:
    class PlaintextKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            raise AssertionError("must never be called")

        def delete_password(self, service: str, username: str) -> None:
            raise AssertionError("must never be called")

    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        status = keys.backend_status()
        assert not status.usable and "file" in (status.problem or "")
        with pytest.raises(keys.BackendUnavailableError):
            keys.set_key("abc", "x.example")
    finally:
        keyring.set_keyring(previous)


def test_mask_shows_four_characters() -> None:
    assert keys.mask("abcdefgh") == "abcd…"
