"""Signing and the decoder that never raises."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import TEST_KEY, base_payload
from workbench.sso import Payload, PayloadError, ValidationContext, decode, prepare_claims, sign
from workbench.sso.tokens import sign_raw


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fresh(**extra: Any) -> dict[str, Any]:
    return prepare_claims(base_payload(**extra))


def test_sign_matches_pyjwt_and_verifies_with_it() -> None:
    claims = fresh(company="Acmé", nested={"a": [1, None]})
    token = sign(claims, TEST_KEY)
    assert token == jwt.encode(claims, TEST_KEY, algorithm="HS256")
    assert jwt.decode(token, TEST_KEY, algorithms=["HS256"]) == claims


def test_prepare_claims_sets_iat_and_exp_unless_given() -> None:
    claims = prepare_claims(base_payload(), ttl=60, now=1000)
    assert (claims["iat"], claims["exp"]) == (1000, 1060)
    kept = prepare_claims(base_payload(iat=5, exp=9), ttl=60, now=1000)
    assert (kept["iat"], kept["exp"]) == (5, 9)
    assert "exp" not in prepare_claims(base_payload(), ttl=None, now=1000)


def test_a_good_token_decodes_valid() -> None:
    claims = fresh()
    result = decode(sign(claims, TEST_KEY), TEST_KEY)
    assert result.signature == "valid"
    assert result.header == {"alg": "HS256", "typ": "JWT"}
    assert result.payload == claims
    assert result.findings == []


def test_wrong_key_is_invalid_signature() -> None:
    result = decode(sign(fresh(), "another key"), TEST_KEY)
    assert result.signature == "invalid"
    assert [f.code for f in result.findings] == ["invalid_signature"]


def test_without_a_key_the_signature_is_unverified() -> None:
    result = decode(sign(fresh(), "another key"), None)
    assert result.signature == "unverified"
    assert result.findings == []


def test_tampered_payload_under_a_valid_signature_is_invalid() -> None:
    head, _body, sig = sign(fresh(), TEST_KEY).split(".")
    forged = b64(json.dumps(fresh(sub="admin")).encode())
    assert decode(f"{head}.{forged}.{sig}", TEST_KEY).findings[0].code == "invalid_signature"


@pytest.mark.parametrize(
    "alg", ["none", "None", "NONE", "nOnE", "HS384", "HS512", "RS256", "ES256"]
)
def test_other_algorithms_are_unsupported(alg: str) -> None:
    token = sign_raw(
        {"alg": alg, "typ": "JWT"}, fresh(), None if alg.lower() == "none" else TEST_KEY
    )
    result = decode(token, TEST_KEY)
    assert result.findings[0].code == "unsupported_algorithm"
    assert result.signature == "invalid"
    assert result.payload["sub"] == "user-1"  # still shown, to explain


def test_missing_alg_is_unsupported() -> None:
    assert decode(sign_raw({"typ": "JWT"}, fresh(), TEST_KEY), TEST_KEY).findings[0].code == (
        "unsupported_algorithm"
    )


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e",
        "...",
        "!!!.###.$$$",
        b64(b"not json") + "." + b64(b"{}") + ".",
        b64(b'{"alg":"HS256"}') + "." + b64(b"[1,2]") + ".",
        b64(b'{"alg":"HS256"}') + "." + b64(b"\xff\xfe") + ".",
        b64(b'{"alg":"HS256"}') + "." + b64(b'{"exp": NaN}') + ".",
        b64(b'"HS256"') + "." + b64(b"{}") + ".",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln*",
    ],
)
def test_malformed_tokens(token: str) -> None:
    result = decode(token, TEST_KEY)
    assert result.findings[0].code == "malformed_token"
    assert result.findings[0].message


def test_stripped_signature_is_invalid() -> None:
    head, body, _sig = sign(fresh(), TEST_KEY).split(".")
    result = decode(f"{head}.{body}.", TEST_KEY)
    assert result.findings[0].code == "invalid_signature"
    assert "empty" in result.findings[0].message


def test_truncated_signature_is_invalid() -> None:
    token = sign(fresh(), TEST_KEY)
    assert decode(token[:-4], TEST_KEY).findings[0].code in {"invalid_signature", "malformed_token"}


def test_missing_token() -> None:
    assert decode("", TEST_KEY).findings[0].code == "missing_token"
    assert decode(None, TEST_KEY).findings[0].code == "missing_token"


def test_expired_token_is_still_shown() -> None:
    claims = prepare_claims(base_payload(), now=time.time() - 3600)
    result = decode(sign(claims, TEST_KEY), TEST_KEY)
    assert result.signature == "valid"
    assert result.findings[0].code == "token_expired"
    assert result.payload == claims


def test_claim_findings_come_after_token_findings() -> None:
    claims = prepare_claims({"sub": 5}, now=time.time() - 3600)
    found = [f.code for f in decode(sign(claims, "other"), TEST_KEY).findings if f.is_error]
    assert found[:2] == ["invalid_signature", "token_expired"]
    assert "missing_claim" in found and "invalid_claim" in found


def test_leeway_applies_to_tokens() -> None:
    claims = prepare_claims(base_payload(), now=time.time() - 65)
    token = sign(claims, TEST_KEY)
    assert decode(token, TEST_KEY, ValidationContext(leeway=10)).ok
    assert not decode(token, TEST_KEY, ValidationContext(leeway=1)).ok


def test_payload_round_trip_keeps_order_and_unknown_keys() -> None:
    text = '{\n  "zeta": 1,\n  "sub": "u",\n  "alpha": {"b": 2, "a": 1},\n  "email": "e@x.io"\n}'
    payload = Payload.from_json(text)
    assert list(payload) == ["zeta", "sub", "alpha", "email"]
    assert Payload.from_json(payload.to_json()) == payload
    assert list(json.loads(payload.to_json())["alpha"]) == ["b", "a"]
    assert payload.custom_fields() == {"zeta": 1, "alpha": {"b": 2, "a": 1}}


@pytest.mark.parametrize("text", ["[1]", '"x"', "3", "null", "{", "", "{} {}", '{"a": NaN}'])
def test_payload_that_is_not_a_json_object(text: str) -> None:
    with pytest.raises(PayloadError):
        Payload.from_json(text)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def valid_payloads(draw: st.DrawFn) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "sub": draw(st.text(min_size=1, max_size=50)),
        "name": draw(st.text(min_size=1, max_size=40)),
        "email": draw(
            st.from_regex(r"[a-z0-9.+]{1,20}@[a-z0-9]{1,10}\.[a-z]{2,6}", fullmatch=True)
        ),
    }
    if draw(st.booleans()):
        payload["tagline"] = draw(st.text(max_size=80))
    if draw(st.booleans()):
        payload["spaceIds"] = draw(st.lists(st.text(min_size=1, max_size=10), max_size=4))
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=10), json_values, max_size=4))
    for key, value in extra.items():
        payload.setdefault(key, value) if key not in {
            "exp",
            "iat",
            "nbf",
            "picture",
            "spaces",
            "spaceIds",
            "spacesOperation",
            "tagline",
        } else None
    return payload


@settings(max_examples=300, deadline=None)
@given(valid_payloads())
def test_any_valid_payload_round_trips_through_sign_and_decode(payload: dict[str, Any]) -> None:
    claims = prepare_claims(payload)
    result = decode(sign(claims, TEST_KEY), TEST_KEY)
    assert result.signature == "valid"
    assert result.payload == claims
    assert list(result.payload) == list(claims)
    assert not [f for f in result.findings if f.is_error]


@settings(max_examples=1000, deadline=None)
@given(
    st.text(max_size=300)
    | st.builds(lambda a, b, c: f"{a}.{b}.{c}", st.text(), st.text(), st.text())
)
def test_the_decoder_never_raises_on_text(token: str) -> None:
    result = decode(token, TEST_KEY)
    json.dumps(result.to_dict())
    if token.strip():
        assert result.findings


@settings(max_examples=500, deadline=None)
@given(json_values, json_values)
def test_the_decoder_never_raises_on_any_json_parts(header: Any, body: Any) -> None:
    token = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(body).encode())}.{b64(b'sig')}"
    result = decode(token, TEST_KEY)
    json.dumps(result.to_dict())
    assert result.findings
