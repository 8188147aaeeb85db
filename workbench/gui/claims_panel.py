"""Claims: sub, email, name, tagline, picture (with a thumbnail), iat and the expiry."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.model import PayloadModel
from workbench.gui.widgets import hint_label

TEXT_CLAIMS = (
    ("sub", "sub", "The user's ID in your product, e.g. user-1001 (required, ≤ 50 characters)"),
    ("email", "email", "Verified email address (required, ≤ 200 characters)"),
    ("name", "name", "Display name (required)"),
    ("tagline", "tagline", "Short bio (optional; left empty, the stored one is kept)"),
    ("picture", "picture", "Avatar URL starting with https:// (optional)"),
)
REQUIRED = {"sub", "email", "name"}


class ClaimsPanel(QWidget):
    ttl_changed = Signal(object)  # int seconds, or None for no expiry

    def __init__(self, model: PayloadModel) -> None:
        super().__init__()
        self.model = model
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label, placeholder in TEXT_CLAIMS:
            edit = QLineEdit()
            edit.setObjectName(f"claim-{key}")
            edit.setPlaceholderText(placeholder)
            edit.setClearButtonEnabled(True)
            edit.textEdited.connect(lambda text, k=key: self._edited(k, text))
            self.edits[key] = edit
            if key == "picture":
                row = QHBoxLayout()
                row.addWidget(edit, 1)
                self.thumbnail = QLabel()
                self.thumbnail.setFixedSize(QSize(40, 40))
                self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.thumbnail.setStyleSheet("border: 1px solid palette(mid); border-radius: 20px;")
                row.addWidget(self.thumbnail)
                form.addRow(label, row)
            else:
                form.addRow(label + (" *" if key in REQUIRED else ""), edit)

        self.iat_mode = QComboBox()
        self.iat_mode.addItems(["Now", "Fixed"])
        self.iat_mode.setToolTip("Now: set when the token is signed. Fixed: the time you type.")
        self.iat_value = QLineEdit()
        self.iat_value.setObjectName("claim-iat")
        self.iat_value.setPlaceholderText("seconds since 1970")
        self.iat_mode.currentIndexChanged.connect(self._iat_mode_changed)
        self.iat_value.textEdited.connect(self._iat_edited)
        iat_row = QHBoxLayout()
        iat_row.addWidget(self.iat_mode)
        iat_row.addWidget(self.iat_value, 1)
        form.addRow("iat", iat_row)

        self.ttl = QSpinBox()
        self.ttl.setObjectName("claim-exp")
        self.ttl.setRange(1, 30 * 86400)
        self.ttl.setValue(60)
        self.ttl.setSuffix(" s")
        self.ttl.setToolTip("Seconds from iat to exp; the platform recommends 60")
        self.no_expiry = QCheckBox("No expiry")
        self.no_expiry.setToolTip(
            "The token never expires. Not recommended: a leaked token can be replayed forever."
        )
        self.ttl.valueChanged.connect(self._ttl_changed)
        self.no_expiry.toggled.connect(self._ttl_changed)
        exp_row = QHBoxLayout()
        exp_row.addWidget(self.ttl)
        exp_row.addWidget(self.no_expiry, 1)
        form.addRow("exp", exp_row)
        self.exp_note = hint_label()
        form.addRow("", self.exp_note)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            hint_label(
                "Every other key of the payload is a custom field (see Custom fields). "
                "The platform recommends exp 60 seconds after iat."
            )
        )
        layout.addStretch(1)

        self._network = QNetworkAccessManager(self)
        self._thumb_timer = QTimer(self, singleShot=True, interval=500)
        self._thumb_timer.timeout.connect(self._load_thumbnail)
        self._thumb_reply: QNetworkReply | None = None
        model.changed.connect(self._model_changed)
        self._model_changed(None)

    # ---- edits to the model -------------------------------------------------------------------

    def _edited(self, key: str, text: str) -> None:
        if (text == "" and key not in REQUIRED) or text == "":
            self.model.remove_claim(key, self)
        else:
            self.model.set_claim(key, text, self)
        if key == "picture":
            self._thumb_timer.start()

    def _iat_mode_changed(self, index: int) -> None:
        fixed = index == 1
        self.iat_value.setEnabled(fixed)
        if fixed and "iat" not in self.model:
            self.iat_value.setText(str(int(time.time())))
            self.model.set_claim("iat", int(time.time()), self)
        elif not fixed:
            self.iat_value.clear()
            self.model.remove_claim("iat", self)

    def _iat_edited(self, text: str) -> None:
        try:
            value: Any = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                value = text  # kept as typed; the validator names the problem
        self.model.set_claim("iat", value, self)

    def _ttl_changed(self, *_: object) -> None:
        self.ttl.setEnabled(not self.no_expiry.isChecked() and "exp" not in self.model)
        self.ttl_changed.emit(self.current_ttl())

    def current_ttl(self) -> int | None:
        return None if self.no_expiry.isChecked() else self.ttl.value()

    # ---- the model to the widgets -------------------------------------------------------------

    def _model_changed(self, source: object) -> None:
        if source is self:
            return
        for key, edit in self.edits.items():
            value = self.model.get(key)
            text = "" if value is None else (value if isinstance(value, str) else str(value))
            if edit.text() != text:
                edit.setText(text)
        iat = self.model.get("iat")
        self.iat_mode.blockSignals(True)
        self.iat_mode.setCurrentIndex(0 if iat is None and "iat" not in self.model else 1)
        self.iat_mode.blockSignals(False)
        self.iat_value.setEnabled(self.iat_mode.currentIndex() == 1)
        self.iat_value.setText("" if "iat" not in self.model else str(iat))
        exp = self.model.get("exp")
        if "exp" in self.model:
            when = _local_time(exp)
            self.exp_note.setText(
                f"exp is fixed in the payload ({when}); remove it in Raw JSON to use the TTL."
            )
        else:
            self.exp_note.setText("")
        self.ttl.setEnabled(not self.no_expiry.isChecked() and "exp" not in self.model)
        self._thumb_timer.start()

    def focus_field(self, path: str) -> bool:
        key = path.split("[")[0].split(".")[0]
        widget = {"iat": self.iat_value, "exp": self.ttl, "nbf": None}.get(key) or self.edits.get(
            key
        )
        if widget is None:
            return False
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()
        return True

    # ---- thumbnail ----------------------------------------------------------------------------

    def _load_thumbnail(self) -> None:
        url = self.model.get("picture")
        self.thumbnail.setPixmap(QPixmap())
        self.thumbnail.setText("·")
        self.thumbnail.setToolTip("No picture")
        if self._thumb_reply is not None:
            self._thumb_reply.abort()
            self._thumb_reply = None
        if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
            return
        request = QNetworkRequest(QUrl(url))
        request.setTransferTimeout(5000)
        reply = self._network.get(request)
        self._thumb_reply = reply
        reply.finished.connect(lambda r=reply: self._thumbnail_loaded(r))

    def _thumbnail_loaded(self, reply: QNetworkReply) -> None:
        if reply is not self._thumb_reply:
            reply.deleteLater()
            return
        self._thumb_reply = None
        pixmap = QPixmap()
        if reply.error() == QNetworkReply.NetworkError.NoError and pixmap.loadFromData(
            reply.readAll()
        ):
            self.thumbnail.setPixmap(
                pixmap.scaled(
                    40,
                    40,
                    Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self.thumbnail.setToolTip("The picture loads")
        else:
            self.thumbnail.setText("✕")
            self.thumbnail.setToolTip(f"The picture did not load: {reply.errorString()}")
        reply.deleteLater()


def _local_time(value: Any) -> str:
    try:
        return datetime.fromtimestamp(float(value)).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError, OverflowError, OSError):
        return repr(value)
