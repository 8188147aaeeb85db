"""The emulator's stand-ins for the customer's side, so every round trip runs offline.

- an identity provider: the community's Authorization, Sign Up and Logout URLs point here; it
  lists the workbench's personas (and its current payload), signs a token for the one chosen
  and returns to `/api/auth/sso` with `redirect_uri` set to the community's `referrer_uri`;
- a host page standing for the customer's product, with the community in an iframe, for the
  embedded preview (served under another host name than the community, so another site).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from workbench.sso.redirects import is_safe_redirect
from workbench.sso.tokens import prepare_claims, sign

PersonaProvider = Callable[[], dict[str, dict[str, Any]]]
PayloadProvider = Callable[[], dict[str, Any] | None]
Render = Callable[..., HTMLResponse]

CURRENT = "__current__"


def idp_routes(
    render: Render,
    key_provider: Callable[[], str | None],
    personas: PersonaProvider,
    current_payload: PayloadProvider,
) -> list[Route]:
    def choices() -> list[tuple[str, str, dict[str, Any]]]:
        """(value, label, payload) for each way to sign in."""
        out: list[tuple[str, str, dict[str, Any]]] = []
        current = current_payload()
        if current:
            out.append((CURRENT, "The workbench's current payload", current))
        for name, payload in sorted(personas().items(), key=lambda kv: kv[0].lower()):
            out.append((name, name, payload))
        return out

    def referrer(request: Request) -> str:
        value = request.query_params.get("referrer_uri", "/")
        return value if is_safe_redirect(value) else "/"

    async def login(request: Request) -> Response:
        return render(
            "idp_login.html",
            title="Sign in",
            signup=request.url.path.endswith("/signup"),
            choices=choices(),
            referrer=referrer(request),
            has_key=key_provider() is not None,
        )

    async def authorize(request: Request) -> Response:
        key = key_provider()
        chosen = request.query_params.get("persona", "")
        payload = next((p for value, _label, p in choices() if value == chosen), None)
        if key is None or payload is None:
            problem = "no SSO key is set" if key is None else f"there is no persona {chosen!r}"
            return render(
                "idp_login.html",
                400,
                title="Sign in",
                signup=False,
                choices=choices(),
                referrer=referrer(request),
                has_key=key is not None,
                problem=problem,
            )
        token = sign(prepare_claims(payload), key)
        target = f"/api/auth/sso?jwt={quote(token, safe='')}"
        back = referrer(request)
        if back != "/":
            target += f"&redirect_uri={quote(back, safe='/')}"
        return RedirectResponse(target, status_code=302)

    async def logout(request: Request) -> Response:
        return render("idp_logout.html", title="Signed out")

    return [
        Route("/_workbench/idp/login", login),
        Route("/_workbench/idp/signup", login),
        Route("/_workbench/idp/authorize", authorize),
        Route("/_workbench/idp/logout", logout),
    ]


def host_page_route(render: Render) -> Route:
    async def host(request: Request) -> Response:
        src = request.query_params.get("src", "/")
        if not (is_safe_redirect(src) or src.lower().startswith(("http://", "https://"))):
            src = "/"
        blocked = request.query_params.get("blocked") == "1"
        return render("host.html", title="Your product", src=src, blocked=blocked)

    return Route("/_workbench/host", host)
