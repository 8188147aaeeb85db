"""The baselines the emulator is measured against, run as their own processes.

- `starlette`: a plain Starlette route under uvicorn that only verifies the JWT with PyJWT and
  answers 302 (what one login costs with no community behind it);
- `asyncio`: a bare asyncio HTTP server doing only the same JWT check.

Both print `READY <port>` once they accept connections.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from urllib.parse import parse_qs, urlsplit

import jwt

KEY = os.environ["WORKBENCH_SSO_KEY"]


def verify(target: str) -> bool:
    token = parse_qs(urlsplit(target).query).get("jwt", [""])[0]
    try:
        jwt.decode(token, KEY, algorithms=["HS256"])
    except jwt.PyJWTError:
        return False
    return True


def run_starlette() -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Route

    async def sso(request: Request) -> Response:
        token = request.query_params.get("jwt", "")
        try:
            jwt.decode(token, KEY, algorithms=["HS256"])
        except jwt.PyJWTError:
            return PlainTextResponse("invalid", status_code=401)
        return RedirectResponse("/", status_code=302)

    app = Starlette(routes=[Route("/api/auth/sso", sso)])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)  # connections queue from here on, before uvicorn takes the socket
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    print(f"READY {sock.getsockname()[1]}", flush=True)
    asyncio.run(server.serve(sockets=[sock]))


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b" ", 2)[1].decode("latin-1")
            if verify(target):
                writer.write(b"HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\r\n")
            else:
                writer.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, IndexError):
        writer.close()


async def run_asyncio() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if sys.argv[1] == "starlette":
        run_starlette()
    else:
        asyncio.run(run_asyncio())
