"""One test per finding code and per edge of the validator (CONTRACT.md section 2)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import base_payload
from workbench.sso import ProfileField, ValidationContext, map_custom_fields, validate_payload
from workbench.sso.findings import ERROR_ORDER, WARNING_CODES, Finding

NOW = 1_800_000_000.0
CTX = ValidationContext(now=NOW)


def codes(findings: list[Finding]) -> set[tuple[str, str, str | None]]:
    return {(f.level, f.code, f.field) for f in findings}


def timed(**extra: Any) -> dict[str, Any]:
    return base_payload(**{"iat": int(NOW), "exp": int(NOW) + 60, **extra})


def test_a_good_payload_has_no_findings() -> None:
    assert validate_payload(timed(), CTX) == []


@pytest.mark.parametrize("claim", ["sub", "name", "email"])
@pytest.mark.parametrize("value", ["<absent>", None, ""])
def test_missing_claim(claim: str, value: Any) -> None:
    payload = timed()
    if value == "<absent>":
        del payload[claim]
    else:
        payload[claim] = value
    findings = validate_payload(payload, CTX)
    assert ("error", "missing_claim", claim) in codes(findings)
    assert claim in findings[0].message


def test_numeric_sub_says_to_send_a_string() -> None:
    findings = validate_payload(timed(sub=1234), CTX)
    assert codes(findings) == {("error", "invalid_claim", "sub")}
    assert "String(user.id)" in findings[0].message


@pytest.mark.parametrize("claim", ["sub", "name", "email", "tagline", "picture"])
@pytest.mark.parametrize("value", [True, 0, 1.5, [], {}, ["x"]])
def test_string_claims_of_other_types_are_invalid(claim: str, value: Any) -> None:
    assert ("error", "invalid_claim", claim) in codes(
        validate_payload(timed(**{claim: value}), CTX)
    )


@pytest.mark.parametrize("claim", ["tagline", "picture"])
def test_null_optional_claim_is_invalid_and_says_to_leave_it_out(claim: str) -> None:
    findings = validate_payload(timed(**{claim: None}), CTX)
    assert ("error", "invalid_claim", claim) in codes(findings)
    assert "leave it out" in findings[0].message


@pytest.mark.parametrize(
    "email", ["dana", "dana@", "@example.com", "dana@example", "da na@example.com", "a@b@c.com"]
)
def test_email_must_be_an_address(email: str) -> None:
    assert codes(validate_payload(timed(email=email), CTX)) == {("error", "invalid_claim", "email")}


@pytest.mark.parametrize("email", ["dana@example.com", "D.Ana+tag@sub.example.co.uk"])
def test_plain_addresses_pass(email: str) -> None:
    assert validate_payload(timed(email=email), CTX) == []


def test_sub_of_50_characters_passes_and_51_is_too_long() -> None:
    assert validate_payload(timed(sub="s" * 50), CTX) == []
    findings = validate_payload(timed(sub="s" * 51), CTX)
    assert codes(findings) == {("error", "claim_too_long", "sub")}
    assert "51 characters; the limit is 50" in findings[0].message


def test_email_of_200_characters_passes_and_201_is_too_long() -> None:
    def email_of(length: int) -> str:
        domain = "@example.com"
        return "a" * (length - len(domain)) + domain

    assert validate_payload(timed(email=email_of(200)), CTX) == []
    findings = validate_payload(timed(email=email_of(214)), CTX)
    assert codes(findings) == {("error", "claim_too_long", "email")}
    assert "email is 214 characters; the limit is 200" in findings[0].message
    assert codes(validate_payload(timed(email=email_of(201)), CTX)) == {
        ("error", "claim_too_long", "email")
    }


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", ["1800000060", None, True, [], {}])
def test_time_claims_must_be_numbers(claim: str, value: Any) -> None:
    findings = validate_payload(timed(**{claim: value}), CTX)
    assert ("error", "invalid_claim", claim) in codes(findings)


def test_exp_as_a_string_says_to_drop_the_quotes() -> None:
    findings = validate_payload(timed(exp="1800000060"), CTX)
    assert "without quotes" in findings[0].message


def test_expired_beyond_the_leeway() -> None:
    findings = validate_payload(base_payload(iat=NOW - 120, exp=NOW - 11), CTX)
    assert codes(findings) == {("error", "token_expired", "exp")}


def test_expired_within_the_leeway_passes() -> None:
    assert validate_payload(base_payload(iat=NOW - 60, exp=NOW - 9), CTX) == []


def test_the_leeway_comes_from_the_context() -> None:
    ctx = ValidationContext(now=NOW, leeway=0)
    assert codes(validate_payload(base_payload(exp=NOW - 1), ctx)) == {
        ("error", "token_expired", "exp")
    }


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_not_yet_valid(claim: str) -> None:
    payload = base_payload(exp=NOW + 60, **{claim: NOW + 30})
    findings = validate_payload(payload, CTX)
    assert ("error", "token_not_yet_valid", claim) in codes(findings)


def test_iat_slightly_ahead_within_leeway_passes() -> None:
    assert validate_payload(base_payload(iat=NOW + 5, exp=NOW + 60), CTX) == []


def test_exp_in_milliseconds_is_named() -> None:
    findings = validate_payload(base_payload(iat=NOW, exp=NOW * 1000 + 60_000), CTX)
    assert codes(findings) == {("warning", "long_lifetime", "exp")}
    assert "milliseconds" in findings[0].message


def test_iat_in_milliseconds_is_not_yet_valid_and_named() -> None:
    findings = validate_payload(base_payload(iat=NOW * 1000, exp=NOW + 60), CTX)
    assert ("error", "token_not_yet_valid", "iat") in codes(findings)
    assert "milliseconds" in findings[0].message


def test_no_expiry_warns() -> None:
    assert codes(validate_payload(base_payload(iat=NOW), CTX)) == {("warning", "no_expiry", "exp")}


def test_lifetime_over_60_seconds_after_iat_warns() -> None:
    assert validate_payload(base_payload(iat=NOW, exp=NOW + 60), CTX) == []
    assert codes(validate_payload(base_payload(iat=NOW, exp=NOW + 61), CTX)) == {
        ("warning", "long_lifetime", "exp")
    }


def test_lifetime_without_iat_counts_from_now() -> None:
    assert validate_payload(base_payload(exp=NOW + 60), CTX) == []
    assert codes(validate_payload(base_payload(exp=NOW + 3600), CTX)) == {
        ("warning", "long_lifetime", "exp")
    }


@pytest.mark.parametrize(
    "picture", ["example.com/a.png", "ftp://x/a.png", "javascript:alert(1)", ""]
)
def test_picture_not_http(picture: str) -> None:
    assert codes(validate_payload(timed(picture=picture), CTX)) == {
        ("warning", "picture_not_http", "picture")
    }


@pytest.mark.parametrize("picture", ["http://x/a.png", "https://x/a.png"])
def test_http_pictures_pass(picture: str) -> None:
    assert validate_payload(timed(picture=picture), CTX) == []


@pytest.mark.parametrize(
    ("space_ids", "field"),
    [
        ("sp_a", "spaceIds"),
        ({}, "spaceIds"),
        (None, "spaceIds"),
        ([1], "spaceIds[0]"),
        (["sp_a", None], "spaceIds[1]"),
        (["sp_a", ""], "spaceIds[1]"),
    ],
)
def test_space_ids_must_be_a_list_of_strings(space_ids: Any, field: str) -> None:
    assert ("error", "invalid_claim", field) in codes(
        validate_payload(timed(spaceIds=space_ids), CTX)
    )


@pytest.mark.parametrize(
    ("spaces", "field"),
    [
        ("sp_a", "spaces"),
        ({"spaceId": "sp_a"}, "spaces"),
        (["sp_a"], "spaces[0]"),
        ([{"spaceId": "sp_a", "action": "JOIN"}, 5], "spaces[1]"),
        ([{"action": "JOIN"}], "spaces[0].spaceId"),
        ([{"spaceId": 7, "action": "JOIN"}], "spaces[0].spaceId"),
        ([{"spaceId": "sp_a", "action": "JOIN", "role": "ADMIN"}], "spaces[0].role"),
        ([{"spaceId": "sp_a", "action": "JOIN", "role": "member"}], "spaces[0].role"),
        ([{"spaceId": "sp_a"}], "spaces[0].action"),
        ([{"spaceId": "sp_a", "action": "join"}], "spaces[0].action"),
        (
            [{"spaceId": "sp_a", "action": "JOIN"}, {"spaceId": "sp_b", "action": "ADD"}],
            "spaces[1].action",
        ),
    ],
)
def test_each_invalid_spaces_form(spaces: Any, field: str) -> None:
    findings = validate_payload(timed(spaces=spaces), CTX)
    assert ("error", "invalid_claim", field) in codes(findings)


def test_valid_spaces_entries_pass() -> None:
    spaces = [
        {"spaceId": "sp_a", "action": "JOIN"},
        {"spaceId": "sp_b", "role": "MEMBER", "action": "LEAVE"},
    ]
    assert validate_payload(timed(spaces=spaces, spacesOperation="REPLACE"), CTX) == []


@pytest.mark.parametrize("operation", ["add", "SET", "", None, 1])
def test_spaces_operation_must_be_add_or_replace(operation: Any) -> None:
    findings = validate_payload(timed(spaceIds=["sp_a"], spacesOperation=operation), CTX)
    assert codes(findings) == {("error", "invalid_claim", "spacesOperation")}


def test_both_space_forms_warns() -> None:
    payload = timed(spaceIds=["sp_a"], spaces=[{"spaceId": "sp_b", "action": "JOIN"}])
    assert codes(validate_payload(payload, CTX)) == {("warning", "both_space_forms", "spaces")}


def test_operation_without_spaces_warns() -> None:
    assert codes(validate_payload(timed(spacesOperation="REPLACE"), CTX)) == {
        ("warning", "operation_without_spaces", "spacesOperation")
    }


def test_unknown_space_needs_the_community_and_names_the_path() -> None:
    payload = timed(spaceIds=["sp_a", "sp_x"], spaces=[{"spaceId": "sp_y", "action": "LEAVE"}])
    assert ("warning", "unknown_space", "spaceIds[1]") not in codes(validate_payload(payload, CTX))
    ctx = ValidationContext(now=NOW, space_ids=frozenset({"sp_a"}))
    found = codes(validate_payload(payload, ctx))
    assert ("warning", "unknown_space", "spaceIds[1]") in found
    assert ("warning", "unknown_space", "spaces[0].spaceId") in found
    assert ("warning", "unknown_space", "spaceIds[0]") not in found


FIELDS = (
    ProfileField("company", "Company", ("company", "org")),
    ProfileField("title", "Job title", ("jobTitle",)),
)


def test_unmapped_field_needs_the_community() -> None:
    payload = timed(company="Acme", favouriteColour="teal", iss="me", aud="x", jti="1")
    assert validate_payload(payload, CTX) == []
    ctx = ValidationContext(now=NOW, profile_fields=FIELDS)
    assert codes(validate_payload(payload, ctx)) == {
        ("warning", "unmapped_field", "favouriteColour")
    }


def test_first_external_key_with_a_present_value_wins() -> None:
    assert map_custom_fields({"company": "", "org": "Initech"}, FIELDS) == {
        "company": ("org", "Initech")
    }
    assert map_custom_fields({"company": "Acme", "org": "Initech"}, FIELDS) == {
        "company": ("company", "Acme")
    }
    for empty in (None, "", [], {}):
        assert map_custom_fields({"company": empty}, FIELDS) == {}
    assert map_custom_fields({"company": 0, "jobTitle": False}, FIELDS) == {
        "company": ("company", 0),
        "title": ("jobTitle", False),
    }


def test_standard_claims_never_fill_custom_fields() -> None:
    fields = (ProfileField("who", "Who", ("email", "name")),)
    assert map_custom_fields(base_payload(), fields) == {}


def test_errors_come_first_in_the_contract_order() -> None:
    payload = {"sub": 5, "exp": NOW - 100, "email": "x" * 300}
    found = validate_payload(payload, CTX)
    ranks = [ERROR_ORDER.index(f.code) for f in found if f.is_error]
    assert ranks == sorted(ranks)
    assert found[0].code == "token_expired"


def test_every_contract_code_is_known() -> None:
    assert set(ERROR_ORDER) == {
        "missing_token",
        "malformed_token",
        "unsupported_algorithm",
        "invalid_signature",
        "token_expired",
        "token_not_yet_valid",
        "missing_claim",
        "invalid_claim",
        "claim_too_long",
        "email_conflict",
    }
    assert set(WARNING_CODES) == {
        "no_expiry",
        "long_lifetime",
        "picture_not_http",
        "both_space_forms",
        "operation_without_spaces",
        "unknown_space",
        "unmapped_field",
    }
