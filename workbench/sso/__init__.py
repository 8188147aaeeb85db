"""The platform's JWT SSO as one Qt-free, web-framework-free model.

Payloads, the validator's rules and findings, signing and decoding, redirect safety and the
SSO URL. The GUI shows these and the emulator enforces them: a rule lives here once.
"""

from workbench.sso.findings import Finding, first_error, has_errors, sort_findings
from workbench.sso.payload import STANDARD_CLAIMS, Payload, PayloadError
from workbench.sso.redirects import (
    UnsafeRedirectError,
    build_sso_url,
    is_safe_redirect,
    safe_redirect_or_none,
)
from workbench.sso.rules import ProfileField, ValidationContext, map_custom_fields, validate_payload
from workbench.sso.tokens import (
    DEFAULT_TTL,
    DecodedToken,
    SigningError,
    decode,
    prepare_claims,
    sign,
)

__all__ = [
    "DEFAULT_TTL",
    "STANDARD_CLAIMS",
    "DecodedToken",
    "Finding",
    "Payload",
    "PayloadError",
    "ProfileField",
    "SigningError",
    "UnsafeRedirectError",
    "ValidationContext",
    "build_sso_url",
    "decode",
    "first_error",
    "has_errors",
    "is_safe_redirect",
    "map_custom_fields",
    "prepare_claims",
    "safe_redirect_or_none",
    "sign",
    "sort_findings",
    "validate_payload",
]
