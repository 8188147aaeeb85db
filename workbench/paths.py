"""Where the workbench keeps its data: one place, overridable, so tests never touch the home."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import platformdirs

APP_NAME = "sso-workbench"


class DataDirError(OSError):
    """The data directory cannot be created or written."""


def data_dir(override: str | Path | None = None) -> Path:
    """`--data-dir` when given, else the platform's user data directory; created if missing."""
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"cannot use data directory {path}: {exc.strerror or exc}") from None
    if not path.is_dir():
        raise DataDirError(f"cannot use data directory {path}: it is not a directory")
    return path


def resource_root() -> Traversable:
    """The shipped resources: inside the wheel as workbench/resources, else the source tree's."""
    packaged = resources.files("workbench") / "resources"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Traversable:
    node = resource_root()
    for part in parts:
        node = node / part
    return node


def read_resource_text(*parts: str) -> str:
    return resource(*parts).read_text(encoding="utf-8")
