"""GET /api/auth/sso: every rule of CONTRACT.md section 3, through Starlette's TestClient."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import TEST_KEY
from tests.emulator.conftest import Emulator, fixture, token
from workbench.sso import sign
from workbench.sso.tokens import sign_raw


def test_new_member_is_created_logged_in_and_redirected_home(emu: Emulator) -> None:
    response = emu.login(token())
    assert response.status_code == 302
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "wb_session=" in cookie and "HttpOnly" in cookie
    me = emu.client.get("/_workbench/api/me").json()["user"]
    assert (me["externalId"], me["email"], me["name"]) == ("user-1", "sam@example.com", "Sam")
    event = emu.events()[-1]
    assert event["outcome"] == "created" and event["userId"] == me["id"]
    assert event["redirect"] == "/" and event["code"] is None
    assert event["changes"]["email"] == [None, "sam@example.com"]


def test_me_without_a_session_is_401(emu: Emulator) -> None:
    assert emu.client.get("/_workbench/api/me").status_code == 401


def test_existing_member_by_sub_is_updated_email_included(emu: Emulator) -> None:
    emu.login(token(tagline="first"))
    emu.login(token(email="sam.new@example.com", name="Samuel"))
    user = emu.user("user-1")
    assert (user["email"], user["name"], user["tagline"]) == (
        "sam.new@example.com",
        "Samuel",
        "first",
    )
    event = emu.events()[-1]
    assert event["outcome"] == "updated"
    assert event["changes"] == {
        "email": ["sam@example.com", "sam.new@example.com"],
        "name": ["Sam", "Samuel"],
    }
    assert len(emu.users()) == 3


def test_absent_optional_claims_keep_stored_values(emu: Emulator) -> None:
    emu.login(token(tagline="hello", picture="https://x.example/a.png"))
    emu.login(token())
    user = emu.user("user-1")
    assert (user["tagline"], user["picture"]) == ("hello", "https://x.example/a.png")


def test_member_found_by_email_without_external_id_is_linked(emu: Emulator) -> None:
    dana_before = next(u for u in emu.users() if u["email"] == "Dana@Example.com")
    response = emu.login(token(sub="dana-9", email="dana@EXAMPLE.com", name="Dana S"))
    assert response.status_code == 302
    dana = emu.user("dana-9")
    assert dana["id"] == dana_before["id"]
    assert dana["email"] == "dana@EXAMPLE.com"
    event = emu.events()[-1]
    assert event["outcome"] == "updated"
    assert event["changes"]["externalId"] == [None, "dana-9"]


def test_member_found_by_email_linked_to_another_sub_is_a_conflict(emu: Emulator) -> None:
    before = emu.snapshot()
    response = emu.login(token(sub="not-fox", email="FOX@example.com"), json=True)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "email_conflict"
    assert emu.snapshot() == before
    assert emu.events()[-1]["outcome"] == "rejected"
    assert emu.events()[-1]["code"] == "email_conflict"


def test_update_to_an_email_of_another_member_is_a_conflict(emu: Emulator) -> None:
    emu.login(token())
    before = emu.snapshot()
    response = emu.login(token(email="fox@example.com"), json=True)
    assert response.json()["error"]["code"] == "email_conflict"
    assert emu.snapshot() == before


@pytest.mark.parametrize(
    ("make", "code", "status"),
    [
        (lambda: None, "missing_token", 400),
        (lambda: "", "missing_token", 400),
        (lambda: "not-a-jwt", "malformed_token", 400),
        (
            lambda: sign_raw({"alg": "none"}, {"sub": "u", "name": "n", "email": "e@x.io"}, None),
            "unsupported_algorithm",
            400,
        ),
        (lambda: token(key="wrong-key"), "invalid_signature", 401),
        (
            lambda: sign(
                {"sub": "u", "name": "n", "email": "e@x.io", "exp": time.time() - 100}, TEST_KEY
            ),
            "token_expired",
            401,
        ),
        (
            lambda: sign(
                {
                    "sub": "u",
                    "name": "n",
                    "email": "e@x.io",
                    "iat": time.time() + 600,
                    "exp": time.time() + 660,
                },
                TEST_KEY,
            ),
            "token_not_yet_valid",
            401,
        ),
        (lambda: token(sub=""), "missing_claim", 400),
        (lambda: token(sub=42), "invalid_claim", 400),
        (lambda: token(email="nope"), "invalid_claim", 400),
        (lambda: token(spaces=[{"spaceId": "sp_general"}]), "invalid_claim", 400),
        (lambda: token(sub="x" * 51), "claim_too_long", 400),
    ],
)
def test_rejections_have_the_right_status_and_code_and_change_nothing(
    emu: Emulator, make: Any, code: str, status: int
) -> None:
    before = emu.snapshot()
    response = emu.login(make(), json=True)
    assert response.status_code == status
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"]
    assert "set-cookie" not in response.headers
    assert emu.snapshot() == before
    event = emu.events()[-1]
    assert (event["outcome"], event["code"], event["userId"]) == ("rejected", code, None)

    html = emu.login(make())
    assert html.status_code == status
    assert html.headers["content-type"].startswith("text/html")
    assert code in html.text and "Nothing in the community was changed" in html.text


def test_first_error_follows_the_contract_order(emu: Emulator) -> None:
    expired_bad_sig = sign({"sub": 5, "exp": time.time() - 100}, "wrong")
    assert emu.login(expired_bad_sig, json=True).json()["error"]["code"] == "invalid_signature"
    expired = sign({"sub": 5, "exp": time.time() - 100}, TEST_KEY)
    assert emu.login(expired, json=True).json()["error"]["code"] == "token_expired"
    bad_claims = sign({"sub": 5, "name": "", "exp": time.time() + 30}, TEST_KEY)
    assert emu.login(bad_claims, json=True).json()["error"]["code"] == "missing_claim"


def test_clock_skew_leeway_comes_from_the_settings(make_emulator: Any) -> None:
    settings = {**fixture().settings, "clockSkewSeconds": 120}
    emu = make_emulator(fixture(settings=settings))
    tok = sign({"sub": "u", "name": "n", "email": "e@x.io", "exp": time.time() - 60}, TEST_KEY)
    assert emu.login(tok).status_code == 302
    strict = make_emulator(fixture(settings={**settings, "clockSkewSeconds": 0}))
    assert strict.login(tok, json=True).json()["error"]["code"] == "token_expired"


def test_warnings_are_kept_in_the_event(emu: Emulator) -> None:
    tok = sign(
        {
            "sub": "u",
            "name": "n",
            "email": "e@x.io",
            "iat": int(time.time()),
            "spaceIds": ["sp_nope"],
            "favourite": "x",
        },
        TEST_KEY,
    )
    assert emu.login(tok).status_code == 302
    codes = {f["code"] for f in emu.events()[-1]["findings"]}
    assert codes == {"no_expiry", "unknown_space", "unmapped_field"}


# ---- redirects -----------------------------------------------------------------------------------


def test_safe_redirect_uri_is_followed(emu: Emulator) -> None:
    response = emu.login(token(), "/spaces/general?tab=new")
    assert response.headers["location"] == "/spaces/general?tab=new"
    assert emu.events()[-1]["redirect"] == "/spaces/general?tab=new"


HOSTILE = [
    "//evil.com",
    "/\\evil.com",
    "https://evil.com",
    "http:evil.com",
    "javascript:alert(1)",
    "/%2F%2Fevil.com",
    "/%5Cevil.com",
    "/%252F%252Fevil.com",
    "\t/spaces",
    " /spaces",
    "/spaces\r\nX: y",
    "/%0d%0aX:%20y",
    "spaces",
    "../x",
    "HTTPS://evil.com",
    "//evil.com/%2e%2e",
    "/\u2215\u2215evil.com",
    "/\uff0fevil.com",
    "/\x00",
    "data:text/html,hi",
    "///evil.com",
    "/%09/evil.com",
    "/%E2%80%8B/evil.com",
    "\\\\evil.com",
    "/a\\b",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_unsafe_redirect_uri_falls_back_to_home(emu: Emulator, value: str) -> None:
    response = emu.login(token(), value)
    assert response.status_code == 302
    assert response.headers["location"] == "/"


def test_new_users_homepage_wins_for_new_members_only(make_emulator: Any) -> None:
    settings = {**fixture().settings, "newUsersHomepage": "https://acme.example/welcome"}
    emu = make_emulator(fixture(settings=settings))
    assert (
        emu.login(token(), "/spaces/general").headers["location"] == "https://acme.example/welcome"
    )
    assert emu.login(token(), "/spaces/general").headers["location"] == "/spaces/general"
    assert (
        emu.login(token(sub="dana", email="dana@example.com"), "/spaces/beta").headers["location"]
        == "/spaces/beta"
    )


# ---- spaces --------------------------------------------------------------------------------------


def spaces_of(emu: Emulator, sub: str = "user-1") -> set[str]:
    return set(emu.user(sub)["spaceIds"])


def test_space_ids_join(emu: Emulator) -> None:
    emu.login(token(spaceIds=["sp_general", "sp_product"]))
    assert spaces_of(emu) == {"sp_general", "sp_product"}
    assert emu.events()[-1]["changes"]["spaceIds"] == [[], ["sp_general", "sp_product"]]


def test_add_and_no_operation_keep_other_spaces(emu: Emulator) -> None:
    emu.login(token(spaceIds=["sp_general"]))
    emu.login(token(spaceIds=["sp_product"], spacesOperation="ADD"))
    assert spaces_of(emu) == {"sp_general", "sp_product"}
    emu.login(token(spaceIds=["sp_beta"]))
    assert spaces_of(emu) == {"sp_general", "sp_product", "sp_beta"}


def test_replace_leaves_every_space_before_joining(emu: Emulator) -> None:
    emu.login(token(spaceIds=["sp_general", "sp_product"]))
    emu.login(token(spaceIds=["sp_beta"], spacesOperation="REPLACE"))
    assert spaces_of(emu) == {"sp_beta"}
    assert emu.events()[-1]["changes"]["spaceIds"] == [["sp_general", "sp_product"], ["sp_beta"]]


def test_replace_with_an_empty_list_leaves_everything(emu: Emulator) -> None:
    emu.login(token(spaceIds=["sp_general"]))
    emu.login(token(spaceIds=[], spacesOperation="REPLACE"))
    assert spaces_of(emu) == set()


def test_without_space_claims_memberships_stay_whatever_the_operation(emu: Emulator) -> None:
    emu.login(token(spaceIds=["sp_general"]))
    response = emu.login(token(spacesOperation="REPLACE"))
    assert response.status_code == 302
    assert spaces_of(emu) == {"sp_general"}
    assert "operation_without_spaces" in {f["code"] for f in emu.events()[-1]["findings"]}


def test_spaces_entries_apply_in_order(emu: Emulator) -> None:
    emu.login(token(spaceIds=["sp_general", "sp_beta"]))
    emu.login(
        token(
            spaces=[
                {"spaceId": "sp_product", "action": "JOIN"},
                {"spaceId": "sp_general", "role": "MEMBER", "action": "LEAVE"},
                {"spaceId": "sp_beta", "action": "LEAVE"},
                {"spaceId": "sp_beta", "action": "JOIN"},
            ]
        )
    )
    assert spaces_of(emu) == {"sp_product", "sp_beta"}


def test_replace_with_spaces_entries(emu: Emulator) -> None:
    emu.login(token(spaceIds=["sp_general", "sp_beta"]))
    emu.login(
        token(spacesOperation="REPLACE", spaces=[{"spaceId": "sp_product", "action": "JOIN"}])
    )
    assert spaces_of(emu) == {"sp_product"}


def test_both_forms_apply_space_ids_then_entries(emu: Emulator) -> None:
    emu.login(
        token(
            spaceIds=["sp_general"],
            spaces=[
                {"spaceId": "sp_general", "action": "LEAVE"},
                {"spaceId": "sp_beta", "action": "JOIN"},
            ],
        )
    )
    assert spaces_of(emu) == {"sp_beta"}
    assert "both_space_forms" in {f["code"] for f in emu.events()[-1]["findings"]}


def test_unknown_spaces_are_skipped_and_reported(emu: Emulator) -> None:
    emu.login(
        token(
            spaceIds=["sp_general", "sp_ghost"], spaces=[{"spaceId": "sp_void", "action": "JOIN"}]
        )
    )
    assert spaces_of(emu) == {"sp_general"}
    unknown = [f for f in emu.events()[-1]["findings"] if f["code"] == "unknown_space"]
    assert {f["field"] for f in unknown} == {"spaceIds[1]", "spaces[0].spaceId"}


def test_space_member_counts(emu: Emulator) -> None:
    emu.login(token(spaceIds=["sp_product", "sp_general"]))
    counts = {s["id"]: s["memberCount"] for s in emu.client.get("/_workbench/api/spaces").json()}
    assert counts == {"sp_general": 3, "sp_product": 1, "sp_beta": 1}
    assert set(emu.client.get("/_workbench/api/spaces").json()[0]) == {
        "id",
        "name",
        "slug",
        "memberCount",
    }


# ---- custom fields -------------------------------------------------------------------------------


def test_custom_fields_through_external_keys(emu: Emulator) -> None:
    emu.login(token(org="Initech", jobTitle="Engineer", extra=1))
    user = emu.user("user-1")
    assert user["fields"] == {"company": "Initech", "title": "Engineer"}
    changes = emu.events()[-1]["changes"]
    assert changes["fields.company"] == [None, "Initech"]


def test_first_key_with_a_present_value_wins_and_any_json_is_stored(emu: Emulator) -> None:
    emu.login(token(company="", org={"name": "Initech", "size": 3}))
    assert emu.user("user-1")["fields"]["company"] == {"name": "Initech", "size": 3}
    emu.login(token(company=["a", 1], org="ignored"))
    assert emu.user("user-1")["fields"]["company"] == ["a", 1]
    emu.login(token(company=0))
    assert emu.user("user-1")["fields"]["company"] == 0
    emu.login(token(company=False))
    assert emu.user("user-1")["fields"]["company"] is False


@pytest.mark.parametrize("empty", [None, "", [], {}])
def test_empty_values_keep_the_stored_field(emu: Emulator, empty: Any) -> None:
    emu.login(token(company="Acme"))
    emu.login(token(company=empty, org=empty))
    assert emu.user("user-1")["fields"]["company"] == "Acme"


def test_standard_claims_never_fill_custom_fields(emu: Emulator) -> None:
    emu.login(token())
    assert "who" not in emu.user("user-1")["fields"]


def test_users_shape(emu: Emulator) -> None:
    emu.login(token(company="Acme"))
    user = emu.user("user-1")
    assert set(user) == {
        "id",
        "externalId",
        "email",
        "name",
        "tagline",
        "picture",
        "fields",
        "spaceIds",
        "createdAt",
        "updatedAt",
    }


def test_events_shape_and_order(emu: Emulator) -> None:
    emu.login(token())
    emu.login("bad")
    events = emu.events()
    assert [e["outcome"] for e in events] == ["created", "rejected"]
    assert events[0]["id"] < events[1]["id"]
    for event in events:
        assert {"id", "at", "outcome", "code", "userId", "redirect", "findings", "changes"} <= set(
            event
        )


def test_no_key_configured_rejects_without_a_5xx(make_emulator: Any) -> None:
    emu = make_emulator(key=None)
    response = emu.login(token(), json=True)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"
