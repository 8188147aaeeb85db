"""The emulator's HTTP face (CONTRACT.md section 3): SSO endpoint, community pages, inspection API."""

from __future__ import annotations

import hmac
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, quote, urlsplit

from jinja2 import Environment, FunctionLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from workbench.emulator.batching import LoginBatcher
from workbench.emulator.community import LoginAttempt, LoginResult
from workbench.emulator.fixture import FixtureError
from workbench.emulator.idp import PayloadProvider, PersonaProvider, host_page_route, idp_routes
from workbench.emulator.store import MemberRow, Store
from workbench.emulator.trace import RequestTrace, TraceMiddleware
from workbench.paths import resource
from workbench.sso.redirects import is_safe_redirect
from workbench.sso.rules import ValidationContext, validate_payload

SESSION_COOKIE = "wb_session"
# The same session for the community embedded in another site's iframe: a third-party cookie
# must be SameSite=None and Secure (Chromium accepts Secure on http://127.0.0.1 and localhost).
EMBED_COOKIE = "wb_session_embed"
LAST_PATH_COOKIE = "wb_last"
LAX_COOKIE = b"; HttpOnly; Path=/; SameSite=lax"
EMBED_COOKIE_ATTRIBUTES = b"; HttpOnly; Path=/; SameSite=none; Secure"
# What Starlette's RedirectResponse leaves unquoted in a Location header.
REDIRECT_SAFE = ":/%#?=@[]!$&'()*+,;"
MAX_QUERY_BYTES = 64 * 1024

KeyProvider = Callable[[], str | None]


@dataclass(slots=True)
class EmulatorState:
    store: Store
    key_provider: KeyProvider
    # The virtual clock: the community believes it is this many seconds later than it is, to
    # reproduce clock skew and expiry on purpose.
    clock_offset: float = 0.0
    logins: LoginBatcher = field(init=False)

    def __post_init__(self) -> None:
        self.logins = LoginBatcher(self.store)

    def now(self) -> float:
        return time.time() + self.clock_offset


def _load_template(name: str) -> str | None:
    node = resource("templates", name)
    return node.read_text(encoding="utf-8") if node.is_file() else None


_templates = Environment(
    loader=FunctionLoader(_load_template),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _safe_url(value: Any) -> str | None:
    """An http(s) URL for an href or src, or None: never javascript:, data: or relative tricks."""
    if isinstance(value, str) and re.match(r"^https?://[^\s\"'<>\\]+$", value, re.IGNORECASE):
        return value
    return None


def _initials(name: str) -> str:
    parts = [p for p in re.split(r"\s+", name.strip()) if p]
    return ("".join(p[0] for p in parts[:2]) or "?").upper()


def _field_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


_templates.filters["safe_url"] = _safe_url
_templates.filters["initials"] = _initials
_templates.filters["field_value"] = _field_value


def _no_payload() -> dict[str, Any] | None:
    return None


def _render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _templates.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status)


class AsgiEndpoint:
    """A bare ASGI function as a route's endpoint (Starlette wraps plain functions in its
    request/response machinery)."""

    def __init__(self, endpoint: ASGIApp) -> None:
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.endpoint(scope, receive, send)


