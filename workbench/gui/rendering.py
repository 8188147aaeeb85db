"""How the workbench draws, decided before the QApplication exists.

The preview shows plain community pages, so it draws in software by default. GPU compositing buys
nothing there, and it costs the workbench process a GL driver: QtWebEngine probes the GPU vendor
through OpenGL at start-up even when Chromium is told not to use the GPU. Under Mesa's llvmpipe
(virtual machines, remote and headless sessions) that driver is LLVM itself, about 90 MB resident.
Software drawing also sidesteps the GPU-driver bugs that leave QtWebEngine views blank.
`WORKBENCH_PREVIEW_GPU=1` brings back the GPU path for anyone who wants it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

GPU_VARIABLE = "WORKBENCH_PREVIEW_GPU"

# Qt's own complaints when the GL probe above finds no OpenGL: expected in software mode, and
# nothing a user can act on.
SOFTWARE_MODE_NOISE = (
    "Cannot create platform OpenGL context, neither GLX nor EGL are enabled",
    "Cannot create platform offscreen surface, neither GLX nor EGL are enabled",
    "QRhiGles2: Failed to create temporary context",
    "QRhiGles2: Failed to create context",
    "Failed to create RHI for backend: OpenGL",
    "Failed to load vulkan",
    "initInstance: No Vulkan library available",
    "Failed to create platform Vulkan instance",
    "Unable to detect GPU vendor",
    "GPUInfo not initialized on GpuInfoUpdate",
)

# No network beyond loopback is assumed: keep Chromium from phoning home.
_QUIET_CHROMIUM = ("--disable-background-networking", "--disable-component-update")


def gpu_requested() -> bool:
    return os.environ.get(GPU_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


def _add_chromium_flags(*flags: str) -> None:
    current = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    missing = [flag for flag in flags if flag not in current]
    if missing:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join([*current, *missing])


def prepare_rendering() -> None:
    """Environment and Qt switches for the web engine; call before the QApplication exists."""
    # QtWebEngine (Chromium) refuses to start as root with its sandbox on.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    _add_chromium_flags(*_QUIET_CHROMIUM)
    if gpu_requested():
        return
    _add_chromium_flags("--disable-gpu")
    # On X11, a platform without OpenGL keeps the GL driver out of the process altogether.
    os.environ.setdefault("QT_XCB_GL_INTEGRATION", "none")
    from PySide6.QtQuick import QQuickWindow, QSGRendererInterface

    QQuickWindow.setGraphicsApi(QSGRendererInterface.GraphicsApi.Software)


def install_message_filter() -> None:
    """Drop the expected software-mode noise from Qt's log; pass everything else on."""
    if gpu_requested():
        return
    from PySide6.QtCore import qInstallMessageHandler

    previous: Any = None

    def handler(mode: Any, context: Any, message: str) -> None:
        if any(noise in message for noise in SOFTWARE_MODE_NOISE):
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)
