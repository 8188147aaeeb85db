"""The wheel carries everything the app needs at run time, and works from a clean venv."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_KEY

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return next(out.glob("sso_workbench-*.whl"))


def test_the_wheel_carries_the_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "workbench/resources/templates/base.html",
        "workbench/resources/static/community.css",
        "workbench/resources/fixtures/sample-community.json",
        "workbench/resources/payloads/dana.json",
        "workbench/resources/icons/org.ssoworkbench.Workbench.svg",
        "workbench/resources/desktop/org.ssoworkbench.Workbench.desktop",
        "workbench/emulator/app.py",
        "workbench/gui/window.py",
    ):
        assert needed in names, needed
    assert not any(name.startswith("tests/") for name in names)


def test_a_clean_venv_gets_a_working_workbench(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert pip.returncode == 0, pip.stderr[-2000:]
    workbench = str(venv / "bin" / "workbench")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["WORKBENCH_SSO_KEY"] = TEST_KEY

    version = subprocess.run(
        [workbench, "--version"], capture_output=True, text=True, cwd=elsewhere, env=env, check=True
    )
    assert version.stdout.startswith("workbench ")

    proc = subprocess.Popen(
        [workbench, "serve", "--port", "0", "--data-dir", str(tmp_path / "d")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    try:
        assert proc.stdout is not None
        match = re.search(r"on (http://\S+)", proc.stdout.readline())
        assert match, proc.stderr.read() if proc.stderr else ""
        with urllib.request.urlopen(match.group(1) + "/_workbench/api/spaces", timeout=10) as r:
            spaces = json.loads(r.read())
        assert [s["id"] for s in spaces][:2] == ["sp_general", "sp_product"]
        with urllib.request.urlopen(match.group(1) + "/", timeout=10) as r:
            assert b"Acme Community" in r.read()
    finally:
        proc.terminate()
        proc.communicate(timeout=20)

    if os.environ.get("DISPLAY"):
        shot = tmp_path / "shot.png"
        gui = subprocess.run(
            [workbench, "gui", "--data-dir", str(tmp_path / "g"), "--screenshot", str(shot)],
            capture_output=True,
            text=True,
            cwd=elsewhere,
            env={**env, "QTWEBENGINE_DISABLE_SANDBOX": "1"},
            timeout=180,
            check=False,
        )
        assert gui.returncode == 0, gui.stderr[-2000:]
        assert shot.read_bytes()[:4] == b"\x89PNG"
