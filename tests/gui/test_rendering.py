"""The preview draws in software unless WORKBENCH_PREVIEW_GPU asks for the GPU: no GL driver in
the workbench process, about 100 MB less resident memory, and Qt's no-OpenGL complaints kept out
of the user's terminal."""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, Cli

pytestmark = pytest.mark.gui

needs_display = pytest.mark.skipif(
    not os.environ.get("DISPLAY"), reason="the GL driver is only loaded under a real X server"
)

SETTINGS_PROBE = """
import json, os
from workbench.gui.rendering import prepare_rendering
prepare_rendering()
from PySide6.QtQuick import QQuickWindow
print(json.dumps({
    "flags": os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split(),
    "xcb_gl": os.environ.get("QT_XCB_GL_INTEGRATION"),
    "backend": QQuickWindow.sceneGraphBackend(),
}))
"""


# What this test process's own set-up (tests/gui/conftest.py) has already put in os.environ.
RENDERING_VARIABLES = (
    "QTWEBENGINE_CHROMIUM_FLAGS",
    "QT_XCB_GL_INTEGRATION",
    "WORKBENCH_PREVIEW_GPU",
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in RENDERING_VARIABLES}
    return {**env, "PYTHONPATH": str(REPO), **extra}


def settings(**extra: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE],
        capture_output=True,
        text=True,
        check=True,
        env=clean_env(**extra),
    )
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_software_drawing_is_the_default() -> None:
    found = settings()
    assert "--disable-gpu" in found["flags"]
    assert found["xcb_gl"] == "none"
    assert found["backend"] == "software"
    # The quiet-network flags are kept, once each.
    assert found["flags"].count("--disable-background-networking") == 1


@pytest.mark.parametrize("value", ["1", "yes", "true"])
def test_the_gpu_path_is_one_variable_away(value: str) -> None:
    found = settings(WORKBENCH_PREVIEW_GPU=value)
    assert "--disable-gpu" not in found["flags"]
    assert found["xcb_gl"] is None
    assert found["backend"] != "software"


def test_a_users_own_chromium_flags_are_kept() -> None:
    found = settings(QTWEBENGINE_CHROMIUM_FLAGS="--lang=de --disable-gpu")
    assert found["flags"][:2] == ["--lang=de", "--disable-gpu"]
    assert found["flags"].count("--disable-gpu") == 1


def test_the_software_mode_noise_is_filtered_and_nothing_else(qtlog: Any) -> None:
    from PySide6.QtCore import qInfo, qWarning

    from workbench.gui.rendering import install_message_filter

    install_message_filter()
    qWarning("QRhiGles2: Failed to create temporary context")
    qWarning("Failed to create RHI for backend: OpenGL")
    qInfo("a line the user should see")  # below the suite's fail level, but recorded
    messages = [record.message for record in qtlog.records]
    assert messages == ["a line the user should see"]


def memory_probe(cli: Cli, tmp_path: Path, **extra: str) -> dict[str, int]:
    unset: dict[str, str | None] = dict.fromkeys(RENDERING_VARIABLES)
    result = cli(
        "gui",
        "--data-dir",
        str(tmp_path),
        timeout=120,
        env={**unset, "WORKBENCH_STARTUP_PROBE": "memory", **extra},
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("PROBE")), "")
    assert line, result.stderr[-800:]
    assert "OpenGL" not in result.stderr  # the filtered noise stays out of the terminal
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}


@needs_display
def test_no_gl_driver_in_the_workbench_process(cli: Cli, tmp_path: Path) -> None:
    figures = memory_probe(cli, tmp_path)
    assert figures["gl_driver"] == 0


@needs_display
@pytest.mark.skipif(
    not glob.glob("/usr/lib/*/dri/*_dri.so"), reason="no Mesa driver on this machine"
)
def test_the_gpu_path_loads_the_driver_and_costs_memory(cli: Cli, tmp_path: Path) -> None:
    software = memory_probe(cli, tmp_path / "software")
    gpu = memory_probe(cli, tmp_path / "gpu", WORKBENCH_PREVIEW_GPU="1")
    assert (software["gl_driver"], gpu["gl_driver"]) == (0, 1)
    assert gpu["rss_kib"] > software["rss_kib"]
