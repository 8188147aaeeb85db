"""After everything else (this folder sorts last): the key is in no file any test left behind.

The tests sign with TEST_KEY through the environment, run the emulator, the GUI (preview,
screenshots, HAR exports, personas, browser profile) and the command line, all inside pytest's
temporary directories. None of those files, nor their names, may hold the key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TEST_KEY


def test_the_key_is_in_no_file_the_suite_wrote(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = Path(tmp_path_factory.getbasetemp())
    needle = TEST_KEY.encode()
    scanned = 0
    leaks: list[str] = []
    for path in base.rglob("*"):
        if TEST_KEY in str(path):
            leaks.append(f"name: {path}")
        if not path.is_file() or path.is_symlink():
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        scanned += 1
        if needle in data or needle.decode().encode("utf-16-le") in data:
            leaks.append(str(path.relative_to(base)))
    assert not leaks, f"the key leaked into: {leaks}"
    if scanned == 0:
        pytest.skip("run with the whole suite: nothing was written yet")


def test_the_key_is_in_no_process_argument_list(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import REPO
    from tests.emulator.test_serve import wait_ready

    env = {**os.environ, "WORKBENCH_SSO_KEY": TEST_KEY, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "serve", "--port", "0", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        wait_ready(proc)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert TEST_KEY.encode() not in cmdline
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert TEST_KEY not in out + err
