"""ServerThread: how the emulator stops."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from tests.conftest import TEST_KEY
from tests.emulator.conftest import fixture
from workbench.emulator.server import ServerThread


def test_stopping_closes_a_connection_that_arrived_as_shutdown_began(tmp_path: Path) -> None:
    """A browser may open a connection (a preconnect) just as the emulator stops, after uvicorn
    has asked the open ones to close; stop() must close it too, and not wait for it."""
    server = ServerThread.for_data_dir(tmp_path, fixture(), lambda: TEST_KEY, trace=False)
    server.start()
    server.wait_ready()
    client = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    deadline = time.monotonic() + 5
    while not server._server.server_state.connections and time.monotonic() < deadline:
        time.sleep(0.01)
    (late,) = server._server.server_state.connections
    missed = {"first": True}
    real_shutdown = late.shutdown

    def miss_the_first_request_to_close() -> None:
        if missed.pop("first", False):
            return  # as if uvicorn's one round of closing had not seen this connection
        real_shutdown()

    late.shutdown = miss_the_first_request_to_close  # type: ignore[method-assign]
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5  # not the 10 s fallback to a forced exit
    assert client.recv(1) == b""  # the server closed it
    client.close()
