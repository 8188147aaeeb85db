"""The preview with the real QtWebEngine under Xvfb: modes, round trip, logout, the trace."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from workbench.gui.preview import MOBILE_USER_AGENT, PHONE_SIZE, PreviewMode

pytestmark = pytest.mark.skipif(
    not os.environ.get("DISPLAY"), reason="QtWebEngine paints only under an X server"
)

WAIT = 20000


def entries(window: Any) -> list[Any]:
    window.host.poll()
    return window.trace.entries


def wait_for_request(window: Any, qtbot: Any, predicate: Any) -> Any:
    found: list[Any] = []

    def check() -> bool:
        found[:] = [e for e in entries(window) if predicate(e)]
        return bool(found)

    qtbot.waitUntil(check, timeout=WAIT)
    return found[-1]


def js_until(window: Any, qtbot: Any, expression: str, expected: Any = True) -> None:
    """Wait until a JavaScript expression on the preview's page gives `expected`."""
    seen: list[Any] = []

    def check() -> bool:
        window.preview.view.page().runJavaScript(expression, 0, seen.append)
        return expected in seen

    qtbot.waitUntil(check, timeout=WAIT)


def test_direct_login_lands_on_the_page_and_makes_the_member(window: Any, qtbot: Any) -> None:
    window.model.set_claim("sub", "preview-1")
    window.model.set_claim("email", "preview1@example.com")
    window.redirect.setText("/spaces/general")
    window.log_in()
    qtbot.waitUntil(lambda: window.preview.view.url().path() == "/spaces/general", timeout=WAIT)
    assert window.host.store.member_by_external_id("preview-1") is not None
    page = wait_for_request(window, qtbot, lambda e: e.url.endswith("/spaces/general"))
    assert "wb_session" in page.cookies_sent


def test_embedded_login_works_with_third_party_cookies_allowed(window: Any, qtbot: Any) -> None:
    window.preview.set_mode(PreviewMode.EMBEDDED)
    window.log_in()
    host_page = wait_for_request(window, qtbot, lambda e: "/_workbench/host" in e.url)
    assert host_page.url.startswith("http://localhost:")
    sso = wait_for_request(window, qtbot, lambda e: "/api/auth/sso" in e.url)
    assert sso.fetch_dest == "iframe" and sso.fetch_site == "cross-site"
    assert sso.url.startswith("http://127.0.0.1:")
    landed = wait_for_request(
        window, qtbot, lambda e: e.url.endswith("/") and e.fetch_dest == "iframe"
    )
    assert "wb_session_embed" in landed.cookies_sent  # the member is signed in inside the iframe
    assert not window.trace.notes


def test_embedded_login_visibly_fails_with_third_party_cookies_blocked(
    window: Any, qtbot: Any
) -> None:
    window.preview.set_mode(PreviewMode.EMBEDDED)
    window.preview.set_block_third_party(True)
    assert "classic embed failure" in window.preview.note.text()
    window.log_in()
    qtbot.waitUntil(lambda: "blocked=1" in window.preview.view.url().toString(), timeout=WAIT)
    landed = wait_for_request(
        window, qtbot, lambda e: e.url.endswith("/") and e.fetch_dest == "iframe"
    )
    assert not {"wb_session", "wb_session_embed"} & set(landed.cookies_sent)
    qtbot.waitUntil(lambda: bool(window.trace.notes), timeout=WAIT)
    assert "third-party" in window.trace.notes[0][1]
    # the login itself reached the community: the member exists, only the cookie was refused
    assert window.host.store.member_by_external_id("user-1001") is not None
    html: list[str] = []

    def note_shown() -> bool:
        window.preview.view.page().toHtml(html.append)
        return any('id="blocked-note"' in h for h in html)

    qtbot.waitUntil(note_shown, timeout=WAIT)


def test_login_button_round_trip_returns_to_the_referrer(window: Any, qtbot: Any) -> None:
    window.personas.save(
        "Walter",
        {
            "sub": "walter-1",
            "name": "Walter Skinner",
            "email": "walter@example.com",
            "spaceIds": ["sp_beta"],
        },
    )
    url = window.host.url
    window.preview.open(url + "/spaces/beta-testers")
    qtbot.waitUntil(
        lambda: window.preview.view.url().path() == "/spaces/beta-testers", timeout=WAIT
    )
    wait_for_request(window, qtbot, lambda e: e.url.endswith("/spaces/beta-testers"))
    js_until(window, qtbot, "!!document.getElementById('login-button')")
    window.preview.view.page().runJavaScript("document.getElementById('login-button').click()")
    qtbot.waitUntil(
        lambda: window.preview.view.url().path() == "/_workbench/idp/login", timeout=WAIT
    )
    assert "referrer_uri=/spaces/beta-testers" in window.preview.view.url().toString()
    js_until(window, qtbot, "!!document.querySelector('a.persona[href*=\"persona=Walter\"]')")
    window.preview.view.page().runJavaScript(
        "document.querySelector('a.persona[href*=\"persona=Walter\"]').click()"
    )
    qtbot.waitUntil(
        lambda: window.host.store.member_by_external_id("walter-1") is not None, timeout=WAIT
    )
    qtbot.waitUntil(
        lambda: window.preview.view.url().path() == "/spaces/beta-testers", timeout=WAIT
    )
    authorize = wait_for_request(window, qtbot, lambda e: "/_workbench/idp/authorize" in e.url)
    wait_for_request(
        window, qtbot, lambda e: e.id > authorize.id and e.url.endswith("/spaces/beta-testers")
    )
    # The pages of the round trip; stylesheets may load in between, in any order.
    chain = [
        e for e in entries(window) if e.group == authorize.group and e.fetch_dest == "document"
    ]
    paths = [e.url.split("127.0.0.1:")[1].split("/", 1)[1].split("?")[0] for e in chain]
    assert paths[:5] == [
        "auth/login",
        "_workbench/idp/login",
        "_workbench/idp/authorize",
        "api/auth/sso",
        "spaces/beta-testers",
    ]
    assert [e.status for e in chain[:5]] == [302, 200, 302, 302, 200]
    assert chain[3].location == "/spaces/beta-testers"
    assert "wb_session" in chain[4].cookies_sent


