"""The desktop workbench with real widgets: panels, live token, findings, sync, personas."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import jwt
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox

from tests.conftest import TEST_KEY


def codes(win: Any) -> set[tuple[str, str | None]]:
    return {(f.code, f.field) for f in win.controller.state.findings}


def test_the_window_starts_with_a_valid_signed_token(window: Any) -> None:
    state = window.controller.state
    assert state.token is not None
    claims = jwt.decode(state.token, TEST_KEY, algorithms=["HS256"])
    assert claims["sub"] == "user-1001"
    assert claims["exp"] - claims["iat"] == 60
    assert "signature valid" in window.token.view.state_label.text()
    assert state.findings == []


def test_typing_in_the_claims_form_updates_token_and_findings(window: Any, qtbot: Any) -> None:
    sub = window.claims.edits["sub"]
    sub.clear()
    qtbot.keyClicks(sub, "user-42")
    assert jwt.decode(window.controller.state.token, TEST_KEY, algorithms=["HS256"])["sub"] == (
        "user-42"
    )
    email = window.claims.edits["email"]
    email.selectAll()
    qtbot.keyClicks(email, "not-an-email")
    assert ("invalid_claim", "email") in codes(window)
    assert "rejects it: invalid_claim" in window.token.view.state_label.text()
    texts = [
        window.token.view.findings.item(i).text() for i in range(window.token.view.findings.count())
    ]
    assert any("not an email address" in t for t in texts)
    assert '"user-42"' in window.token.view.payload.toPlainText()


def test_no_expiry_is_an_explicit_choice_and_warns(window: Any, qtbot: Any) -> None:
    window.claims.no_expiry.setChecked(True)
    assert "exp" not in window.controller.state.claims
    assert ("no_expiry", "exp") in codes(window)
    window.claims.no_expiry.setChecked(False)
    window.claims.ttl.setValue(3600)
    assert ("long_lifetime", "exp") in codes(window)


def test_forms_and_raw_json_stay_in_sync_both_ways(window: Any, qtbot: Any) -> None:
    window.claims.edits["name"].clear()
    qtbot.keyClicks(window.claims.edits["name"], "Scully")
    assert json.loads(window.json.editor.toPlainText())["name"] == "Scully"

    data = json.loads(window.json.editor.toPlainText())
    data["tagline"] = "From the JSON side"
    data["plan"] = "gold"
    window.json.editor.setPlainText(json.dumps(data, indent=2))
    window.json.parse_now()
    assert window.claims.edits["tagline"].text() == "From the JSON side"
    keys = [window.fields.table.item(r, 0).text() for r in range(window.fields.table.rowCount())]
    assert "plan" in keys


def test_invalid_json_is_marked_kept_and_locks_the_forms(window: Any, qtbot: Any) -> None:
    window.payload_tabs.setCurrentWidget(window.json)
    broken = '{\n  "sub": "user-1001",\n  "name": "Dana" "oops"\n}'
    window.json.editor.setPlainText(broken)
    window.json.parse_now()
    assert not window.json.valid
    assert window.json.editor.toPlainText() == broken
    assert window.json.editor.extraSelections()
    assert "locked" in window.json.status.text()
    assert not window.claims.isEnabled()
    before = window.controller.state.claims["name"]
    assert before == "Dana Scully"  # the last valid payload is still what is signed
    window.json.editor.setPlainText('{"sub": "u", "name": "Fixed", "email": "f@example.com"}')
    window.json.parse_now()
    assert window.json.valid and window.claims.isEnabled()
    assert window.claims.edits["name"].text() == "Fixed"


def test_clicking_a_finding_focuses_its_field(window: Any, qtbot: Any) -> None:
    window.activateWindow()
    window.model.set_claim("spaces", [{"spaceId": "sp_general"}])
    view = window.token.view
    rows = [
        i
        for i in range(view.findings.count())
        if view.findings.item(i).data(Qt.ItemDataRole.UserRole) == "spaces[0].action"
    ]
    assert rows
    view.findings.itemClicked.emit(view.findings.item(rows[0]))
    assert window.payload_tabs.currentWidget() is window.spaces
    assert window.spaces.table.currentRow() == 0 and window.spaces.table.currentColumn() == 2

    window.model.remove_claim("sub")
    rows = [
        i
        for i in range(view.findings.count())
        if view.findings.item(i).data(Qt.ItemDataRole.UserRole) == "sub"
    ]
    view.findings.itemClicked.emit(view.findings.item(rows[0]))
    assert window.payload_tabs.currentWidget() is window.claims
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.claims.edits["sub"], timeout=3000)


def test_spaces_panel_edits_the_space_claims(window: Any, qtbot: Any) -> None:
    ids = window.spaces.ids_list
    labels = [ids.item(i).text() for i in range(ids.count())]
    assert any("Product Updates" in label for label in labels)
    product = next(ids.item(i) for i in range(ids.count()) if "sp_product" in ids.item(i).text())
    product.setCheckState(Qt.CheckState.Checked)
    assert window.model.get("spaceIds") == ["sp_general", "sp_product"]
    window.spaces.operation.setCurrentIndex(2)
    assert window.model.get("spacesOperation") == "REPLACE"
    assert window.spaces.explanation.text().startswith("REPLACE: leave every space first")
    window.spaces._add_entry()
    assert window.model.get("spaces") == [{"spaceId": "sp_general", "action": "JOIN"}]
    action = window.spaces.table.cellWidget(0, 2)
    assert isinstance(action, QComboBox)
    action.setCurrentText("LEAVE")
    assert window.model.get("spaces")[0]["action"] == "LEAVE"
    assert ("both_space_forms", "spaces") in codes(window)
    window.spaces.add_id.setText("sp_ghost")
    window.spaces._add_typed_id()
    assert ("unknown_space", "spaceIds[2]") in codes(window)


def test_custom_fields_show_their_profile_field(window: Any, qtbot: Any) -> None:
    table = window.fields.table
    mapping = {table.item(r, 0).text(): table.item(r, 3).text() for r in range(table.rowCount())}
    assert mapping["company"] == "→ Company"
    assert mapping["jobTitle"] == "→ Job title"
    window.model.set_claim("org", "Initech")
    mapping = {table.item(r, 0).text(): table.item(r, 3).text() for r in range(table.rowCount())}
    assert mapping["org"] == "Company (taken from company)"
    window.model.set_claim("favourite", 1)
    mapping = {table.item(r, 0).text(): table.item(r, 3).text() for r in range(table.rowCount())}
    assert mapping["favourite"] == "no profile field: ignored"
    assert ("unmapped_field", "favourite") in codes(window)
    # typed values: number and JSON
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "favourite")
    kind = table.cellWidget(row, 1)
    kind.setCurrentText("JSON")
    table.item(row, 2).setText('{"a": [1, 2]}')
    assert window.model.get("favourite") == {"a": [1, 2]}
    table.item(row, 2).setText("{broken")
    assert window.model.get("favourite") == {"a": [1, 2]}  # a bad value never replaces a good one


def test_personas_save_and_switch(window: Any, qtbot: Any, monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Dana", True))
    window.save_persona()
    window.model.replace({"sub": "user-2", "name": "Sam", "email": "sam@example.com"})
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Sam", True))
    window.save_persona()
    assert window.personas.names() == ["Dana", "Sam"]
    assert (window.data_dir / "personas" / "Dana.json").is_file()
    window.switch_persona("Dana")
    assert window.model.get("sub") == "user-1001"
    assert window.claims.edits["name"].text() == "Dana Scully"


def test_members_and_events_update_after_a_login(window: Any, qtbot: Any) -> None:
    url = window.sso_url()
    assert url is not None and url.startswith(window.host.url + "/api/auth/sso?jwt=")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302
    qtbot.waitUntil(lambda: window.events.list.count() == 1, timeout=5000)
    assert "Updated" in window.events.list.item(0).text()
    assert "externalId" in window.events.details.toHtml()
    names = [user["name"] for user in window.members.model.rows]
    assert "Dana Scully" in names
    window.members.search.setText("scully")
    qtbot.waitUntil(lambda: window.members.model.total == 1, timeout=3000)
    assert window.members.model.rowCount() == 1
    window.members.view.setCurrentIndex(window.members.model.index(0, 0))
    assert "Field agent" in window.members.details.toPlainText()


def test_unsafe_redirect_uri_gives_no_url(window: Any) -> None:
    window.redirect.setText("//evil.example")
    assert window.sso_url() is None
    assert "not a relative path" in window.status.text()
    window.redirect.setText("/spaces/general")
    assert window.sso_url().endswith("&redirect_uri=/spaces/general")


def test_inspect_a_pasted_token_and_load_it(window: Any, qtbot: Any) -> None:
    from workbench.sso import prepare_claims, sign

    pasted = sign(
        prepare_claims({"sub": "qa-7", "name": "QA", "email": "qa@example.com"}), TEST_KEY
    )
    window.show_inspector()
    window.token.pasted.setPlainText(f"https://acme.example/api/auth/sso?jwt={pasted}")
    assert "signature valid" in window.token.inspected.state_label.text()
    assert window.token.load_button.isEnabled()
    window.token.load_button.click()
    assert window.model.get("sub") == "qa-7"
    window.token.pasted.setPlainText(sign({"sub": "x"}, "wrong"))
    assert "signature invalid" in window.token.inspected.state_label.text()


def test_settings_panel_applies_to_the_emulator(window: Any, qtbot: Any, monkeypatch: Any) -> None:
    window.settings_panel.reload()
    window.settings_panel.edits["loginButtonText"].setText("Enter Acme")
    window.settings_panel.edits["logoutUrl"].setText("https://acme.example/bye")
    window.settings_panel.apply()
    assert window.host.store.settings()["loginButtonText"] == "Enter Acme"
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    window.settings_panel.edits["logoutUrl"].setText("javascript:alert(1)")
    window.settings_panel.apply()
    assert warnings and "logoutUrl" in warnings[0]
    assert window.host.store.settings()["logoutUrl"] == "https://acme.example/bye"


def test_layout_persists_between_runs(window: Any, qtbot: Any) -> None:
    window.splitter.setSizes([300, 500, 700])
    sizes = window.splitter.sizes()
    window.save_layout()
    from workbench.gui.window import MainWindow

    again = MainWindow(window.data_dir, window.host, window.keys, window.model.payload())
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.size() == window.size()
    assert again.splitter.sizes() == sizes
    again.preview.shutdown()


def test_reset_and_trim_from_the_gui(window: Any, qtbot: Any, monkeypatch: Any) -> None:
    from workbench.emulator.community import sso_login

    sso_login(window.host.store, window.controller.refresh().token, TEST_KEY)
    window.host.poll()
    assert window.events.list.count() == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.reset_community()
    assert window.events.list.count() == 0
    assert window.host.store.member_by_external_id("user-1001") is None


def test_invalid_space_entries_are_shown_as_they_are(window: Any) -> None:
    window.model.set_claim(
        "spaces",
        [{"spaceId": "sp_general", "action": "join", "role": "ADMIN"}, {"spaceId": "sp_beta"}],
    )
    action = window.spaces.table.cellWidget(0, 2)
    role = window.spaces.table.cellWidget(0, 1)
    missing = window.spaces.table.cellWidget(1, 2)
    assert action.currentText() == '"join" (invalid)'
    assert role.currentText() == '"ADMIN" (invalid)'
    assert missing.currentText() == "(missing)"
    # editing another cell keeps the invalid values as they are
    window.spaces.table.item(1, 0).setText("sp_product")
    assert window.model.get("spaces") == [
        {"spaceId": "sp_general", "role": "ADMIN", "action": "join"},
        {"spaceId": "sp_product"},
    ]
    action.setCurrentText("JOIN")
    assert window.model.get("spaces")[0]["action"] == "JOIN"


def test_fixture_import_runs_off_the_gui_thread(
    window: Any, qtbot: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    fixture = tmp_path / "globex.json"
    fixture.write_text(
        json.dumps(
            {
                "community": {"name": "Globex"},
                "spaces": [{"id": "sp_x", "name": "X", "slug": "x"}],
                "members": [
                    {"email": f"m{i}@globex.example", "name": f"M {i}"} for i in range(300)
                ],
            }
        )
    )
    with qtbot.waitSignal(window.host.imported, timeout=20000):
        window.host.import_fixture(str(fixture))
    assert window.host.store.community_name() == "Globex"
    assert window.members.model.rowCount() == 300
    assert window.spaces.ids_list.item(0).text() == "X  (sp_x)"
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    broken = tmp_path / "broken.json"
    broken.write_text('{"spaces": 5}')
    with qtbot.waitSignal(window.host.import_failed, timeout=20000) as blocker:
        window.host.import_fixture(str(broken))
    assert "spaces" in blocker.args[0]
    assert warnings and "spaces" in warnings[0]
    assert window.host.store.community_name() == "Globex"


def test_the_gui_url_builder_refuses_the_whole_redirect_corpus(window: Any) -> None:
    from urllib.parse import parse_qs, urlsplit

    from tests.security.redirect_corpus import HOSTILE_REDIRECTS
    from workbench.sso import is_safe_redirect

    for value in HOSTILE_REDIRECTS:
        window.redirect.setText(value)
        url = window.sso_url()
        if url is None:
            continue
        # The field trims stray spaces (" /spaces" becomes "/spaces"); whatever it builds, the
        # redirect_uri in it is safe.
        sent = parse_qs(urlsplit(url).query).get("redirect_uri", [None])[0]
        assert sent is None or is_safe_redirect(sent), value
    window.redirect.setText("/spaces/general")
    assert window.sso_url() is not None


def test_closing_the_window_while_the_emulator_starts(
    qtbot: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    import threading
    import time

    from tests.conftest import TEST_KEY
    from workbench.emulator.fixture import sample_fixture
    from workbench.gui.emulator_host import EmulatorHost
    from workbench.gui.key_controller import KeyController
    from workbench.gui.window import MainWindow

    monkeypatch.setenv("WORKBENCH_SSO_KEY", TEST_KEY)
    keys = KeyController("localhost")
    host = EmulatorHost(tmp_path, sample_fixture(), keys.key)
    win = MainWindow(tmp_path, host, keys, {"sub": "a", "name": "b", "email": "c@d.io"})
    win.show()
    host.start()
    win.close()  # before the emulator is up: it must stop itself, quietly
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        t.name in ("emulator-start", "emulator") for t in threading.enumerate()
    ):
        qtbot.wait(50)
    assert not [t for t in threading.enumerate() if t.name in ("emulator-start", "emulator")]
    assert host.server is None


def test_the_code_tab_follows_the_payload(window: Any, qtbot: Any) -> None:
    window.token.tabs.setCurrentWidget(window.token.snippets)
    window.token.snippets.language.setCurrentIndex(1)  # Python
    assert "user-1001" in window.token.snippets.code.toPlainText()
    window.model.set_claim("sub", "user-code-9")
    code = window.token.snippets.code.toPlainText()
    assert "user-code-9" in code and "SSO_PRIVATE_KEY" in code
    from tests.conftest import TEST_KEY

    assert TEST_KEY not in code


def test_the_virtual_clock_from_the_settings_panel(window: Any) -> None:
    assert window.controller.state.findings == []
    window.settings_panel.clock.setValue(3600)
    assert window.host.server.state.clock_offset == 3600
    assert ("token_expired", "exp") in {(f.code, f.field) for f in window.controller.state.findings}
    window.settings_panel.clock.setValue(0)
    assert window.controller.state.findings == []


def test_inspect_compares_a_pasted_token_with_the_current_payload(window: Any) -> None:
    from tests.conftest import TEST_KEY
    from workbench.sso import prepare_claims, sign

    pasted = sign(
        prepare_claims({"sub": "user-1001", "name": "Dana", "email": "dana@example.com"}), TEST_KEY
    )
    window.show_inspector()
    window.token.pasted.setPlainText(pasted)
    text = window.token.comparison.toPlainText()
    assert "~ name" in text and '"Dana"  →  "Dana Scully"' in text
    assert "The community: updated" in text
    assert 'fields.company: null → "Acme Corp"' in text


def test_bad_tokens_tab_runs_the_battery(window: Any, qtbot: Any, tmp_path: Any) -> None:
    window.right_tabs.setCurrentWidget(window.attack)
    window.attack.run()
    qtbot.waitUntil(lambda: window.attack.run_button.isEnabled(), timeout=30000)
    assert window.attack.table.rowCount() == len(window.attack.outcomes) == 22
    assert all(o.passed for o in window.attack.outcomes), [
        (o.case, o.actual) for o in window.attack.outcomes if not o.passed
    ]
    assert window.attack.summary.text() == "22 of 22 as expected"
    window.attack.write(tmp_path / "run.html", "html")
    assert "22 of 22 as expected" in (tmp_path / "run.html").read_text()


def test_a_scenario_from_the_qa_tab_shows_each_steps_event(window: Any, qtbot: Any) -> None:
    from tests.conftest import REPO

    window.attack.run_scenario(REPO / "resources" / "scenarios" / "replace-vs-add.json")
    qtbot.waitUntil(lambda: window.attack.run_button.isEnabled(), timeout=30000)
    assert [o.passed for o in window.attack.outcomes] == [True, True, True, True]
    assert window.attack.outcomes[0].actual.startswith("created · externalId")
    assert "spaceIds" in window.attack.outcomes[2].actual
    assert window.attack.summary.text() == "4 of 4 as expected"


def test_the_about_dialog_names_the_version(window: Any) -> None:
    from workbench import __version__

    text = window.about_text()
    assert f"SSO Workbench {__version__}" in text
    assert window.keys.backend.name in text and str(window.data_dir) in text


def test_the_window_fits_a_1280_by_800_screen(window: Any, qtbot: Any) -> None:
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 800, (hint.width(), hint.height())
    window.resize(1280, 800)
    qtbot.wait(50)
    assert window.width() <= 1280
