"""Desktop integration: the entry and the metadata validate, and the installer puts them in
place for the current user."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, Cli

APP_ID = "org.ssoworkbench.Workbench"
DESKTOP = REPO / "resources" / "desktop" / f"{APP_ID}.desktop"
METAINFO = REPO / "resources" / "desktop" / f"{APP_ID}.metainfo.xml"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("WORKBENCH_TEST_SESSION"):
            pytest.fail(f"{name} should have been installed by scripts/setup.sh --test")
        pytest.skip(f"{name} is installed by scripts/setup.sh --test")
    return found


def test_the_desktop_entry_validates() -> None:
    result = subprocess.run(
        [tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_the_appstream_metadata_validates() -> None:
    result = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_icons_in_every_size() -> None:
    sizes = sorted(
        int(p.name.split("x")[0]) for p in (REPO / "resources" / "icons" / "hicolor").iterdir()
    )
    assert sizes == [16, 24, 32, 48, 64, 128, 256, 512]
    assert (REPO / "resources" / "icons" / f"{APP_ID}.svg").is_file()


def test_install_desktop_entry_for_the_current_user(cli: Cli, tmp_path: Path) -> None:
    cli.env["XDG_DATA_HOME"] = str(tmp_path)
    result = cli("--install-desktop-entry", key=None)
    assert result.returncode == 0, result.stderr
    desktop = tmp_path / "applications" / f"{APP_ID}.desktop"
    text = desktop.read_text()
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line.endswith(" gui") and "/" in exec_line  # an absolute command
    assert (tmp_path / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (tmp_path / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png").is_file()
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    validate = subprocess.run(
        [tool("desktop-file-validate"), str(desktop)], capture_output=True, text=True, check=False
    )
    assert validate.returncode == 0, validate.stdout


def test_version_is_the_projects(cli: Cli) -> None:
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    result = cli("--version", key=None)
    assert result.stdout.strip() == f"workbench {version}"
    assert f"## {version}" in (REPO / "CHANGELOG.md").read_text()
