"""The flow trace: every request the emulator answered, in order, grouped per login.

An ASGI middleware records method, URL, status, redirect target and the cookies set, so QA can
see `/auth/login` → identity provider → `/api/auth/sso` → 302 → page. Session cookie values are
never recorded, only their names.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_ENTRIES = 2000
_NOT_TRACED = ("/_workbench/api/", "/favicon.ico")
# A login starts at one of these; the requests after it belong to it until the next one.
_FLOW_STARTS = ("/auth/login", "/auth/logout", "/_workbench/host")
_JWT = re.compile(r"(jwt(?:=|%3D))([A-Za-z0-9_-]{12})[A-Za-z0-9_.%-]*?(?=&|%26|$)")


def shorten_token(url: str) -> str:
    """The URL with its jwt parameter cut to a recognisable prefix."""
    return _JWT.sub(r"\1\2…", url)


@dataclass(slots=True)
class TraceEntry:
    id: int
    at: float
    group: int
    method: str
    url: str
    status: int = 0
    location: str | None = None
    cookies_set: list[str] = field(default_factory=list)
    cookies_sent: list[str] = field(default_factory=list)
    fetch_dest: str | None = None
    fetch_site: str | None = None
    duration_ms: float = 0.0
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    response_headers: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        arrow = f" → {self.location}" if self.location else ""
        cookies = f"  set-cookie: {', '.join(self.cookies_set)}" if self.cookies_set else ""
        context = f"  [{self.fetch_dest}, {self.fetch_site}]" if self.fetch_dest else ""
        return f"{self.method} {self.url}  {self.status}{arrow}{cookies}{context}"


class RequestTrace:
    """A bounded, thread-safe log of requests (the server thread writes, the GUI reads)."""

    def __init__(self, limit: int = MAX_ENTRIES) -> None:
        self._entries: deque[TraceEntry] = deque(maxlen=limit)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._group = 0

    def start(self, method: str, url: str, path: str, headers: list[tuple[str, str]]) -> TraceEntry:
        with self._lock:
            if self._starts_flow(path) or self._group == 0:
                self._group += 1
            entry = TraceEntry(next(self._ids), time.time(), self._group, method, url)
        header_map = {k.lower(): v for k, v in headers}
        entry.fetch_dest = header_map.get("sec-fetch-dest")
        entry.fetch_site = header_map.get("sec-fetch-site")
        entry.cookies_sent = [
            part.split("=", 1)[0].strip()
            for part in header_map.get("cookie", "").split(";")
            if "=" in part
        ]
        entry.request_headers = [(k, _redact_header(k, v)) for k, v in headers]
        return entry

    def _starts_flow(self, path: str) -> bool:
        """A login, logout or embedded host page starts a flow; an SSO request does too,
        unless it is the next step of the flow before it (a redirect to it, or the iframe of a
        host page)."""
        if path.startswith(_FLOW_STARTS):
            return True
        if not path.startswith("/api/auth/sso"):
            return False
        previous = self._entries[-1] if self._entries else None
        if previous is None:
            return True
        follows_redirect = (previous.location or "").split("?")[0].endswith("/api/auth/sso")
        follows_host_page = "/_workbench/host" in previous.url
        return not (follows_redirect or follows_host_page)

    def finish(self, entry: TraceEntry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, since_id: int = 0) -> list[TraceEntry]:
        with self._lock:
            return [e for e in self._entries if e.id > since_id]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _redact_header(name: str, value: str) -> str:
    lowered = name.lower()
    if lowered == "cookie":
        return "; ".join(
            part.split("=", 1)[0].strip() + "=…" for part in value.split(";") if "=" in part
        )
    if lowered == "set-cookie":
        head, _, rest = value.partition(";")
        return head.split("=", 1)[0] + "=…" + (";" + rest if rest else "")
    return value


class TraceMiddleware:
    def __init__(self, app: ASGIApp, trace: RequestTrace) -> None:
        self.app = app
        self.trace = trace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_NOT_TRACED):
            await self.app(scope, receive, send)
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        host = dict(headers).get("host", "")
        query = scope.get("query_string", b"").decode("latin-1")
        url = f"{scope.get('scheme', 'http')}://{host}{scope['path']}" + (
            f"?{query}" if query else ""
        )
        entry = self.trace.start(scope["method"], shorten_token(url), scope["path"], headers)
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = int(message["status"])
                response_headers = [
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in message.get("headers", [])
                ]
                for name, value in response_headers:
                    if name.lower() == "location":
                        entry.location = shorten_token(value)
                    elif name.lower() == "set-cookie":
                        cookie_name = value.split("=", 1)[0]
                        attributes = value.lower()
                        deleted = (
                            "max-age=0" in attributes or "expires=thu, 01 jan 1970" in attributes
                        )
                        entry.cookies_set.append(cookie_name + (" (deleted)" if deleted else ""))
                entry.response_headers = [(k, _redact_header(k, v)) for k, v in response_headers]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            entry.duration_ms = (time.perf_counter() - started) * 1000
            self.trace.finish(entry)


def to_har(entries: list[TraceEntry], creator_version: str) -> dict[str, Any]:
    """HTTP Archive 1.2, for browsers' and proxies' HAR viewers. No cookie values, no key."""
    from datetime import UTC, datetime

    def headers(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
        return [{"name": k, "value": v} for k, v in pairs]

    def query(url: str) -> list[dict[str, str]]:
        from urllib.parse import parse_qsl, urlsplit

        return [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(url).query)]

    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "SSO Workbench", "version": creator_version},
            "pages": [],
            "entries": [
                {
                    "startedDateTime": datetime.fromtimestamp(e.at, UTC).isoformat(),
                    "time": round(e.duration_ms, 3),
                    "request": {
                        "method": e.method,
                        "url": e.url,
                        "httpVersion": "HTTP/1.1",
                        "headers": headers(e.request_headers),
                        "queryString": query(e.url),
                        "cookies": [{"name": n, "value": "…"} for n in e.cookies_sent],
                        "headersSize": -1,
                        "bodySize": 0,
                    },
                    "response": {
                        "status": e.status,
                        "statusText": "",
                        "httpVersion": "HTTP/1.1",
                        "headers": headers(e.response_headers),
                        "cookies": [{"name": n, "value": "…"} for n in e.cookies_set],
                        "content": {"size": -1, "mimeType": ""},
                        "redirectURL": e.location or "",
                        "headersSize": -1,
                        "bodySize": -1,
                    },
                    "cache": {},
                    "timings": {"send": 0, "wait": round(e.duration_ms, 3), "receive": 0},
                    "comment": f"login {e.group}",
                }
                for e in entries
            ],
        }
    }
