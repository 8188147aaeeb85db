"""redirect_uri safety (CONTRACT.md section 3) and the SSO URL builder."""

from __future__ import annotations

import pytest

from tests.security.redirect_corpus import HOSTILE_REDIRECTS
from workbench.sso import UnsafeRedirectError, build_sso_url, is_safe_redirect

SAFE = [
    "/",
    "/spaces",
    "/spaces/general?tab=posts#top",
    "/members/m_1",
    "/a/b/../c",
    "/search?q=http://example.com",
    "/path%20with%20space",
    "/caf%C3%A9",
    "/café",
    "/a:b",
]

# One list of hostile values for every check: the open-redirect corpus.
UNSAFE = HOSTILE_REDIRECTS


@pytest.mark.parametrize("value", SAFE)
def test_safe_paths(value: str) -> None:
    assert is_safe_redirect(value)


@pytest.mark.parametrize("value", UNSAFE)
def test_unsafe_values(value: str) -> None:
    assert not is_safe_redirect(value)


def test_build_url_for_a_domain_and_a_local_emulator() -> None:
    assert build_sso_url("acme.community.com", "a.b.c") == (
        "https://acme.community.com/api/auth/sso?jwt=a.b.c"
    )
    assert build_sso_url("http://127.0.0.1:8765/", "a.b.c", "/spaces/general?x=1") == (
        "http://127.0.0.1:8765/api/auth/sso?jwt=a.b.c&redirect_uri=/spaces/general%3Fx%3D1"
    )


@pytest.mark.parametrize("value", [v for v in UNSAFE if v])
def test_build_url_refuses_unsafe_redirects(value: str) -> None:
    with pytest.raises(UnsafeRedirectError):
        build_sso_url("acme.community.com", "a.b.c", value)


@pytest.mark.parametrize("target", ["", "ftp://x", "javascript://x"])
def test_build_url_refuses_bad_targets(target: str) -> None:
    with pytest.raises(ValueError):
        build_sso_url(target, "a.b.c")