class QueryLimitMiddleware:
    """Refuses absurdly long query strings with a 414 before any work is done."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            response = JSONResponse(
                {
                    "error": {
                        "code": "request_too_long",
                        "message": "the query string is over 64 KiB",
                    }
                },
                status_code=414,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class InspectionTokenMiddleware:
    """Off loopback, the inspection API answers only with the token printed at start
    (`Authorization: Bearer TOKEN`): members' data must not be one URL away on a network."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/_workbench/api/"):
            given = dict(scope.get("headers", [])).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                response = JSONResponse(
                    {
                        "error": {
                            "code": "unauthorized",
                            "message": "send the inspection token printed by `workbench "
                            "serve` as Authorization: Bearer TOKEN",
                        }
                    },
                    status_code=401,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(
    store: Store,
    key_provider: KeyProvider,
    *,
    trace: RequestTrace | None = None,
    personas: PersonaProvider | None = None,
    current_payload: PayloadProvider | None = None,
    inspection_token: str | None = None,
    clock_offset: float = 0.0,
) -> Starlette:
    state = EmulatorState(store, key_provider, clock_offset)

    def wants_json(request: Request) -> bool:
        accept = request.headers.get("accept", "")
        return "application/json" in accept and "text/html" not in accept

    def session_token(request: Request) -> str | None:
        return request.cookies.get(SESSION_COOKIE) or request.cookies.get(EMBED_COOKIE)

    def current_member(request: Request) -> MemberRow | None:
        return store.member_for_session(session_token(request))

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        member = current_member(request)
        response = _render(
            name,
            status,
            community=store.community_name(),
            settings=store.settings(),
            spaces=store.spaces(),
            me=member,
            path=request.url.path,
            **context,
        )
        if status == 200 and request.method == "GET":
            last = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if is_safe_redirect(last) and len(last) < 1000:
                response.set_cookie(
                    LAST_PATH_COOKIE, quote(last, safe="/?=&%"), httponly=True, samesite="lax"
                )
        return response

    # ---- SSO -----------------------------------------------------------------------------------

    async def sso(scope: Scope, receive: Receive, send: Send) -> None:
        """`/api/auth/sso`, as a bare ASGI endpoint: a login is the emulator's hottest path,
        and Starlette's request and response objects would be a tenth of its time."""
        # As Request.query_params reads it: a repeated parameter's last value counts.
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        attempt = LoginAttempt(
            query.get("jwt"), state.key_provider(), query.get("redirect_uri"), state.now()
        )
        result = await state.logins.login(attempt)
        if not result.accepted:
            await rejection(Request(scope, receive), result)(scope, receive, send)
            return
        token = (result.session_token or "").encode()  # cookie-safe by construction
        headers = [
            (b"location", quote(result.redirect or "/", safe=REDIRECT_SAFE).encode()),
            (b"content-length", b"0"),
            (b"set-cookie", SESSION_COOKIE.encode() + b"=" + token + LAX_COOKIE),
            (b"set-cookie", EMBED_COOKIE.encode() + b"=" + token + EMBED_COOKIE_ATTRIBUTES),
        ]
        await send({"type": "http.response.start", "status": 302, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    def rejection(request: Request, result: LoginResult) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"error": {"code": result.code, "message": result.message}},
                status_code=result.status,
            )
        return _render(
            "error.html",
            result.status,
            community=store.community_name(),
            settings=store.settings(),
            spaces=store.spaces(),
            me=None,
            path=request.url.path,
            result=result,
            title="Sign-in failed",
        )

    # ---- pages ---------------------------------------------------------------------------------

    async def home(request: Request) -> Response:
        counts = store.space_counts()
        return page(
            request,
            "home.html",
            title="Home",
            counts=counts,
            recent=store.recent_members(8),
            member_total=store.member_count(),
            my_spaces=store.member_space_ids(m.id) if (m := current_member(request)) else [],
            my_fields=store.member_fields(m.id) if m else {},
            profile_fields=store.profile_fields(),
        )

    async def space_page(request: Request) -> Response:
        space = store.space_by_slug(request.path_params["slug"])
        if space is None:
            return not_found(request, "There is no space at this address.")
        members = store.space_members(space.id)
        return page(
            request,
            "space.html",
            title=space.name,
            space=space,
            members=members,
            count=store.space_counts().get(space.id, 0),
        )

    async def member_page(request: Request) -> Response:
        member = store.member_by_id(request.path_params["member_id"])
        if member is None:
            return not_found(request, "There is no member with this ID.")
        return page(
            request,
            "member.html",
            title=member.name,
            member=member,
            fields=store.member_fields(member.id),
            profile_fields=store.profile_fields(),
            member_spaces=[
                s for s in store.spaces() if s.id in set(store.member_space_ids(member.id))
            ],
        )

    async def account_settings(request: Request) -> Response:
        member = current_member(request)
        if member is None:
            return RedirectResponse("/auth/login", status_code=302)
        message = None
        error = None
        settings = store.settings()
        if request.method == "POST":
            if settings.get("accountSettingsUrl"):
                error = "Email is managed by your organisation; use the link below."
            elif not same_origin(request):
                return JSONResponse(
                    {"error": {"code": "cross_origin", "message": "cross-origin form refused"}},
                    status_code=403,
                )
            else:
                body = await request.body()
                form = parse_qs(body[:16384].decode("utf-8", "replace"))
                email = (form.get("email") or [""])[0].strip()
                problems = [
                    f
                    for f in validate_payload(
                        {"sub": "x", "name": "x", "email": email}, ValidationContext(now=0)
                    )
                    if f.is_error and f.field == "email"
                ]
                holder = store.member_by_email(email) if email else None
                if problems:
                    error = problems[0].message
                elif holder is not None and holder.id != member.id:
                    error = "That email belongs to another member."
                else:
                    store.change_email(member.id, email)
                    member = store.member_by_id(member.id) or member
                    message = (
                        "Email changed. It now differs from your product's copy until your next "
                        "SSO login overwrites it."
                    )
        return page(
            request,
            "account.html",
            title="Account settings",
            member=member,
            message=message,
            error=error,
        )

    def not_found(request: Request, text: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": {"code": "not_found", "message": text}}, status_code=404)
        return page(request, "not_found.html", 404, title="Not found", text=text)

    def referrer(request: Request) -> str:
        from urllib.parse import unquote

        last = unquote(request.cookies.get(LAST_PATH_COOKIE, ""))
        return last if last and is_safe_redirect(last) else "/"

    def with_param(url: str, name: str, value: str) -> str:
        joiner = "&" if urlsplit(url).query else "?"
        fragment = ""
        if "#" in url:
            url, fragment = url.split("#", 1)
            fragment = "#" + fragment
        return f"{url}{joiner}{name}={quote(value, safe='/')}{fragment}"

    async def login(request: Request) -> Response:
        url = store.settings().get("authorizationUrl")
        if url:
            return RedirectResponse(
                with_param(url, "referrer_uri", referrer(request)), status_code=302
            )
        return page(request, "login.html", title="Log in", referrer=referrer(request))

    async def signup(request: Request) -> Response:
        url = store.settings().get("signUpUrl")
        if url:
            return RedirectResponse(url, status_code=302)
        return page(request, "login.html", title="Sign up", referrer=referrer(request), signup=True)

    async def logout(request: Request) -> Response:
        store.delete_session(session_token(request))
        target = store.settings().get("logoutUrl") or "/"
        response = RedirectResponse(target, status_code=302)
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.delete_cookie(EMBED_COOKIE, path="/", secure=True, samesite="none")
        return response

    async def methods(request: Request) -> Response:
        return page(request, "methods.html", title="Log in")

    def render_plain(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return _render(name, status, **context)

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    async def stylesheet(request: Request) -> Response:
        css = resource("static", "community.css").read_text(encoding="utf-8")
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=300"})

    # ---- inspection API ------------------------------------------------------------------------

    def same_origin(request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:  # not a browser's cross-site request (curl, the GUI, tests)
            return True
        host = request.headers.get("host", "")
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        return parts.netloc == host and parts.scheme in ("http", "https")

    def refuse_cross_origin() -> JSONResponse:
        return JSONResponse(
            {
                "error": {
                    "code": "cross_origin",
                    "message": "state-changing inspection calls refuse cross-origin requests",
                }
            },
            status_code=403,
        )

    async def api_users(request: Request) -> Response:
        query = request.query_params.get("q")
        try:
            limit = int(request.query_params["limit"]) if "limit" in request.query_params else None
            offset = int(request.query_params.get("offset", "0"))
        except ValueError:
            return JSONResponse(
                {"error": {"code": "bad_request", "message": "limit and offset are numbers"}},
                status_code=400,
            )
        return JSONResponse(store.list_users(query, limit, max(0, offset)))

    async def api_user(request: Request) -> Response:
        member = store.member_by_id(request.path_params["member_id"])
        if member is None:
            return JSONResponse(
                {"error": {"code": "not_found", "message": "no such member"}}, status_code=404
            )
        return JSONResponse(store.user_dict(member))

    async def api_spaces(request: Request) -> Response:
        counts = store.space_counts()
        return JSONResponse(
            [
                {"id": s.id, "name": s.name, "slug": s.slug, "memberCount": counts.get(s.id, 0)}
                for s in store.spaces()
            ]
        )

    async def api_events(request: Request) -> Response:
        try:
            since = int(request.query_params.get("since", "0"))
        except ValueError:
            since = 0
        return JSONResponse(store.events(since))

    async def api_me(request: Request) -> Response:
        member = current_member(request)
        if member is None:
            return JSONResponse(
                {"error": {"code": "not_signed_in", "message": "no session"}}, status_code=401
            )
        return JSONResponse({"user": store.user_dict(member)})

    async def api_reset(request: Request) -> Response:
        if not same_origin(request):
            return refuse_cross_origin()
        store.reset()
        return JSONResponse({"ok": True, "members": store.member_count()})

    async def api_settings(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse(store.settings())
        if not same_origin(request):
            return refuse_cross_origin()
        try:
            changes = await request.json()
        except (ValueError, UnicodeDecodeError):
            changes = None
        if not isinstance(changes, dict):
            return JSONResponse(
                {"error": {"code": "bad_request", "message": "send a JSON object of settings"}},
                status_code=400,
            )
        try:
            return JSONResponse(store.update_settings(changes))
        except FixtureError as exc:
            return JSONResponse(
                {"error": {"code": "invalid_setting", "message": str(exc)}}, status_code=400
            )

    async def api_clock(request: Request) -> Response:
        if request.method == "PUT":
            if not same_origin(request):
                return refuse_cross_origin()
            try:
                body = await request.json()
                offset = float(body["offsetSeconds"])
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                offset = float("nan")
            if not math.isfinite(offset) or abs(offset) > 10 * 365 * 86400:
                return JSONResponse(
                    {
                        "error": {
                            "code": "bad_request",
                            "message": 'send {"offsetSeconds": N}, within ten years',
                        }
                    },
                    status_code=400,
                )
            state.clock_offset = offset
        return JSONResponse({"offsetSeconds": state.clock_offset, "now": state.now()})

    async def api_community(request: Request) -> Response:
        return JSONResponse(
            {
                "name": store.community_name(),
                "profileFields": [
                    {"key": f.key, "name": f.name, "externalKeys": list(f.external_keys)}
                    for f in store.profile_fields()
                ],
                "memberCount": store.member_count(),
                "eventCount": store.event_count(),
            }
        )

    async def api_fixture(request: Request) -> Response:
        return JSONResponse(store.export_fixture())

    routes = [
        Route("/api/auth/sso", AsgiEndpoint(sso), methods=["GET"]),
        Route("/", home),
        Route("/spaces/{slug}", space_page),
        Route("/members/{member_id}", member_page),
        Route("/settings/account", account_settings, methods=["GET", "POST"]),
        Route("/auth/login", login),
        Route("/auth/signup", signup),
        Route("/auth/logout", logout),
        Route("/auth/methods", methods),
        *idp_routes(render_plain, key_provider, personas or dict, current_payload or _no_payload),
        host_page_route(render_plain),
        Route("/_workbench/static/community.css", stylesheet),
        Route("/favicon.ico", favicon),
        Route("/_workbench/api/users", api_users),
        Route("/_workbench/api/users/{member_id}", api_user),
        Route("/_workbench/api/spaces", api_spaces),
        Route("/_workbench/api/events", api_events),
        Route("/_workbench/api/me", api_me),
        Route("/_workbench/api/reset", api_reset, methods=["POST"]),
        Route("/_workbench/api/settings", api_settings, methods=["GET", "PUT"]),
        Route("/_workbench/api/community", api_community),
        Route("/_workbench/api/clock", api_clock, methods=["GET", "PUT"]),
        Route("/_workbench/api/fixture", api_fixture),
    ]

    async def http_not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        if status == 404:
            return not_found(request, "There is nothing at this address.")
        return JSONResponse(
            {
                "error": {
                    "code": "method_not_allowed" if status == 405 else "bad_request",
                    "message": str(getattr(exc, "detail", "")),
                }
            },
            status_code=status,
        )

    middleware = [Middleware(QueryLimitMiddleware)]
    if inspection_token is not None:
        middleware.append(Middleware(InspectionTokenMiddleware, token=inspection_token))
    if trace is not None:
        middleware.append(Middleware(TraceMiddleware, trace=trace))
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={404: http_not_found, 405: http_not_found},
    )
    app.state.emulator = state
    return app
