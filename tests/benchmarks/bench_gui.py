"""Desktop benchmarks: live token update, start-up and memory.

The live update runs in this process with real widgets; start-up and memory run the real
`workbench gui` with its measuring probe (WORKBENCH_STARTUP_PROBE).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.harness import KEY, Result, env, median, percentile, populate


def big_payload(base: dict[str, Any]) -> dict[str, Any]:
    payload = dict(base)
    for i in range(200):
        payload[f"field{i}"] = f"value {i}"
    payload["spaces"] = [
        {"spaceId": "sp_general" if i % 2 else "sp_beta", "action": "JOIN" if i % 3 else "LEAVE"}
        for i in range(100)
    ]
    return payload


def live_update(samples: int) -> list[Result]:
    """Keystroke in the claims form to token, findings and decoded view updated."""
    import os

    import jwt
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    os.environ["WORKBENCH_SSO_KEY"] = KEY
    from workbench.gui.rendering import install_message_filter, prepare_rendering

    prepare_rendering()
    from workbench.emulator.fixture import sample_fixture
    from workbench.gui.emulator_host import EmulatorHost
    from workbench.gui.key_controller import KeyController
    from workbench.gui.window import MainWindow
    from workbench.paths import read_resource_text
    from workbench.sso import Payload, prepare_claims

    app = QApplication.instance() or QApplication([])
    install_message_filter()
    typical = Payload.from_json(read_resource_text("payloads", "dana.json")).to_dict()
    results = []
    for label, payload in (
        ("typical payload", typical),
        ("200 fields + 100 spaces entries", big_payload(typical)),
    ):
        with tempfile.TemporaryDirectory() as data:
            keys = KeyController("localhost")
            host = EmulatorHost(Path(data), sample_fixture(), keys.key)
            window = MainWindow(Path(data), host, keys, payload)
            window.show()
            host.start()
            deadline = time.monotonic() + 20
            while host.store is None and time.monotonic() < deadline:
                app.processEvents()
                time.sleep(0.01)
            edit = window.claims.edits["sub"]
            edit.setFocus()
            edit.end(False)
            timings = []
            for i in range(samples):
                before = window.controller.state
                started = time.perf_counter()
                QTest.keyClick(edit, "abcdefghij"[i % 10])
                timings.append((time.perf_counter() - started) * 1000)
                assert window.controller.state is not before  # it really re-signed
                if i % 20 == 19:
                    QTest.keyClick(edit, Qt.Key.Key_Backspace)  # keep sub under 50 characters
                    for _ in range(19):
                        QTest.keyClick(edit, Qt.Key.Key_Backspace)
                app.processEvents()
            claims = prepare_claims(window.model.payload())
            bare = []
            for _ in range(samples):
                started = time.perf_counter()
                jwt.decode(jwt.encode(claims, KEY, algorithm="HS256"), KEY, algorithms=["HS256"])
                bare.append((time.perf_counter() - started) * 1000)
            window.close()
            app.processEvents()
            p95 = percentile(timings, 0.95)
            results.append(
                Result(
                    "live token update",
                    f"p95, {label}",
                    p95,
                    percentile(bare, 0.95),
                    "ms",
                    "< 16 ms (one frame)",
                    p95 < 16,
                    {"p50_ms": percentile(timings, 0.5), "samples": samples},
                )
            )
    return results


def _probe(data_dir: Path, kind: str) -> tuple[float, str]:
    command = [sys.executable, "-m", "workbench", "gui", "--data-dir", str(data_dir)]
    started = time.perf_counter()
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**env(), "WORKBENCH_STARTUP_PROBE": kind},
    )
    elapsed = time.perf_counter() - started
    line = next((x for x in proc.stdout.splitlines() if x.startswith("PROBE")), "")
    if not line:
        raise RuntimeError(f"the {kind} probe said nothing: {proc.stderr[-500:]}")
    return elapsed, line


def startup(runs: int) -> list[Result]:
    """Process start to the main window shown and interactive; import PySide6.QtWidgets as the
    baseline."""
    times, imports = [], []
    with tempfile.TemporaryDirectory() as data:
        for _ in range(runs):
            times.append(_probe(Path(data), "startup")[0])
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", "import PySide6.QtWidgets"], check=True, env=env()
            )
            imports.append(time.perf_counter() - started)
    value = median(times)
    return [
        Result(
            "start-up",
            f"median of {runs} runs",
            value,
            median(imports),
            "s",
            "< 1.5 s",
            value < 1.5,
            {"runs_s": times},
        )
    ]


def memory(members: int) -> list[Result]:
    """Resident memory of the workbench with the emulator running and `members` in the store."""
    with tempfile.TemporaryDirectory() as data:
        populate(Path(data), members)
        _elapsed, line = _probe(Path(data), "memory")
    figures = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
    rss_mb = figures["rss_kib"] / 1024
    return [
        Result(
            "memory",
            f"workbench RSS, {figures['members']:,} members",
            rss_mb,
            None,
            "MB",
            "< 300 MB",
            rss_mb < 300,
            figures,
        ),
        *(
            Result("memory", measure, figures[field] / 1024, None, "MB", "reported", None)
            for measure, field in (
                ("of which the process's own (anonymous) pages", "anon_kib"),
                ("of which mapped files (shared libraries)", "file_kib"),
                ("QtWebEngine helper processes", "webengine_kib"),
            )
        ),
    ]
