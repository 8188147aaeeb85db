"""`workbench gui --screenshot` end to end: a PNG, and the member in the data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_KEY, Cli

needs_x_server = pytest.mark.skipif(
    not os.environ.get("DISPLAY"), reason="needs an X server (scripts/test.sh runs Xvfb)"
)


@pytest.mark.slow
@needs_x_server
def test_screenshot_logs_in_and_writes_a_png(cli: Cli, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    data = tmp_path / "data"
    result = cli(
        "gui",
        "--data-dir",
        str(data),
        "--screenshot",
        str(shot),
        "--payload",
        str(REPO / "resources" / "payloads" / "new-member.json"),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() >= 1000 and image.height() >= 600
    from workbench.emulator.store import DB_NAME, Store

    store = Store(data / DB_NAME)
    try:
        member = store.member_by_external_id("user-2002")
        assert member is not None and member.name == "Sam Rivera"
    finally:
        store.close()
    assert TEST_KEY not in result.stdout + result.stderr


def test_screenshot_without_a_key_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "gui",
        "--data-dir",
        str(tmp_path),
        "--screenshot",
        str(tmp_path / "x.png"),
        key=None,
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
    )
    assert result.returncode == 2
    assert "WORKBENCH_SSO_KEY" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_no_display_is_exit_2_in_one_line(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "gui",
        "--data-dir",
        str(tmp_path),
        env={"DISPLAY": None, "WAYLAND_DISPLAY": None, "QT_QPA_PLATFORM": None},
    )
    assert result.returncode == 2
    assert "xvfb-run" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@needs_x_server
def test_a_dark_scheme_gives_a_dark_window(cli: Cli, tmp_path: Path) -> None:
    shot = tmp_path / "dark.png"
    result = cli(
        "gui",
        "--data-dir",
        str(tmp_path / "d"),
        "--screenshot",
        str(shot),
        timeout=120,
        env={"WORKBENCH_COLOR_SCHEME": "dark"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    from PySide6.QtGui import QColor, QImage

    image = QImage(str(shot))
    # the status bar and the claims panel's empty lower part are window background
    background = QColor(image.pixel(8, image.height() - 60))
    assert background.lightness() < 80, background.name()
