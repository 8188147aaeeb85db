"""ServerThread: the one way the emulator is served, by `workbench serve` and by the GUI.

uvicorn runs in a background thread on a socket bound before the thread starts, so a port in
use is reported at once and `port=0` knows its port before anything is served.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from workbench.emulator.app import EmulatorState, KeyProvider, create_app
from workbench.emulator.fixture import Fixture
from workbench.emulator.idp import PayloadProvider, PersonaProvider
from workbench.emulator.store import Store
from workbench.emulator.trace import RequestTrace

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ServerError(RuntimeError):
    """The emulator could not start (port in use, bad host, database trouble)."""


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServerError(
                f"port {port} on {host} is in use; stop what is using it, or pick another "
                "with --port (0 picks a free one)"
            ) from None
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class ServerThread:
    """The emulator on a background thread: start(), wait_ready(), url, stop()."""

    def __init__(
        self,
        store: Store,
        key_provider: KeyProvider,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        personas: PersonaProvider | None = None,
        current_payload: PayloadProvider | None = None,
        inspection_token: str | None = None,
        trace: bool = True,
        clock_offset: float = 0.0,
    ) -> None:
        self.store = store
        self.host = host
        # The flow trace is for the GUI's preview; headless, it would only cost time.
        self.trace = RequestTrace()
        self.app = create_app(
            store,
            key_provider,
            trace=self.trace if trace else None,
            personas=personas,
            current_payload=current_payload,
            inspection_token=inspection_token,
            clock_offset=clock_offset,
        )
        self._socket = bind_socket(host, port)
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_config=None,
            access_log=False,
            lifespan="off",
            # Nothing proxies the emulator, so X-Forwarded-* must not be believed; and it need
            # not advertise uvicorn. Both also take a little off every login.
            proxy_headers=False,
            server_header=False,
            timeout_keep_alive=30,
            limit_concurrency=1000,
            h11_max_incomplete_event_size=64 * 1024,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="emulator", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None

    @classmethod
    def for_data_dir(
        cls,
        data_dir: Path,
        fixture: Fixture,
        key_provider: KeyProvider,
        host: str = "127.0.0.1",
        port: int = 0,
        **options: Any,
    ) -> ServerThread:
        """The emulator on the store in `data_dir`; `options` as for the constructor."""
        store = Store.open(data_dir, fixture)
        try:
            return cls(store, key_provider, host, port, **options)
        except BaseException:
            store.close()
            raise

    @property
    def state(self) -> EmulatorState:
        state: EmulatorState = self.app.state.emulator
        return state

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by wait_ready()/stop()
            self._error = exc

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        try:
            await self._server.serve(sockets=[self._socket])
        finally:
            # Whatever is still connected now (a browser's keep-alive or preconnected socket)
            # is closed here, or its socket would outlive the event loop.
            leftovers = list(self._server.server_state.connections)
            for connection in leftovers:
                connection.transport.close()
            if leftovers:
                await asyncio.sleep(0)  # let them see connection_lost

    def _close_idle_connections(self) -> None:
        # uvicorn asks connections to close once, when shutdown begins, and then waits for them
        # all; a browser may open one (a preconnect) after that and keep it idle for minutes.
        for connection in list(self._server.server_state.connections):
            with contextlib.suppress(Exception):  # one in a state h11 refuses: the next round
                connection.shutdown()

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise ServerError(f"the emulator stopped while starting: {self._error}")
            if time.monotonic() > deadline:
                raise ServerError(f"the emulator did not start within {timeout:.0f} s")
            time.sleep(0.01)

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and self._server.started

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        deadline = time.monotonic() + timeout
        while self._thread.is_alive() and time.monotonic() < deadline:
            if self._loop is not None:
                with contextlib.suppress(RuntimeError):  # the loop has just closed
                    self._loop.call_soon_threadsafe(self._close_idle_connections)
            self._thread.join(0.2)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        with contextlib.suppress(OSError):
            self._socket.close()
        self.store.close()
