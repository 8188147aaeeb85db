"""The WebView preview: the community as a member sees it, in its own browser profile.

Three modes: Direct (the community page itself), Embedded (a host page on another site with
the community in an iframe, optionally with third-party cookies blocked) and Mobile (a phone
viewport with a WebView user agent).
"""

from __future__ import annotations

import threading
from enum import Enum
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QAction
from PySide6.QtWebEngineCore import QWebEngineCookieStore, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.widgets import hint_label

# An Android WebView, the usual shell of a product's phone app.
MOBILE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/124.0.0.0 Mobile Safari/537.36; wv"
)
PHONE_SIZE = (393, 852)  # CSS pixels of a common phone


class PreviewMode(Enum):
    DIRECT = "Direct"
    EMBEDDED = "Embedded"
    MOBILE = "Mobile"


def other_site(url: str) -> str:
    """The same server under the other loopback name: 127.0.0.1 <-> localhost (another site)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    swapped = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(host, host)
    netloc = swapped + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _site_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url


class PreviewPanel(QWidget):
    page_loaded = Signal(str, bool)  # url, ok
    cookie_blocked = Signal(str, str)  # origin, first-party url

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        storage = Path(data_dir) / "browser"
        storage.mkdir(parents=True, exist_ok=True)
        # A named profile keeps its cookies on disk, per data directory.
        self.profile = QWebEngineProfile("workbench-preview", self)
        self.profile.setPersistentStoragePath(str(storage / "storage"))
        self.profile.setCachePath(str(storage / "cache"))
        self.profile.setPersistentCookiesPolicy(
            QWebEngineProfile.PersistentCookiesPolicy.ForcePersistentCookies
        )
        self.default_user_agent = self.profile.httpUserAgent()
        self._block_third_party = threading.Event()
        self.profile.cookieStore().setCookieFilter(self._cookie_filter)
        self.mode = PreviewMode.DIRECT
        self.emulator_url: str | None = None

        self.view = QWebEngineView(self.profile, self)
        self.view.setObjectName("preview-view")
        self.address = QLineEdit()
        self.address.setObjectName("preview-address")
        self.address.setPlaceholderText("The preview's address")
        self.address.returnPressed.connect(lambda: self.load(self.address.text()))

        bar = QToolBar()
        style = self.style()
        back = QAction(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack), "Back", self)
        back.triggered.connect(self.view.back)
        forward = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward), "Forward", self
        )
        forward.triggered.connect(self.view.forward)
        reload = QAction(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "Reload", self)
        reload.triggered.connect(self.view.reload)
        for action in (back, forward, reload):
            bar.addAction(action)
        bar.addWidget(self.address)

        modes = QToolBar()
        self.mode_box = QComboBox()
        self.mode_box.setObjectName("preview-mode")
        for mode in PreviewMode:
            self.mode_box.addItem(mode.value, mode)
        self.mode_box.setToolTip(
            "Direct: the community itself. Embedded: in an iframe of a host page on another "
            "site. Mobile: a phone-sized WebView."
        )
        self.mode_box.currentIndexChanged.connect(
            lambda: self.set_mode(self.mode_box.currentData())
        )
        self.block_cookies = QCheckBox("Block third-party cookies")
        self.block_cookies.setObjectName("block-third-party")
        self.block_cookies.setToolTip(
            "What a member sees when the browser refuses the "
            "community's cookie inside your product's iframe"
        )
        self.block_cookies.toggled.connect(self.set_block_third_party)
        clear = QAction("Clear cookies", self)
        clear.setToolTip("Forget the preview's sessions (signs the member out of the preview)")
        clear.triggered.connect(self.clear_cookies)
        shot = QAction("Save PNG…", self)
        shot.setToolTip("Save a picture of the page, for QA reports")
        shot.triggered.connect(self.save_screenshot)
        modes.addWidget(QLabel(" Mode "))
        modes.addWidget(self.mode_box)
        modes.addWidget(self.block_cookies)
        modes.addAction(clear)
        modes.addAction(shot)

        self.note = hint_label()
        self.note.setObjectName("preview-note")
        self.note.setVisible(False)
        self.frame = QWidget()
        self.frame.setObjectName("preview-frame")
        frame_layout = QHBoxLayout(self.frame)
        frame_layout.setContentsMargins(0, 0, 0, 0)
        # The stretches share the space beside a phone-wide view and vanish otherwise.
        frame_layout.addStretch(0)
        frame_layout.addWidget(self.view, 1)
        frame_layout.addStretch(0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(modes)
        layout.addWidget(self.note)
        layout.addWidget(self.frame, 1)
        self.view.urlChanged.connect(lambda url: self.address.setText(url.toString()))
        self.view.loadFinished.connect(
            lambda ok: self.page_loaded.emit(self.view.url().toString(), ok)
        )

    # ---- modes ----------------------------------------------------------------------------------

    def set_mode(self, mode: PreviewMode) -> None:
        self.mode = mode
        if self.mode_box.currentData() is not mode:
            self.mode_box.setCurrentIndex(list(PreviewMode).index(mode))
        mobile = mode is PreviewMode.MOBILE
        self.profile.setHttpUserAgent(MOBILE_USER_AGENT if mobile else self.default_user_agent)
        if mobile:
            self.view.setFixedWidth(PHONE_SIZE[0])
            self.view.setMaximumHeight(PHONE_SIZE[1])
            self.frame.setStyleSheet("#preview-frame { background: #1d2433; }")
        else:
            self.view.setMinimumWidth(0)
            self.view.setMaximumWidth(16777215)
            self.view.setMaximumHeight(16777215)
            self.frame.setStyleSheet("")
        self._update_note()

    def set_block_third_party(self, block: bool) -> None:
        if block:
            self._block_third_party.set()
        else:
            self._block_third_party.clear()
        if self.block_cookies.isChecked() != block:
            self.block_cookies.setChecked(block)
        self._update_note()

    def _update_note(self) -> None:
        notes = []
        if self.mode is PreviewMode.EMBEDDED:
            notes.append(
                "Embedded: the community runs in an iframe of a host page on another "
                "site (localhost against 127.0.0.1), as in your product."
            )
        if self.mode is PreviewMode.MOBILE:
            notes.append(
                f"Mobile: a {PHONE_SIZE[0]}-pixel-wide WebView with an Android WebView user agent."
            )
        if self._block_third_party.is_set():
            notes.append(
                "Third-party cookies are blocked: an embedded login reaches the "
                "community but its session cookie is refused, so the member stays "
                "signed out. This is the classic embed failure."
            )
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))

    def _cookie_filter(self, request: QWebEngineCookieStore.FilterRequest) -> bool:
        # Called on Chromium's IO thread: read only the thread-safe flag, report by signal.
        if request.thirdParty and self._block_third_party.is_set():
            self.cookie_blocked.emit(
                _site_of(request.origin.toString()), _site_of(request.firstPartyUrl.toString())
            )
            return False
        return True

    # ---- loading --------------------------------------------------------------------------------

    def page_url_for(self, url: str) -> str:
        """What to load for `url` in the current mode (a host page around it when embedded)."""
        if self.mode is not PreviewMode.EMBEDDED or self.emulator_url is None:
            return url
        host = other_site(self.emulator_url)
        blocked = "&blocked=1" if self._block_third_party.is_set() else ""
        return f"{host}/_workbench/host?src={quote(url, safe='')}{blocked}"

    def open(self, url: str) -> None:
        """Open a community URL (an SSO URL, a page) the way the current mode shows it."""
        self.load(self.page_url_for(url))

    def load(self, url: str) -> None:
        self.view.load(QUrl.fromUserInput(url))

    def clear_cookies(self) -> None:
        self.profile.cookieStore().deleteAllCookies()
        self.view.reload()

    def save_screenshot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the page as PNG", "community.png", "PNG images (*.png)"
        )
        if path:
            self.view.grab().save(path, "PNG")

    def shutdown(self) -> None:
        """Pages must go before their profile, or QtWebEngine warns at exit."""
        self.view.setPage(None)  # type: ignore[arg-type]
        self.view.deleteLater()
