"""Key set, generate and reveal from the window, against the test session's Secret Service."""

from __future__ import annotations

import contextlib
import os
import uuid
from typing import Any

import keyring
import pytest
from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QMessageBox

from workbench import keys


@pytest.fixture
def community(window: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    status = keys.backend_status()
    if not (status.usable and "SecretService" in status.name):
        if os.environ.get("WORKBENCH_TEST_SESSION"):
            pytest.fail("the test session has no unlocked Secret Service")
        pytest.skip("no Secret Service here; scripts/test.sh provides one")
    monkeypatch.delenv("WORKBENCH_SSO_KEY")
    name = f"gui-{uuid.uuid4().hex[:8]}.example"
    window.domain.setCurrentText(name)
    window._domain_changed()
    yield name
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(keys.SERVICE, name)


@pytest.mark.keyring
def test_set_generate_and_reveal(window: Any, community: str, monkeypatch: Any) -> None:
    assert window.keys.key() is None
    assert "No key" in window.key_label.text() or "no SSO key" in window.key_label.text()
    assert window.controller.state.token is None

    secret = "pasted-" + uuid.uuid4().hex
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (secret, True))
    window.set_key()
    assert keyring.get_password(keys.SERVICE, community) == secret
    assert window.key_label.text().startswith(secret[:4] + "…")
    assert secret not in window.key_label.text()
    assert window.controller.state.token is not None

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.generate_key()
    generated = keyring.get_password(keys.SERVICE, community)
    assert generated and generated != secret

    shown: list[str] = []

    def capture(dialog: QDialog) -> int:
        shown.extend(edit.text() for edit in dialog.findChildren(QLineEdit))
        return 0

    monkeypatch.setattr(QDialog, "exec", capture)
    window.reveal_key()
    assert shown == [generated]

    shown.clear()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.reveal_key()
    assert shown == []  # no reveal without the deliberate yes