def test_logout_reaches_the_logout_url(window: Any, qtbot: Any) -> None:
    window.log_in()
    qtbot.waitUntil(lambda: window.preview.view.url().path() == "/", timeout=WAIT)
    window.preview.open(window.host.url + "/auth/logout")
    qtbot.waitUntil(
        lambda: window.preview.view.url().path() == "/_workbench/idp/logout", timeout=WAIT
    )
    logout = wait_for_request(window, qtbot, lambda e: e.url.endswith("/auth/logout"))
    assert logout.location == "/_workbench/idp/logout"
    assert "wb_session (deleted)" in logout.cookies_set


def test_mobile_mode_uses_a_phone_viewport_and_user_agent(window: Any, qtbot: Any) -> None:
    window.preview.set_mode(PreviewMode.MOBILE)
    window.log_in()
    sso = wait_for_request(window, qtbot, lambda e: "/api/auth/sso" in e.url)
    landed = wait_for_request(window, qtbot, lambda e: e.id > sso.id and e.url.endswith("/"))
    agent = dict((k.lower(), v) for k, v in landed.request_headers)["user-agent"]
    assert agent == MOBILE_USER_AGENT
    assert window.preview.view.width() == PHONE_SIZE[0]
    js_until(window, qtbot, f"Math.abs(window.innerWidth - {PHONE_SIZE[0]}) <= 20")
    window.preview.set_mode(PreviewMode.DIRECT)
    assert window.preview.profile.httpUserAgent() == window.preview.default_user_agent


def test_trace_exports_har_and_text_without_secrets(
    window: Any, qtbot: Any, tmp_path: Path
) -> None:
    from tests.conftest import TEST_KEY

    window.log_in()
    wait_for_request(window, qtbot, lambda e: "/api/auth/sso" in e.url)
    wait_for_request(window, qtbot, lambda e: e.url.endswith("/") and e.status == 200)
    har_path = tmp_path / "flow.har"
    window.trace.write_har(har_path)
    har = json.loads(har_path.read_text())
    urls = [e["request"]["url"] for e in har["log"]["entries"]]
    statuses = [e["response"]["status"] for e in har["log"]["entries"]]
    sso_index = next(i for i, u in enumerate(urls) if "/api/auth/sso" in u)
    assert statuses[sso_index] == 302
    assert har["log"]["entries"][sso_index]["response"]["redirectURL"] == "/"
    text = window.trace.as_text()
    assert TEST_KEY not in har_path.read_text() + text
    cookie_headers = [
        h["value"]
        for entry in har["log"]["entries"]
        for h in entry["request"]["headers"] + entry["response"]["headers"]
        if h["name"].lower() in ("cookie", "set-cookie")
    ]
    assert cookie_headers
    for value in cookie_headers:
        for pair in value.split(";"):
            name, _, rest = pair.strip().partition("=")
            if name.startswith("wb_"):
                assert rest == "…", value  # session cookie values never reach the export


def test_the_preview_profile_persists_cookies_per_data_directory(window: Any, qtbot: Any) -> None:
    storage = window.data_dir / "browser" / "storage"
    assert window.preview.profile.persistentStoragePath() == str(storage)
    assert not window.preview.profile.isOffTheRecord()


def test_a_real_community_target_loads_its_sso_url(
    window: Any, monkeypatch: Any, qtbot: Any
) -> None:
    from tests.conftest import TEST_KEY

    opened: list[str] = []
    monkeypatch.setattr(window.preview, "open", opened.append)
    window.domain.setCurrentText("acme.community.example")
    window._domain_changed()
    assert window.keys.key() == TEST_KEY  # WORKBENCH_SSO_KEY applies to any community
    assert window.target_label.text() == "real community https://acme.community.example"
    window.redirect.setText("/spaces/general")
    window.log_in()
    assert opened and opened[0].startswith("https://acme.community.example/api/auth/sso?jwt=")
    assert opened[0].endswith("&redirect_uri=/spaces/general")
    # nothing of the local emulator is assumed about a real community
    assert window.controller.community.space_ids is None
    assert window.controller.community.profile_fields is None


def test_save_png_of_the_page(window: Any, qtbot: Any, monkeypatch: Any, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "page.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.waitUntil(lambda: window.preview.view.url().path() == "/", timeout=WAIT)
    window.preview.save_screenshot()
    assert target.read_bytes()[:4] == b"\x89PNG"
