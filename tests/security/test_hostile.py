"""Hostile tokens and redirects, against /api/auth/sso, `workbench decode` and the URL builder.

Each case is rejected with the right code (or accepted with the right warning); none gets a
5xx or a traceback, none changes the community.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from tests.conftest import TEST_KEY
from tests.emulator.conftest import Emulator
from tests.security.redirect_corpus import HOSTILE_REDIRECTS
from workbench import cli
from workbench.sso.tokens import sign_raw


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sub": "hostile-1",
        "name": "H",
        "email": "h@example.com",
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
    }
    base.update(extra)
    return base


def raw_token(header: Any, body: bytes, key: bytes | None) -> str:
    head = b64(json.dumps(header).encode())
    payload = b64(body)
    if key is None:
        return f"{head}.{payload}."
    sig = hmac.new(key, f"{head}.{payload}".encode(), hashlib.sha256).digest()
    return f"{head}.{payload}.{b64(sig)}"


def asymmetric(alg: str) -> str:
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims()).encode())
    signing_input = f"{head}.{body}".encode()
    if alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        sig = private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        ec_key = ec.generate_private_key(ec.SECP256R1())
        sig = ec_key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
    return f"{head}.{body}.{b64(sig)}"


def public_key_as_secret() -> str:
    """The alg-confusion trick: HS256 with the server's (here: a) public key as HMAC secret."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return sign_raw({"alg": "HS256", "typ": "JWT"}, claims(), pem)


def own_key_header(extra: dict[str, Any]) -> str:
    attacker = b"attacker-secret-0123456789abcdef"
    return sign_raw({"alg": "HS256", "typ": "JWT", **extra}, claims(), attacker)


def valid_with_header(extra: dict[str, Any]) -> str:
    return sign_raw({"alg": "HS256", "typ": "JWT", **extra}, claims(), TEST_KEY)


def tampered() -> str:
    head, _body, sig = sign_raw({"alg": "HS256", "typ": "JWT"}, claims(), TEST_KEY).split(".")
    return f"{head}.{b64(json.dumps(claims(sub='admin')).encode())}.{sig}"


REJECTED: list[tuple[str, Any, str]] = [
    *[
        (f"alg {alg}", lambda a=alg: sign_raw({"alg": a}, claims(), None), "unsupported_algorithm")
        for alg in ("none", "None", "NONE", "nOnE", "NoNe")
    ],
    *[
        (
            f"alg {alg} signed",
            lambda a=alg: sign_raw({"alg": a}, claims(), TEST_KEY),
            "unsupported_algorithm",
        )
        for alg in ("HS384", "HS512", "hs256", "HS256 ", "")
    ],
    ("RS256", lambda: asymmetric("RS256"), "unsupported_algorithm"),
    ("ES256", lambda: asymmetric("ES256"), "unsupported_algorithm"),
    (
        "alg as a list",
        lambda: sign_raw({"alg": ["HS256"]}, claims(), TEST_KEY),
        "unsupported_algorithm",
    ),
    ("public key as HMAC secret", public_key_as_secret, "invalid_signature"),
    ("empty HMAC key", lambda: sign_raw({"alg": "HS256"}, claims(), b""), "invalid_signature"),
    (
        "stripped signature",
        lambda: valid_with_header({}).rsplit(".", 1)[0] + ".",
        "invalid_signature",
    ),
    ("truncated signature", lambda: valid_with_header({})[:-4], "invalid_signature"),
    ("signature cut mid-character", lambda: valid_with_header({})[:-6], "malformed_token"),
    ("no signature part", lambda: valid_with_header({}).rsplit(".", 1)[0], "malformed_token"),
    (
        "embedded jwk",
        lambda: own_key_header({"jwk": {"kty": "oct", "k": b64(b"attacker")}}),
        "invalid_signature",
    ),
    ("jku", lambda: own_key_header({"jku": "https://evil.example/jwks.json"}), "invalid_signature"),
    ("x5u", lambda: own_key_header({"x5u": "https://evil.example/cert.pem"}), "invalid_signature"),
    *[
        (
            f"kid {kid!r} with the attacker's key",
            lambda k=kid: own_key_header({"kid": k}),
            "invalid_signature",
        )
        for kid in (
            "../../../../dev/null",
            "' OR '1'='1",
            "x; rm -rf /",
            "$(id)",
            "/proc/self/environ",
        )
    ],
    ("tampered payload", tampered, "invalid_signature"),
    (
        "payload is an array",
        lambda: raw_token({"alg": "HS256"}, b"[1,2]", TEST_KEY.encode()),
        "malformed_token",
    ),
    (
        "payload is a string",
        lambda: raw_token({"alg": "HS256"}, b'"x"', TEST_KEY.encode()),
        "malformed_token",
    ),
    (
        "payload not JSON",
        lambda: raw_token({"alg": "HS256"}, b"{sub:1}", TEST_KEY.encode()),
        "malformed_token",
    ),
    (
        "payload not UTF-8",
        lambda: raw_token({"alg": "HS256"}, b'{"sub":"\xff"}', TEST_KEY.encode()),
        "malformed_token",
    ),
    ("header not JSON", lambda: b64(b"{") + "." + b64(b"{}") + ".", "malformed_token"),
    (
        "NaN exp",
        lambda: raw_token(
            {"alg": "HS256"},
            b'{"sub":"a","name":"b","email":"c@d.io","exp":NaN}',
            TEST_KEY.encode(),
        ),
        "malformed_token",
    ),
    (
        "exp in milliseconds as a string",
        lambda: sign_raw({"alg": "HS256"}, claims(exp=str(int(time.time() * 1000))), TEST_KEY),
        "invalid_claim",
    ),
    (
        "huge sub",
        lambda: sign_raw({"alg": "HS256"}, claims(sub="s" * 20_000), TEST_KEY),
        "claim_too_long",
    ),
    (
        "control characters in email",
        lambda: sign_raw({"alg": "HS256"}, claims(email="a\x00@b\n.com"), TEST_KEY),
        "invalid_claim",
    ),
    ("four parts", lambda: valid_with_header({}) + ".x", "malformed_token"),
    ("JWE-shaped", lambda: "a.b.c.d.e", "malformed_token"),
]

