"""The SSO private key in the OS keyring (never in a file), with the environment as override.

Service `bettermode-sso-workbench`, user name = the community domain. A missing, locked, null or
plaintext backend is reported in words that say how to fix it; there is no fallback to a file.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import Any, Literal

import keyring
import keyring.errors

SERVICE = "bettermode-sso-workbench"
ENV_VAR = "WORKBENCH_SSO_KEY"
DEFAULT_COMMUNITY = "localhost"
GENERATED_KEY_BYTES = 48  # 384 bits, above the 256 the platform's HS256 needs
MAX_KEY_LENGTH = 4096

_FIX_BACKEND = (
    "on Linux run a Secret Service such as gnome-keyring (apt-get install gnome-keyring) in a "
    f"D-Bus session, or set {ENV_VAR} for this shell"
)


class KeyStoreError(Exception):
    """Root of the key store's errors; the message is meant for the user as it is."""


class BackendUnavailableError(KeyStoreError):
    """No keyring backend that keeps secrets safely (none, null, fail or plaintext)."""


class KeyringLockedError(KeyStoreError):
    """The keyring exists but is locked, and unlocking was refused."""


class NoKeyError(KeyStoreError):
    """No key for this community in the environment or the keyring."""


class InvalidKeyError(KeyStoreError):
    """The key given cannot be an SSO key (empty, control characters, too long)."""


@dataclass(frozen=True, slots=True)
class BackendStatus:
    name: str
    usable: bool
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class FoundKey:
    value: str = ""
    origin: Literal["environment", "keyring"] = "keyring"

    def __repr__(self) -> str:  # never let a key reach a log through repr()
        return f"FoundKey(value={mask(self.value)!r}, origin={self.origin!r})"

    __str__ = __repr__


def mask(key: str) -> str:
    """First 4 characters, then an ellipsis: enough to tell keys apart, not to use one."""
    return key[:4] + "…"


def backend_status() -> BackendStatus:
    """Which keyring backend is in use and whether it keeps secrets safely."""
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # keyring's backend discovery can fail in many ways
        return BackendStatus(
            "none", False, f"the keyring could not be loaded ({exc}); {_FIX_BACKEND}"
        )
    return _status_of(backend)


def _status_of(backend: Any) -> BackendStatus:
    cls = type(backend)
    module = cls.__module__
    name = str(getattr(backend, "name", cls.__name__))
    if module.startswith("keyring.backends.chainer"):
        usable = [b for b in getattr(backend, "backends", []) if _status_of(b).usable]
        if not usable:
            return BackendStatus(name, False, f"no keyring backend is available; {_FIX_BACKEND}")
        return BackendStatus(_status_of(usable[0]).name, True)
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return BackendStatus(
            name, False, f"no keyring backend is available ({name}); {_FIX_BACKEND}"
        )
    if module.startswith("keyrings.alt") or "plaintext" in cls.__name__.lower():
        return BackendStatus(
            name,
            False,
            f"the keyring backend {name} keeps secrets in a file, which this workbench refuses; "
            f"{_FIX_BACKEND}",
        )
    return BackendStatus(name, True)


def _require_backend() -> None:
    status = backend_status()
    if not status.usable:
        raise BackendUnavailableError(status.problem or "no keyring backend")


def _call(action: str, func: Any, *args: Any) -> Any:
    """Run one keyring call, turning its exceptions into messages a person can act on."""
    try:
        return func(*args)
    except keyring.errors.KeyringLocked:
        raise KeyringLockedError(
            f"could not {action}: the keyring is locked; unlock it (log in to the desktop "
            "session, or `gnome-keyring-daemon --unlock`) and try again"
        ) from None
    except keyring.errors.NoKeyringError:
        raise BackendUnavailableError(
            f"could not {action}: no keyring backend; {_FIX_BACKEND}"
        ) from None
    except keyring.errors.KeyringError as exc:
        raise KeyStoreError(
            f"could not {action}: the keyring refused ({exc}); {_FIX_BACKEND}"
        ) from None
    except Exception as exc:  # D-Bus errors from SecretStorage and similar
        raise KeyStoreError(f"could not {action}: {type(exc).__name__}: {exc}") from None


def validate_key(key: str) -> str:
    key = key.strip()
    if not key:
        raise InvalidKeyError("the key is empty; paste the Single Sign-On private key")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidKeyError(f"the key is {len(key)} characters; the limit is {MAX_KEY_LENGTH}")
    if any(ord(c) < 32 or ord(c) == 127 for c in key):
        raise InvalidKeyError("the key has control characters; paste it as one line of text")
    return key


def find_key(community: str = DEFAULT_COMMUNITY) -> FoundKey | None:
    """The key from WORKBENCH_SSO_KEY, else from the keyring; None when neither has one."""
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return FoundKey(validate_key(from_env), "environment")
    _require_backend()
    stored = _call("read the key", keyring.get_password, SERVICE, community)
    return FoundKey(stored, "keyring") if stored else None


def get_key(community: str = DEFAULT_COMMUNITY) -> str:
    found = find_key(community)
    if found is None:
        raise NoKeyError(
            f"no SSO key for {community}: run `workbench key generate` (for the local emulator) "
            f"or `workbench key set` (to paste your community's key), or set {ENV_VAR}"
        )
    return found.value


def stored_key(community: str = DEFAULT_COMMUNITY) -> str | None:
    """The key in the keyring only, ignoring the environment."""
    _require_backend()
    value = _call("read the key", keyring.get_password, SERVICE, community)
    return str(value) if value else None


def set_key(key: str, community: str = DEFAULT_COMMUNITY) -> None:
    key = validate_key(key)
    _require_backend()
    _call("store the key", keyring.set_password, SERVICE, community, key)


def generate_key(community: str = DEFAULT_COMMUNITY) -> str:
    key = secrets.token_urlsafe(GENERATED_KEY_BYTES)
    set_key(key, community)
    return key


def delete_key(community: str = DEFAULT_COMMUNITY) -> bool:
    """Remove the stored key; False when there was none."""
    _require_backend()
    if _call("read the key", keyring.get_password, SERVICE, community) is None:
        return False
    try:
        _call("delete the key", keyring.delete_password, SERVICE, community)
    except KeyStoreError:
        if _call("read the key", keyring.get_password, SERVICE, community) is None:
            return False
        raise
    return True
