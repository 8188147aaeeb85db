from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_KEY
from workbench.gui.rendering import prepare_rendering

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The tests draw the way the workbench does: the same environment, before any QApplication.
prepare_rendering()


@pytest.fixture(autouse=True)
def _no_unexpected_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal dialog nobody expected would block the test run: fail at once instead."""
    from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"unexpected modal dialog: {args[1:3]!r}")

    for name in ("warning", "critical", "question", "information"):
        monkeypatch.setattr(QMessageBox, name, refuse)
    monkeypatch.setattr(QMessageBox, "exec", refuse)
    monkeypatch.setattr(QDialog, "exec", refuse)
    monkeypatch.setattr(QInputDialog, "getText", refuse)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", refuse)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", refuse)


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from workbench.emulator.fixture import sample_fixture
    from workbench.gui.emulator_host import EmulatorHost
    from workbench.gui.key_controller import KeyController
    from workbench.gui.window import MainWindow
    from workbench.paths import read_resource_text
    from workbench.sso import Payload

    monkeypatch.setenv("WORKBENCH_SSO_KEY", TEST_KEY)
    data = tmp_path / "data"
    data.mkdir()
    keys = KeyController("localhost")
    host = EmulatorHost(data, sample_fixture(), keys.key)
    payload = Payload.from_json(read_resource_text("payloads", "dana.json")).to_dict()
    win = MainWindow(data, host, keys, payload)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(host.started, timeout=20000):
        host.start()
    yield win
    win.close()
