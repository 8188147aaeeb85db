"""Community pages, the inspection API and the fixture format (CONTRACT.md sections 3 and 4)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.emulator.conftest import Emulator, fixture, token

URLS = {
    "authorizationUrl": "https://idp.acme.example/login?app=community",
    "signUpUrl": "https://idp.acme.example/signup",
    "logoutUrl": "https://idp.acme.example/logout",
    "accountSettingsUrl": "https://app.acme.example/account",
}


def with_settings(make_emulator: Any, **settings: Any) -> Emulator:
    emu: Emulator = make_emulator(fixture(settings={**fixture().settings, **settings}))
    return emu


def test_home_shows_the_login_button_text_when_signed_out(emu: Emulator) -> None:
    page = emu.client.get("/")
    assert page.status_code == 200
    assert "Log in with Acme" in page.text
    assert 'href="/auth/login"' in page.text


def test_home_shows_the_signed_in_member(emu: Emulator) -> None:
    emu.login(token(name="Sam Rivera"))
    page = emu.client.get("/")
    assert "Welcome, Sam Rivera" in page.text
    assert "Log in with Acme" not in page.text


def test_space_page_lists_its_members(emu: Emulator) -> None:
    emu.login(token(name="Sam Rivera", spaceIds=["sp_product"]))
    page = emu.client.get("/spaces/product")
    assert page.status_code == 200 and "Sam Rivera" in page.text
    assert emu.client.get("/spaces/nope").status_code == 404


def test_member_page_shows_fields_and_spaces(emu: Emulator) -> None:
    emu.login(token(name="Sam", tagline="Ships", company="Initech", spaceIds=["sp_beta"]))
    user = emu.user("user-1")
    page = emu.client.get(f"/members/{user['id']}")
    assert page.status_code == 200
    for text in ("Ships", "Initech", "Company", "Beta"):
        assert text in page.text
    assert emu.client.get("/members/m_nobody").status_code == 404


def test_everything_a_token_puts_on_a_page_is_escaped(emu: Emulator) -> None:
    evil = "<script>alert(1)</script>"
    emu.login(
        token(
            name=evil,
            tagline=f'"><img src=x onerror=alert(1)>{evil}',
            picture="javascript:alert(1)",
            company=evil,
            spaceIds=["sp_general"],
        )
    )
    user = emu.user("user-1")
    for path in ("/", f"/members/{user['id']}", "/spaces/general", "/settings/account"):
        html = emu.client.get(path).text
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "javascript:" not in html
    assert "&lt;script&gt;" in emu.client.get(f"/members/{user['id']}").text


def test_account_settings_email_form_without_url(emu: Emulator) -> None:
    emu.login(token())
    page = emu.client.get("/settings/account")
    assert '<form method="post"' in page.text
    changed = emu.client.post("/settings/account", data={"email": "sam2@example.com"})
    assert changed.status_code == 200 and "Email changed" in changed.text
    assert emu.user("user-1")["email"] == "sam2@example.com"
    # the next SSO login overwrites it again
    emu.login(token())
    assert emu.user("user-1")["email"] == "sam@example.com"


def test_account_settings_refuses_another_members_email(emu: Emulator) -> None:
    emu.login(token())
    page = emu.client.post("/settings/account", data={"email": "fox@example.com"})
    assert "belongs to another member" in page.text
    assert emu.user("user-1")["email"] == "sam@example.com"


def test_account_settings_links_to_the_url_when_set(make_emulator: Any) -> None:
    emu = with_settings(make_emulator, accountSettingsUrl=URLS["accountSettingsUrl"])
    emu.login(token())
    page = emu.client.get("/settings/account")
    assert URLS["accountSettingsUrl"] in page.text
    assert "<form" not in page.text
    emu.client.post("/settings/account", data={"email": "other@example.com"})
    assert emu.user("user-1")["email"] == "sam@example.com"


def test_account_settings_needs_a_session(emu: Emulator) -> None:
    assert emu.client.get("/settings/account").status_code == 302


def test_login_goes_to_the_authorization_url_with_referrer(make_emulator: Any) -> None:
    emu = with_settings(make_emulator, authorizationUrl=URLS["authorizationUrl"])
    first = emu.client.get("/auth/login")
    assert first.status_code == 302
    query = parse_qs(urlsplit(first.headers["location"]).query)
    assert query == {"app": ["community"], "referrer_uri": ["/"]}
    emu.client.get("/spaces/beta")
    after = emu.client.get("/auth/login").headers["location"]
    assert parse_qs(urlsplit(after).query)["referrer_uri"] == ["/spaces/beta"]
    assert after.startswith("https://idp.acme.example/login?app=community&referrer_uri=")


def test_login_without_authorization_url_explains(emu: Emulator) -> None:
    page = emu.client.get("/auth/login")
    assert page.status_code == 200 and "Authorization URL" in page.text


def test_signup_goes_to_the_signup_url(make_emulator: Any) -> None:
    emu = with_settings(make_emulator, signUpUrl=URLS["signUpUrl"])
    response = emu.client.get("/auth/signup")
    assert response.status_code == 302 and response.headers["location"] == URLS["signUpUrl"]


def test_logout_ends_the_session_then_goes_to_the_logout_url(make_emulator: Any) -> None:
    emu = with_settings(make_emulator, logoutUrl=URLS["logoutUrl"])
    emu.login(token())
    assert emu.client.get("/_workbench/api/me").status_code == 200
    response = emu.client.get("/auth/logout")
    assert response.status_code == 302 and response.headers["location"] == URLS["logoutUrl"]
    assert emu.client.get("/_workbench/api/me").status_code == 401


def test_logout_without_url_goes_home(emu: Emulator) -> None:
    emu.login(token())
    old_cookie = emu.client.cookies.get("wb_session")
    assert emu.client.get("/auth/logout").headers["location"] == "/"
    # the old session token is dead on the server too, not only forgotten by the browser
    emu.client.cookies.set("wb_session", old_cookie or "")
    assert emu.client.get("/_workbench/api/me").status_code == 401


# ---- inspection API ------------------------------------------------------------------------------


def test_reset_returns_the_community_to_its_fixture(emu: Emulator) -> None:
    original = [(u["email"], u["externalId"], u["spaceIds"], u["fields"]) for u in emu.users()]
    emu.login(token(spaceIds=["sp_beta"], company="X"))
    emu.login(token(sub="dana-1", email="dana@example.com"))
    response = emu.client.post("/_workbench/api/reset")
    assert response.status_code == 200
    after = [(u["email"], u["externalId"], u["spaceIds"], u["fields"]) for u in emu.users()]
    assert after == original
    assert emu.events() == []
    assert emu.client.get("/_workbench/api/me").status_code == 401


def test_reset_refuses_cross_origin_requests(emu: Emulator) -> None:
    emu.login(token())
    response = emu.client.post("/_workbench/api/reset", headers={"origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "cross_origin"
    assert len(emu.users()) == 3
    same = emu.client.post("/_workbench/api/reset", headers={"origin": "http://testserver"})
    assert same.status_code == 200


def test_settings_can_be_read_and_changed(emu: Emulator) -> None:
    assert (
        emu.client.get("/_workbench/api/settings").json()["loginButtonText"] == "Log in with Acme"
    )
    changed = emu.client.put("/_workbench/api/settings", json={"loginButtonText": "Sign in"})
    assert changed.status_code == 200
    assert "Sign in" in emu.client.get("/").text
    bad = emu.client.put("/_workbench/api/settings", json={"logoutUrl": "javascript:alert(1)"})
    assert bad.status_code == 400 and "logoutUrl" in bad.json()["error"]["message"]
    evil = emu.client.put(
        "/_workbench/api/settings",
        json={"loginButtonText": "x"},
        headers={"origin": "https://evil.example"},
    )
    assert evil.status_code == 403


def test_unknown_paths_and_methods_are_4xx(emu: Emulator) -> None:
    assert emu.client.get("/nothing/here").status_code == 404
    assert emu.client.post("/api/auth/sso").status_code == 405
    assert emu.client.get("/_workbench/api/reset").status_code == 405


def test_huge_query_strings_get_a_4xx(emu: Emulator) -> None:
    assert 400 <= emu.login("a" * 60_000).status_code < 500
    # beyond what the HTTP client will even send: call the ASGI app directly
    import asyncio

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/auth/sso",
        "raw_path": b"/api/auth/sso",
        "query_string": b"jwt=" + b"a" * 300_000,
        "headers": [],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
    }
    asyncio.run(emu.client.app(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 414
    assert emu.events()[-1]["code"] == "malformed_token"  # only the first, smaller one counted


# ---- fixtures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            {
                "spaces": [
                    {"id": "a", "name": "A", "slug": "a"},
                    {"id": "a", "name": "B", "slug": "b"},
                ]
            },
            "spaces[1].id",
        ),
        ({"spaces": "nope"}, "spaces"),
        (
            {"profileFields": [{"key": "k", "name": "K", "externalKeys": "k"}]},
            "profileFields[0].externalKeys",
        ),
        ({"members": [{"name": "No email"}]}, "members[0].email"),
        (
            {"members": [{"email": "a@x.io", "name": "A", "spaceIds": ["sp_missing"]}]},
            "members[0].spaceIds[0]",
        ),
        ({"settings": {"loginButtonText": "x", "colour": "red"}}, "settings.colour"),
        ({"settings": {"clockSkewSeconds": "ten"}}, "settings.clockSkewSeconds"),
        ({"settings": {"logoutUrl": "ftp://x"}}, "settings.logoutUrl"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_wrong_fixture_names_the_bad_key(change: dict[str, Any], named: str) -> None:
    from workbench.emulator.fixture import FixtureError, fixture_from_data

    base = {"community": {"name": "C"}, "spaces": [{"id": "sp", "name": "S", "slug": "s"}]}
    with pytest.raises(FixtureError) as info:
        fixture_from_data({**base, **change})
    assert named in str(info.value)


def test_the_sample_fixture_loads() -> None:
    from workbench.emulator.fixture import sample_fixture

    sample = sample_fixture()
    assert len(sample.spaces) >= 3 and len(sample.profile_fields) >= 2
    linked = [m for m in sample.members if m.external_id]
    unlinked = [m for m in sample.members if not m.external_id]
    assert linked and unlinked


def test_the_inspection_token_guards_the_api(emu: Emulator) -> None:
    from starlette.testclient import TestClient

    from tests.conftest import TEST_KEY
    from workbench.emulator.app import create_app

    client = TestClient(create_app(emu.store, lambda: TEST_KEY, inspection_token="s3cret-token"))
    assert client.get("/_workbench/api/users").status_code == 401
    assert client.post("/_workbench/api/reset").status_code == 401
    wrong = client.get("/_workbench/api/users", headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = client.get("/_workbench/api/users", headers={"authorization": "Bearer s3cret-token"})
    assert right.status_code == 200 and len(right.json()) == 2
    assert client.get("/").status_code == 200
