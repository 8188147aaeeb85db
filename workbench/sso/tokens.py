"""Signing (HS256 only) and a decoder that explains any token instead of raising."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from workbench.sso.findings import Finding, error, has_errors, sort_findings
from workbench.sso.payload import json_type_name, loads_json
from workbench.sso.rules import ValidationContext, validate_payload

ALGORITHM = "HS256"
DEFAULT_TTL = 60
# Larger tokens are not looked at: no browser sends a URL this long, and it bounds the work.
MAX_TOKEN_LENGTH = 256 * 1024

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")

_HEADER = {"alg": ALGORITHM, "typ": "JWT"}

SignatureState = Literal["valid", "invalid", "unverified"]


class SigningError(ValueError):
    """The payload cannot be signed (not an object, or not JSON-serialisable)."""


def prepare_claims(
    payload: Mapping[str, Any],
    *,
    ttl: int | None = DEFAULT_TTL,
    now: float | None = None,
) -> dict[str, Any]:
    """The claims as they will be signed: `iat` now and `exp` now + ttl unless already given.

    `ttl=None` means no expiry is added (the caller chose "no expiry").
    """
    issued = int(time.time() if now is None else now)
    claims = dict(payload)
    claims.setdefault("iat", issued)
    if ttl is not None and "exp" not in claims:
        claims["exp"] = issued + ttl
    return claims


def sign(claims: Mapping[str, Any], key: str) -> str:
    """An HS256 token over exactly these claims, in their order.

    Byte for byte what PyJWT's `jwt.encode(claims, key, algorithm="HS256")` makes (the tests
    hold it to that), without PyJWT's warning about short keys: the key is the community's.
    """
    if not isinstance(claims, Mapping):
        raise SigningError("the payload must be a JSON object")
    try:
        return sign_raw(_HEADER, dict(claims), key)
    except (TypeError, ValueError) as exc:
        raise SigningError(f"the payload cannot be signed: {exc}") from None


def sign_raw(header: Mapping[str, Any], claims: Any, key: str | bytes | None) -> str:
    """A token with any header and payload, signed with HMAC-SHA256 when a key is given.

    For building deliberately odd tokens (tests, the bad-token battery); not for real use.
    """
    head = _b64encode(json.dumps(dict(header), separators=(",", ":")).encode())
    body = _b64encode(json.dumps(claims, separators=(",", ":"), allow_nan=False).encode())
    signing_input = f"{head}.{body}".encode("ascii")
    if key is None:
        return f"{head}.{body}."
    raw_key = key.encode() if isinstance(key, str) else key
    return f"{head}.{body}.{_b64encode(_hs256(raw_key, signing_input))}"


def _hs256(key: bytes, signing_input: bytes) -> bytes:
    """The HS256 signature: what signing writes and verification recomputes."""
    return hmac.digest(key, signing_input, "sha256")


@dataclass(slots=True)
class DecodedToken:
    header: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
    signature: SignatureState = "unverified"
    findings: list[Finding] = field(default_factory=list)
    payload_is_object: bool = False

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "payload": self.payload,
            "signature": self.signature,
            "findings": [f.to_dict() for f in self.findings],
        }


def decode(
    token: str | None,
    key: str | None,
    context: ValidationContext | None = None,
) -> DecodedToken:
    """Everything that can be said of a token; never raises on bad input.

    With `key=None` the signature is not checked ("unverified").
    """
    result = DecodedToken()
    if token is None or token.strip() == "":
        result.findings = [error("missing_token", None, "no token: pass the JWT as ?jwt=TOKEN")]
        return result
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH:
        result.findings = [
            error(
                "malformed_token",
                None,
                f"the token is {len(token)} characters; tokens over {MAX_TOKEN_LENGTH} are not read",
            )
        ]
        return result

    parts = token.split(".")
    if len(parts) != 3:
        hint = ""
        if len(parts) == 5:
            hint = " (five parts is an encrypted JWE; the platform expects a signed JWS)"
        result.findings = [
            error(
                "malformed_token",
                None,
                f"a JWT has three parts separated by dots; this has {len(parts)}{hint}",
            )
        ]
        return result
    head_b64, body_b64, sig_b64 = parts

    findings: list[Finding] = []
    header = _decode_json_part(head_b64, "header", findings)
    body = _decode_json_part(body_b64, "payload", findings)
    signature = _b64decode(sig_b64)
    if signature is None:
        findings.append(error("malformed_token", None, "the signature part is not base64url"))
    if isinstance(header, dict):
        result.header = header
    if isinstance(body, dict):
        result.payload = body
        result.payload_is_object = True
    if findings:
        result.findings = findings
        return result

    assert isinstance(header, dict) and isinstance(body, dict) and signature is not None
    alg = header.get("alg")
    if alg != ALGORITHM:
        findings.append(_unsupported_algorithm(alg))
        result.signature = "invalid" if key is not None else "unverified"
    elif key is not None:
        expected = _hs256(key.encode("utf-8"), f"{head_b64}.{body_b64}".encode("ascii"))
        if hmac.compare_digest(expected, signature):
            result.signature = "valid"
        else:
            result.signature = "invalid"
            reason = "it is empty" if not signature else "it does not match"
            findings.append(
                error(
                    "invalid_signature",
                    None,
                    f"the signature is not valid for this community's key ({reason}); sign with "
                    "the Single Sign-On private key from Administration > Authentication",
                )
            )
    findings += validate_payload(body, context)
    result.findings = sort_findings(findings)
    return result


def _unsupported_algorithm(alg: Any) -> Finding:
    if isinstance(alg, str) and alg.lower() == "none":
        message = f'alg "{alg}" means an unsigned token, which is never accepted; sign with HS256'
    elif alg is None:
        message = "the header has no alg; sign with HS256"
    else:
        shown = alg if isinstance(alg, str) else json_type_name(alg)
        message = f'alg "{shown}" is not supported; the platform only accepts HS256'
    return error("unsupported_algorithm", None, message)


def _decode_json_part(part: str, name: str, findings: list[Finding]) -> Any:
    raw = _b64decode(part)
    if raw is None or not part:
        findings.append(error("malformed_token", None, f"the {name} is not base64url text"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        findings.append(error("malformed_token", None, f"the {name} is not UTF-8 JSON"))
        return None
    try:
        value = loads_json(text)
    except (ValueError, RecursionError):
        findings.append(error("malformed_token", None, f"the {name} is not valid JSON"))
        return None
    if not isinstance(value, dict):
        findings.append(
            error(
                "malformed_token",
                None,
                f"the {name} is a JSON {json_type_name(value)}; it must be an object",
            )
        )
    return value


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


_TO_STANDARD_BASE64 = bytes.maketrans(b"-_", b"+/")


def _b64decode(part: str) -> bytes | None:
    """base64url without padding, as JWTs use it; None when it is not that."""
    stripped = part.rstrip("=")
    if not _BASE64URL.match(stripped) or len(stripped) % 4 == 1:
        return None
    # The alphabet is checked above, so the plain decoder will do (and it is faster).
    padded = stripped.encode("ascii").translate(_TO_STANDARD_BASE64) + b"=" * (-len(stripped) % 4)
    try:
        return binascii.a2b_base64(padded)
    except (binascii.Error, ValueError):
        return None


def extract_token(text: str) -> str:
    """A token as given, or the `jwt` parameter of a pasted SSO URL."""
    text = text.strip()
    if "jwt=" in text and ("://" in text or text.startswith("/")):
        values = parse_qs(urlsplit(text).query).get("jwt")
        if values:
            return values[0]
    return text
