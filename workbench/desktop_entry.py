"""`workbench --install-desktop-entry`: the menu entry, icons and AppStream data for this user.

Files go under $XDG_DATA_HOME (default ~/.local/share), as the freedesktop specifications say;
the entry's Exec line names the `workbench` this command was run from, so it works for a
virtual environment or pipx install that is not on the menu's PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from workbench.paths import resource

APP_ID = "org.ssoworkbench.Workbench"


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def workbench_command() -> str:
    """The absolute command that starts this workbench's GUI."""
    script = Path(sys.argv[0]).resolve()
    if script.name == "workbench" and script.is_file():
        return f"{_quote(str(script))} gui"
    return f"{_quote(sys.executable)} -m workbench gui"


def _quote(path: str) -> str:
    # Desktop Entry quoting: double quotes around paths with spaces, escape the specials.
    if any(c in path for c in ' "\\`$'):
        escaped = path.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")
        return '"' + escaped.replace("$", "\\$") + '"'
    return path


def install() -> list[Path]:
    """Install the entry, the icons and the metainfo; returns the files written."""
    base = data_home()
    written: list[Path] = []
    desktop_text = resource("desktop", f"{APP_ID}.desktop").read_text(encoding="utf-8")
    desktop_text = desktop_text.replace("Exec=workbench gui", f"Exec={workbench_command()}")
    desktop = base / "applications" / f"{APP_ID}.desktop"
    desktop.parent.mkdir(parents=True, exist_ok=True)
    desktop.write_text(desktop_text, encoding="utf-8")
    written.append(desktop)

    metainfo = base / "metainfo" / f"{APP_ID}.metainfo.xml"
    metainfo.parent.mkdir(parents=True, exist_ok=True)
    metainfo.write_text(
        resource("desktop", f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    written.append(metainfo)

    icons = resource("icons")
    svg_target = base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    svg_target.parent.mkdir(parents=True, exist_ok=True)
    svg_target.write_bytes((icons / f"{APP_ID}.svg").read_bytes())
    written.append(svg_target)
    hicolor = icons / "hicolor"
    for size_dir in hicolor.iterdir():
        source = size_dir / "apps" / f"{APP_ID}.png"
        if source.is_file():
            target = base / "icons" / "hicolor" / size_dir.name / "apps" / f"{APP_ID}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            written.append(target)

    # Let the desktop notice at once where the tools exist; harmless where they do not.
    for command in (
        ["update-desktop-database", str(desktop.parent)],
        ["gtk-update-icon-cache", "-q", "-t", str(base / "icons" / "hicolor")],
    ):
        if shutil.which(command[0]):
            subprocess.run(command, check=False, capture_output=True)
    return written
