"""`workbench gui --screenshot` end to end: a PNG, and the member in the data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_KEY


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("DISPLAY"), reason="needs an X server (scripts/test.sh runs Xvfb)"
)
def test_screenshot_logs_in_and_writes_a_png(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    data = tmp_path / "data"
    env = {**os.environ, "WORKBENCH_SSO_KEY": TEST_KEY, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "gui",
            "--data-dir",
            str(data),
            "--screenshot",
            str(shot),
            "--payload",
            str(REPO / "resources" / "payloads" / "new-member.json"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
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


def test_screenshot_without_a_key_is_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_SSO_KEY"}
    env.update({"PYTHONPATH": str(REPO), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "gui",
            "--data-dir",
            str(tmp_path),
            "--screenshot",
            str(tmp_path / "x.png"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "WORKBENCH_SSO_KEY" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_no_display_is_exit_2_in_one_line(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env.update({"PYTHONPATH": str(REPO), "WORKBENCH_SSO_KEY": TEST_KEY})
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "gui", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "xvfb-run" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("DISPLAY"), reason="needs an X server (scripts/test.sh runs Xvfb)"
)
def test_a_dark_scheme_gives_a_dark_window(tmp_path: Path) -> None:
    shot = tmp_path / "dark.png"
    env = {
        **os.environ,
        "WORKBENCH_SSO_KEY": TEST_KEY,
        "PYTHONPATH": str(REPO),
        "WORKBENCH_COLOR_SCHEME": "dark",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "gui",
            "--data-dir",
            str(tmp_path / "d"),
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    from PySide6.QtGui import QColor, QImage

    image = QImage(str(shot))
    # the status bar and the claims panel's empty lower part are window background
    background = QColor(image.pixel(8, image.height() - 60))
    assert background.lightness() < 80, background.name()
