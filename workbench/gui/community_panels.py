"""The emulator's community in the window: members, spaces, profile fields and settings."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.emulator.fixture import SETTINGS_DEFAULTS, URL_SETTINGS, FixtureError
from workbench.gui.emulator_host import EmulatorHost
from workbench.gui.widgets import hint_label


def _table(headers: list[str]) -> tuple[QTableView, QStandardItemModel, QSortFilterProxyModel]:
    model = QStandardItemModel(0, len(headers))
    model.setHorizontalHeaderLabels(headers)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    proxy.sort(-1)  # the community's own order until a header is clicked
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setAlternatingRowColors(True)
    return view, model, proxy


def _item(value: Any) -> QStandardItem:
    item = QStandardItem("" if value is None else str(value))
    item.setData(value, Qt.ItemDataRole.UserRole)
    return item


class MembersPanel(QWidget):
    """Every member, searchable, with one member's fields and spaces beside the list."""

    def __init__(self, host: EmulatorHost) -> None:
        super().__init__()
        self.host = host
        self.users: list[dict[str, Any]] = []
        self.search = QLineEdit()
        self.search.setObjectName("members-search")
        self.search.setPlaceholderText("Search members by name, email or sub")
        self.search.setClearButtonEnabled(True)
        self.view, self.model, self.proxy = _table(
            ["name", "email", "sub (externalId)", "spaces", "updated"]
        )
        self.view.setObjectName("members-table")
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.view.selectionModel().currentRowChanged.connect(self._show_details)
        self.details = QTextBrowser()
        self.details.setObjectName("member-details")
        self.count = QLabel()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.details)
        split.setSizes([300, 200])
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        host.community_changed.connect(self.reload)

    def reload(self) -> None:
        store = self.host.store
        if store is None:
            return
        selected = self._selected_id()
        self.users = store.list_users()
        spaces = {s.id: s.name for s in store.spaces()}
        self.model.setRowCount(0)
        for user in self.users:
            row = [
                _item(user["name"]),
                _item(user["email"]),
                _item(user["externalId"] or "—"),
                _item(", ".join(spaces.get(s, s) for s in user["spaceIds"])),
                _item(user["updatedAt"].replace("T", " ")[:19]),
            ]
            row[0].setData(user["id"], Qt.ItemDataRole.UserRole + 1)
            self.model.appendRow(row)
        self.count.setText(f"{len(self.users)} members")
        self.view.resizeColumnsToContents()
        if selected:
            self.select(selected)

    def _selected_id(self) -> str | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        source = self.proxy.mapToSource(index)
        member_id = self.model.item(source.row(), 0).data(Qt.ItemDataRole.UserRole + 1)
        return str(member_id) if member_id else None

    def select(self, member_id: str) -> None:
        for row in range(self.model.rowCount()):
            if self.model.item(row, 0).data(Qt.ItemDataRole.UserRole + 1) == member_id:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                self.view.setCurrentIndex(index)
                return

    def _show_details(self, *_: object) -> None:
        member_id = self._selected_id()
        user = next((u for u in self.users if u["id"] == member_id), None)
        store = self.host.store
        if user is None or store is None:
            self.details.clear()
            return
        fields = {f.key: f.name for f in store.profile_fields()}
        spaces = {s.id: s.name for s in store.spaces()}
        import html

        rows = (
            "".join(
                f"<tr><td><b>{html.escape(fields.get(k, k))}</b></td><td>{html.escape(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v)}</td></tr>"
                for k, v in user["fields"].items()
            )
            or "<tr><td colspan=2><i>no custom fields</i></td></tr>"
        )
        self.details.setHtml(
            f"<h3>{html.escape(user['name'])}</h3>"
            f"<p>{html.escape(user['email'])} · sub <code>{html.escape(user['externalId'] or '—')}</code>"
            f" · id <code>{html.escape(user['id'])}</code></p>"
            + (f"<p><i>{html.escape(user['tagline'])}</i></p>" if user["tagline"] else "")
            + f"<p><b>Spaces:</b> {html.escape(', '.join(spaces.get(s, s) for s in user['spaceIds']) or 'none')}</p>"
            f"<table cellspacing=4>{rows}</table>"
            f"<p style='color:gray'>created {user['createdAt']} · updated {user['updatedAt']}</p>"
        )


