"""Runs the emulator inside the GUI: started off the GUI thread, watched for new events."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from workbench.emulator.fixture import Fixture, FixtureError, load_fixture_file
from workbench.emulator.server import ServerThread
from workbench.emulator.store import Store, StoreError


class EmulatorHost(QObject):
    started = Signal(str)  # the emulator's URL
    failed = Signal(str)
    events_added = Signal(list)  # new events, oldest first
    community_changed = Signal()  # members, spaces, settings or fields may differ
    trace_added = Signal(list)  # new TraceEntry objects, oldest first
    events_reset = Signal()  # the timeline was emptied (reset, fixture import, trim)
    imported = Signal(str)  # the community name of an imported fixture
    import_failed = Signal(str)
    _ready = Signal(object)
    _error = Signal(str)
    _imported = Signal(object)
    _import_failed = Signal(str)

    def __init__(self, data_dir: Path, fixture: Fixture, key_provider: Callable[[], str | None]):
        super().__init__()
        self.data_dir = data_dir
        self.fixture = fixture
        self.key_provider = key_provider
        # What the stand-in identity provider offers: saved personas and the current payload.
        # Both are called from the server's thread, so they must only read.
        self.personas: Callable[[], dict[str, dict[str, Any]]] = dict
        self.current_payload: Callable[[], dict[str, Any] | None] = lambda: None
        self._last_trace = 0
        self.clock_offset = 0.0
        self.server: ServerThread | None = None
        self._closing = False
        self._last_event = 0
        self._poll = QTimer(self)
        self._poll.setInterval(400)
        self._poll.timeout.connect(self.poll)
        self._ready.connect(self._on_ready)
        self._error.connect(self.failed)
        self._imported.connect(self._on_imported)
        self._import_failed.connect(self.import_failed)

    @property
    def store(self) -> Store | None:
        return self.server.store if self.server else None

    @property
    def url(self) -> str | None:
        return self.server.url if self.server else None

    def start(self) -> None:
        """Open the store and start serving on a free port, without freezing the window."""

        def work() -> None:
            try:
                server = ServerThread.for_data_dir(
                    self.data_dir,
                    self.fixture,
                    self.key_provider,
                    "127.0.0.1",
                    0,
                    personas=self.personas,
                    current_payload=self.current_payload,
                    clock_offset=self.clock_offset,
                )
                server.start()
                server.wait_ready(30)
            except Exception as exc:  # reported in the window, in words
                with contextlib.suppress(RuntimeError):  # the window may be gone already
                    self._error.emit(f"The emulator could not start: {exc}")
                return
            if self._closing:
                server.stop()
                return
            try:
                self._ready.emit(server)
            except RuntimeError:  # the window was closed while the emulator started
                server.stop()

        threading.Thread(target=work, name="emulator-start", daemon=True).start()

    def _on_ready(self, server: ServerThread) -> None:
        self.server = server
        # The timeline starts with the newest events; a long history stays in the store.
        events = server.store.latest_events(500)
        self._last_event = events[-1]["id"] if events else 0
        self._poll.start()
        self.started.emit(server.url)
        if events:
            self.events_added.emit(events)
        self.community_changed.emit()

    def poll(self) -> None:
        store = self.store
        if store is None or self.server is None:
            return
        traced = self.server.trace.entries(self._last_trace)
        if traced:
            self._last_trace = traced[-1].id
            self.trace_added.emit(traced)
        new = store.events(self._last_event)
        if new:
            self._last_event = new[-1]["id"]
            self.events_added.emit(new)
            self.community_changed.emit()

    def reset(self) -> None:
        if self.store is not None:
            self.store.reset()
            self._last_event = 0
            self.events_reset.emit()
            self.community_changed.emit()

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        assert self.store is not None
        result = self.store.update_settings(changes)
        self.community_changed.emit()
        return result

    def import_fixture(self, path: str) -> None:
        """Switch to the fixture in `path` (its configuration and members, fresh), off the GUI
        thread: a large fixture takes a while. Reports through `imported` or `failed`."""
        store = self.store
        assert store is not None

        def work() -> None:
            try:
                fixture = load_fixture_file(path)
                store.apply_fixture(fixture)
                store.reset()
            except (FixtureError, StoreError) as exc:
                self._import_failed.emit(str(exc))
            except Exception as exc:  # the database refused: say so, in words
                self._import_failed.emit(f"the fixture could not be imported: {exc}")
            else:
                self._imported.emit(fixture)

        threading.Thread(target=work, name="fixture-import", daemon=True).start()

    def _on_imported(self, fixture: Fixture) -> None:
        self.fixture = fixture
        self._last_event = 0
        self.events_reset.emit()
        self.community_changed.emit()
        self.imported.emit(fixture.community_name)

    def trim_events(self, keep: int) -> int:
        assert self.store is not None
        removed = self.store.trim_events(keep)
        self.events_reset.emit()
        return removed

    def set_clock_offset(self, seconds: float) -> None:
        """Run the community's clock this far off (the virtual clock)."""
        self.clock_offset = seconds
        if self.server is not None:
            self.server.state.clock_offset = seconds
        self.community_changed.emit()

    def stop(self) -> None:
        self._closing = True
        self._poll.stop()
        if self.server is not None:
            self.server.stop()
            self.server = None
