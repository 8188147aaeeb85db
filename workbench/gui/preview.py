"""The WebView preview: the community as a member sees it, in its own browser profile."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QAction
from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QFileDialog, QLineEdit, QStyle, QToolBar, QVBoxLayout, QWidget


class PreviewPanel(QWidget):
    page_loaded = Signal(str, bool)  # url, ok

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
        clear = QAction("Clear cookies", self)
        clear.setToolTip("Forget the preview's sessions (logs the member out of the preview)")
        clear.triggered.connect(self.clear_cookies)
        shot = QAction("Save PNG…", self)
        shot.setToolTip("Save a picture of the page, for QA reports")
        shot.triggered.connect(self.save_screenshot)
        for action in (back, forward, reload):
            bar.addAction(action)
        bar.addWidget(self.address)
        bar.addAction(clear)
        bar.addAction(shot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(bar)
        layout.addWidget(self.view, 1)
        self.view.urlChanged.connect(lambda url: self.address.setText(url.toString()))
        self.view.loadFinished.connect(
            lambda ok: self.page_loaded.emit(self.view.url().toString(), ok)
        )

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