class SpacesFieldsPanel(QWidget):
    """The community's spaces with member counts, and its profile fields with external keys."""

    def __init__(self, host: EmulatorHost) -> None:
        super().__init__()
        self.host = host
        self.spaces_view, self.spaces_model, _ = _table(["space", "id", "slug", "members"])
        self.spaces_view.setObjectName("spaces-view")
        self.fields_view, self.fields_model, _ = _table(["profile field", "key", "external keys"])
        self.fields_view.setObjectName("profile-fields-view")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Spaces</b>"))
        layout.addWidget(self.spaces_view, 1)
        layout.addWidget(QLabel("<b>Profile fields</b>"))
        layout.addWidget(
            hint_label("A field takes the first of its external keys that has a non-empty value.")
        )
        layout.addWidget(self.fields_view, 1)
        host.community_changed.connect(self.reload)

    def reload(self) -> None:
        store = self.host.store
        if store is None:
            return
        counts = store.space_counts()
        self.spaces_model.setRowCount(0)
        for space in store.spaces():
            count = _item(counts.get(space.id, 0))
            count.setData(counts.get(space.id, 0), Qt.ItemDataRole.DisplayRole)
            self.spaces_model.appendRow(
                [_item(space.name), _item(space.id), _item(space.slug), count]
            )
        self.fields_model.setRowCount(0)
        for field in store.profile_fields():
            self.fields_model.appendRow(
                [_item(field.name), _item(field.key), _item(", ".join(field.external_keys))]
            )
        self.spaces_view.resizeColumnsToContents()
        self.fields_view.resizeColumnsToContents()


SETTING_LABELS = {
    "loginButtonText": "Login button text",
    "authorizationUrl": "Authorization URL",
    "signUpUrl": "Sign Up URL",
    "logoutUrl": "Logout URL",
    "accountSettingsUrl": "Account Settings URL",
    "newUsersHomepage": "New users homepage",
    "clockSkewSeconds": "Clock-skew leeway",
}


class SettingsPanel(QWidget):
    """Every setting of the fixture's `settings`, editable, applied to the running emulator."""

    applied = Signal()

    def __init__(self, host: EmulatorHost) -> None:
        super().__init__()
        self.host = host
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for key in SETTINGS_DEFAULTS:
            if key in ("clockSkewSeconds", "jwtSsoOnly"):
                continue
            edit = QLineEdit()
            edit.setObjectName(f"setting-{key}")
            edit.setPlaceholderText("not set" if key in URL_SETTINGS else "")
            edit.setClearButtonEnabled(True)
            self.edits[key] = edit
            form.addRow(SETTING_LABELS[key], edit)
        self.skew = QDoubleSpinBox()
        self.skew.setRange(0, 86400)
        self.skew.setDecimals(0)
        self.skew.setSuffix(" s")
        form.addRow(SETTING_LABELS["clockSkewSeconds"], self.skew)
        self.only_jwt = QCheckBox("JWT SSO is the only login method")
        self.only_jwt.setObjectName("setting-jwtSsoOnly")
        self.only_jwt.setToolTip(
            "Then the login button goes straight to the Authorization URL, as the platform does"
        )
        form.addRow("", self.only_jwt)
        apply = QPushButton("Apply settings")
        apply.setObjectName("apply-settings")
        apply.clicked.connect(self.apply)
        revert = QPushButton("Revert")
        revert.clicked.connect(self.reload)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(revert)
        buttons.addWidget(apply)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            hint_label(
                "URLs start with http:// or https://, or are a path on the emulator such as "
                "/_workbench/idp/login (its stand-in for your product's login). Empty means not set."
            )
        )
        layout.addLayout(buttons)
        layout.addStretch(1)
        host.community_changed.connect(self.reload)

    def reload(self) -> None:
        store = self.host.store
        if store is None:
            return
        settings = store.settings()
        for key, edit in self.edits.items():
            value = settings.get(key)
            edit.setText("" if value is None else str(value))
        self.skew.setValue(float(settings.get("clockSkewSeconds", 10)))
        self.only_jwt.setChecked(bool(settings.get("jwtSsoOnly", True)))

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, edit in self.edits.items():
            text = edit.text().strip()
            values[key] = (text or None) if key in URL_SETTINGS else text
        skew = self.skew.value()
        values["clockSkewSeconds"] = int(skew) if skew.is_integer() else skew
        values["jwtSsoOnly"] = self.only_jwt.isChecked()
        return values

    def apply(self) -> None:
        if self.host.store is None:
            return
        try:
            self.host.update_settings(self.values())
        except FixtureError as exc:
            QMessageBox.warning(self, "Settings not applied", str(exc))
            return
        self.applied.emit()
