"""`workbench gui`: builds the application, and the `--screenshot` run used by docs and tests."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from workbench import keys
from workbench.emulator.fixture import FixtureError, load_fixture_file, sample_fixture
from workbench.gui.rendering import install_message_filter, prepare_rendering
from workbench.paths import DataDirError, data_dir, read_resource_text, resource
from workbench.sso import Payload, PayloadError

SCREENSHOT_TIMEOUT_MS = 60_000


def _fail(message: str, code: int = 2) -> int:
    print(f"workbench gui: {message}", file=sys.stderr)
    return code


def _load_payload(path: str | None) -> dict[str, Any]:
    if path is None:
        return Payload.from_json(read_resource_text("payloads", "dana.json")).to_dict()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read payload file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"payload file {path} is not UTF-8 text") from None
    return Payload.from_json(text).to_dict()


def run_gui(args: argparse.Namespace) -> int:
    try:
        payload = _load_payload(args.payload)
    except (ValueError, PayloadError) as exc:
        return _fail(str(exc), 1 if isinstance(exc, PayloadError) else 2)
    try:
        fixture = load_fixture_file(args.fixture) if args.fixture else sample_fixture()
        directory = data_dir(args.data_dir)
    except (FixtureError, DataDirError) as exc:
        return _fail(str(exc))
    if args.screenshot:
        try:
            keys.get_key(args.community)
        except keys.KeyStoreError as exc:
            return _fail(str(exc))

    if (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        return _fail(
            "no display to open the window on: run it in a desktop session, or under "
            "`xvfb-run -a workbench gui ...` on a machine without one"
        )
    prepare_rendering()
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from workbench.gui.emulator_host import EmulatorHost
    from workbench.gui.key_controller import KeyController
    from workbench.gui.theme import apply_theme
    from workbench.gui.window import MainWindow

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    install_message_filter()
    apply_theme(app)
    app.setApplicationName("SSO Workbench")
    app.setOrganizationName("sso-workbench")
    app.setDesktopFileName("org.ssoworkbench.Workbench")
    app.setWindowIcon(QIcon(str(resource("icons", "org.ssoworkbench.Workbench.svg"))))
    key_controller = KeyController(args.community)
    host = EmulatorHost(directory, fixture, key_controller.key)
    window = MainWindow(directory, host, key_controller, payload)
    window.show()
    host.start()

    probe = os.environ.get("WORKBENCH_STARTUP_PROBE")
    if probe:
        _install_probe(app, window, host, probe)
    elif not args.screenshot and key_controller.key() is None:
        QTimer.singleShot(300, lambda: _offer_key(window))
    if not args.screenshot:
        return int(app.exec())
    return _run_screenshot(app, window, host, Path(args.screenshot))


def _install_probe(app: Any, window: Any, host: Any, probe: str) -> None:
    """For the benchmarks: report when the window is up and interactive (`startup`), or the
    memory in use once the emulator and its panels are loaded (`memory`), then quit."""
    from PySide6.QtCore import QTimer

    def rss_kib(pid: int, field: str = "VmRSS") -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def children(pid: int) -> list[int]:
        found: list[int] = []
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                text = (task / "children").read_text().split()
                for child in map(int, text):
                    found += [child, *children(child)]
        except OSError:
            pass
        return found

    def gl_driver_mapped() -> bool:
        # A GL vendor driver in the process (libGLX_mesa, libEGL_nvidia, Mesa's DRI drivers and
        # the LLVM they load) means the GPU path; glvnd's own libGL/libGLX are only stubs.
        maps = Path("/proc/self/maps")
        text = maps.read_text() if maps.exists() else ""
        return any(name in text for name in ("libGLX_", "libEGL_", "_dri.so", "libLLVM"))

    def report_memory() -> None:
        pid = os.getpid()
        own = rss_kib(pid)
        # Resident memory splits into the process's own (anonymous) pages and pages of mapped
        # files, mostly shared libraries (QtWebEngine's alone is a large part).
        anon, file_backed = rss_kib(pid, "RssAnon"), rss_kib(pid, "RssFile")
        helpers = sum(rss_kib(child) for child in children(pid))
        members = host.store.member_count() if host.store is not None else 0
        print(
            f"PROBE memory rss_kib={own} anon_kib={anon} file_kib={file_backed} "
            f"webengine_kib={helpers} members={members} gl_driver={int(gl_driver_mapped())}",
            flush=True,
        )
        window.close()
        app.quit()

    if probe == "startup":

        def interactive() -> None:
            print("PROBE startup interactive", flush=True)
            window.close()
            app.quit()

        QTimer.singleShot(0, interactive)
    else:
        host.started.connect(lambda _url: QTimer.singleShot(3000, report_memory))


def _offer_key(window: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(window)
    box.setWindowTitle("No SSO key yet")
    box.setText(
        f"There is no SSO key for {window.keys.community}.\n\n{window.keys.problem or ''}\n\n"
        "Generate one for the local emulator, or paste your community's key."
    )
    generate = box.addButton("Generate a key", QMessageBox.ButtonRole.AcceptRole)
    paste = box.addButton("Paste a key…", QMessageBox.ButtonRole.ActionRole)
    box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is generate:
        window.generate_key()
    elif box.clickedButton() is paste:
        window.set_key()


def _run_screenshot(app: Any, window: Any, host: Any, target: Path) -> int:
    """Log in with the payload in the preview, wait for the community page, save the window."""
    from PySide6.QtCore import QTimer

    outcome: dict[str, Any] = {"code": None, "message": ""}
    logged_in = {"started": False}

    def save_and_quit(code: int, message: str = "") -> None:
        if outcome["code"] is not None:
            return
        outcome["message"] = message
        window.right_tabs.setCurrentWidget(window.preview)
        app.processEvents()
        screen = window.screen()
        image = screen.grabWindow(window.winId()) if screen is not None else window.grab()
        if image.isNull() or image.width() < 10:
            image = window.grab()
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            code, outcome["message"] = 2, f"cannot write {target}"
        outcome["code"] = code
        window.close()
        app.exit(code)

    def on_started(url: str) -> None:
        logged_in["started"] = True
        QTimer.singleShot(200, window.log_in)

    def on_loaded(url: str, ok: bool) -> None:
        if not logged_in["started"] or "/api/auth/sso" in url or not window.preview_has_login:
            return
        # Give the page a moment to paint before the window is captured.
        QTimer.singleShot(700, lambda: save_and_quit(0))

    window.preview_has_login = False
    window.login_started.connect(lambda url: setattr(window, "preview_has_login", True))
    host.started.connect(on_started)
    host.failed.connect(lambda message: save_and_quit(2, message))
    window.preview.page_loaded.connect(on_loaded)
    QTimer.singleShot(
        SCREENSHOT_TIMEOUT_MS,
        lambda: save_and_quit(1, "the preview did not finish loading within 60 s"),
    )
    app.exec()
    if outcome["message"]:
        print(f"workbench gui: {outcome['message']}", file=sys.stderr)
    return int(outcome["code"] or 0)