CLAIM_VALUES: list[Any] = [None, True, 0, "", [], {}]


def expected_for(claim: str, value: Any) -> tuple[str | None, str | None]:
    """(error code or None, warning code or None) for `claim` set to `value`."""
    if claim in ("sub", "name", "email"):
        if value is None or value == "":
            return "missing_claim", None
        return "invalid_claim", None
    if claim in ("tagline", "picture"):
        if isinstance(value, str):
            return None, ("picture_not_http" if claim == "picture" else None)
        return "invalid_claim", None
    if claim in ("exp", "iat", "nbf"):
        if isinstance(value, int) and not isinstance(value, bool):
            return ("token_expired" if claim == "exp" else None), None
        return "invalid_claim", None
    if claim in ("spaceIds", "spaces"):
        return (None, None) if value == [] else ("invalid_claim", None)
    if claim == "spacesOperation":
        return "invalid_claim", None
    return None, None  # a custom field: any JSON value is stored as given


@pytest.mark.parametrize(("name", "make", "code"), REJECTED, ids=[r[0] for r in REJECTED])
def test_hostile_tokens_are_rejected_by_the_emulator(
    emu: Emulator, name: str, make: Any, code: str
) -> None:
    before = (emu.users(), emu.client.get("/_workbench/api/spaces").json())
    response = emu.login(make(), json=True)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] == code
    assert (emu.users(), emu.client.get("/_workbench/api/spaces").json()) == before


@pytest.mark.parametrize(("name", "make", "code"), REJECTED, ids=[r[0] for r in REJECTED])
def test_hostile_tokens_are_explained_by_decode(
    name: str, make: Any, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_SSO_KEY", TEST_KEY)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = cli.main(["decode", make()])
    assert status == 1
    result = json.loads(out.getvalue())
    assert code in [f["code"] for f in result["findings"]]
    assert "Traceback" not in err.getvalue()


CLAIMS = [
    "sub",
    "name",
    "email",
    "tagline",
    "picture",
    "exp",
    "iat",
    "nbf",
    "spaceIds",
    "spaces",
    "spacesOperation",
    "company",
]


@pytest.mark.parametrize("claim", CLAIMS)
@pytest.mark.parametrize("value", CLAIM_VALUES, ids=lambda v: json.dumps(v))
def test_every_claim_set_to_each_odd_value(emu: Emulator, claim: str, value: Any) -> None:
    error, warning = expected_for(claim, value)
    before = emu.users()
    tok = sign_raw({"alg": "HS256", "typ": "JWT"}, claims(**{claim: value}), TEST_KEY)
    response = emu.login(tok, json=True)
    if error is None:
        assert response.status_code == 302, response.text
        event = emu.events()[-1]
        if warning:
            assert warning in [f["code"] for f in event["findings"]]
    else:
        assert response.status_code in (400, 401)
        codes = [f["code"] for f in emu.events()[-1]["findings"]]
        assert error in codes
        assert emu.users() == before


@pytest.mark.parametrize("value", HOSTILE_REDIRECTS, ids=range(len(HOSTILE_REDIRECTS)))
def test_open_redirect_corpus_in_the_emulator(emu: Emulator, value: str) -> None:
    tok = sign_raw({"alg": "HS256", "typ": "JWT"}, claims(), TEST_KEY)
    response = emu.login(tok, value)
    assert response.status_code == 302
    assert response.headers["location"] == "/"


def test_the_redirect_corpus_is_large_enough() -> None:
    assert len(set(HOSTILE_REDIRECTS)) >= 60
