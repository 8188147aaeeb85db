"""`workbench serve`: the emulator in the foreground, stopped cleanly by SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
import threading
from types import FrameType

from workbench import keys
from workbench.emulator.fixture import Fixture, FixtureError, load_fixture_file, sample_fixture
from workbench.emulator.server import LOOPBACK_HOSTS, ServerError, ServerThread
from workbench.emulator.store import StoreError
from workbench.paths import DataDirError, data_dir
from workbench.personas import PersonaStore

EXIT_USAGE = 2


def _fail(message: str) -> int:
    print(f"workbench serve: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_serve(args: argparse.Namespace) -> int:
    try:
        key = keys.get_key(args.community)
    except keys.KeyStoreError as exc:
        return _fail(str(exc))
    try:
        fixture: Fixture = load_fixture_file(args.fixture) if args.fixture else sample_fixture()
    except FixtureError as exc:
        return _fail(str(exc))
    exposed = args.host not in LOOPBACK_HOSTS
    inspection_token = secrets.token_urlsafe(24) if exposed else None
    try:
        directory = data_dir(args.data_dir)
        persona_store = PersonaStore(directory)
        server = ServerThread.for_data_dir(
            directory,
            fixture,
            lambda: key,
            args.host,
            args.port,
            personas=persona_store.all,
            inspection_token=inspection_token,
            trace=False,
            clock_offset=args.clock_offset,
        )
    except (DataDirError, StoreError, ServerError) as exc:
        return _fail(str(exc))

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        server.start()
        server.wait_ready()
    except ServerError as exc:
        server.stop()
        return _fail(str(exc))

    if exposed:
        print(
            f"workbench serve: warning: listening on {args.host}, not loopback: the community "
            "and its members' data are reachable from the network. The inspection API now "
            f"needs the header  Authorization: Bearer {inspection_token}",
            file=sys.stderr,
            flush=True,
        )
    print(f"Serving community emulator on {server.url}", flush=True)
    while not stop.wait(0.5):
        if not server.running:
            server.stop()
            return _fail("the emulator stopped unexpectedly")
    server.stop()
    return 0
