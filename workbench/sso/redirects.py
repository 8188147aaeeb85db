"""redirect_uri safety and the SSO URL: one function each, used by the emulator and the GUI."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote, urlsplit

SSO_PATH = "/api/auth/sso"

# Characters that some parser or browser may read as a slash or backslash.
_SLASH_LOOKALIKES = frozenset("\u2044\u2215\u29f8\uff0f\ufe68\u2216\u29f5\u29f9\uff3c\u3033\u3035")


class UnsafeRedirectError(ValueError):
    """A redirect_uri that could send the member off the community."""


def is_safe_redirect(value: str) -> bool:
    """A relative path on the community: one leading "/", no scheme or host, in any decoding.

    Checked on the value as given and on every percent-decoding of it, so double encoding
    (`/%252F%252Fevil.com`) gains nothing.
    """
    if not isinstance(value, str) or not value:
        return False
    seen = value
    for _ in range(8):  # more rounds than any real value needs; stops at a fixed point
        if not _is_safe_form(seen):
            return False
        try:
            decoded = unquote(seen, errors="strict") if "%" in seen else seen
        except UnicodeDecodeError:
            return False  # bytes that are not UTF-8 are no path anyone meant
        if decoded == seen:
            return True
        seen = decoded
    return False


def _is_safe_form(value: str) -> bool:
    if not value.startswith("/") or value.startswith("//"):
        return False
    if "\\" in value:
        return False
    for char in value:
        if char in _SLASH_LOOKALIKES:
            return False
        category = unicodedata.category(char)
        # control, format (zero-width, bidi), line and paragraph separators
        if category in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "" and parts.netloc == ""


def safe_redirect_or_none(value: str | None) -> str | None:
    return value if value is not None and is_safe_redirect(value) else None


def community_base_url(target: str) -> str:
    """`https://DOMAIN` for a bare domain; a URL with a scheme is kept (the local emulator)."""
    target = target.strip().rstrip("/")
    if not target:
        raise ValueError("no community: give a domain such as community.example.com")
    if "://" in target:
        scheme = target.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise ValueError(f"the community address must be http or https, not {scheme}")
        return target
    return f"https://{target}"


def build_sso_url(target: str, token: str, redirect_uri: str | None = None) -> str:
    """`https://DOMAIN/api/auth/sso?jwt=TOKEN[&redirect_uri=PATH]`.

    Raises UnsafeRedirectError for a redirect_uri the community would refuse, so no tool ever
    hands out a URL that could be an open redirect.
    """
    url = f"{community_base_url(target)}{SSO_PATH}?jwt={quote(token, safe='')}"
    if redirect_uri:
        if not is_safe_redirect(redirect_uri):
            raise UnsafeRedirectError(
                f"redirect_uri {redirect_uri!r} is not a relative path on the community; "
                "use a path such as /spaces/general"
            )
        url += f"&redirect_uri={quote(redirect_uri, safe='/')}"
    return url
