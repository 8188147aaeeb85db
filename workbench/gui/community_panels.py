"""The emulator's community in the window: members, spaces, profile fields and settings."""

from __future__ import annotations

import html
import json
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
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

_ROOT = QModelIndex()


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


class MembersModel(QAbstractTableModel):
    """Members, fetched from the store a page at a time: a community of 100,000 members costs
    the rows on screen, not 100,000 rows of widgets."""

    PAGE = 500
    HEADERS = ("name", "email", "sub (externalId)", "spaces", "updated")

    def __init__(self, host: EmulatorHost) -> None:
        super().__init__()
        self.host = host
        self.query = ""
        self.rows: list[dict[str, Any]] = []
        self.total = 0
        self.space_names: dict[str, str] = {}

    def reload(self, query: str | None = None) -> None:
        self.beginResetModel()
        if query is not None:
            self.query = query
        store = self.host.store
        self.rows = []
        self.total = 0
        if store is not None:
            self.space_names = {s.id: s.name for s in store.spaces()}
            self.total = store.count_users(self.query or None)
            self.rows = store.list_users(self.query or None, self.PAGE, 0)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        store = self.host.store
        if store is None or parent.isValid():
            return
        more = store.list_users(self.query or None, self.PAGE, len(self.rows))
        if not more:
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
        self.rows.extend(more)
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        user = self.rows[index.row()]
        column = index.column()
        if column == 0:
            return user["name"]
        if column == 1:
            return user["email"]
        if column == 2:
            return user["externalId"] or "—"
        if column == 3:
            return ", ".join(self.space_names.get(s, s) for s in user["spaceIds"])
        return str(user["updatedAt"]).replace("T", " ")[:19]

    def user_at(self, row: int) -> dict[str, Any] | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None


class MembersPanel(QWidget):
    """Every member, searchable, with one member's fields and spaces beside the list."""

    def __init__(self, host: EmulatorHost) -> None:
        super().__init__()
        self.host = host
        self.search = QLineEdit()
        self.search.setObjectName("members-search")
        self.search.setPlaceholderText("Search members by name, email or sub")
        self.search.setClearButtonEnabled(True)
        self.model = MembersModel(host)
        self.view = QTableView()
        self.view.setObjectName("members-table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setAlternatingRowColors(True)
        for column, width in enumerate((150, 200, 110, 160)):
            self.view.setColumnWidth(column, width)
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(lambda: self.reload(self.search.text().strip()))
        self.search.textChanged.connect(lambda *_: self._search_timer.start())
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
        host.community_changed.connect(lambda: self.reload())

    def reload(self, query: str | None = None) -> None:
        selected = self.selected_id()
        self.model.reload(query)
        total = self.model.total
        self.count.setText(
            f"{total} member{'s' if total != 1 else ''}" + (" found" if self.model.query else "")
        )
        if selected:
            self.select(selected)
        else:
            self._show_details()

    def selected_id(self) -> str | None:
        user = self.model.user_at(self.view.currentIndex().row())
        return str(user["id"]) if user else None

    def select(self, member_id: str) -> None:
        for row, user in enumerate(self.model.rows):
            if user["id"] == member_id:
                self.view.setCurrentIndex(self.model.index(row, 0))
                return

    def _show_details(self, *_: object) -> None:
        user = self.model.user_at(self.view.currentIndex().row())
        store = self.host.store
        if user is None or store is None:
            self.details.setHtml(
                "<p style='color:gray'>Select a member to see their profile fields and spaces.</p>"
            )
            return
        fields = {f.key: f.name for f in store.profile_fields()}
        spaces = {s.id: s.name for s in store.spaces()}

        def shown(value: Any) -> str:
            return html.escape(
                value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            )

        rows = (
            "".join(
                f"<tr><td><b>{html.escape(fields.get(k, k))}</b></td><td>{shown(v)}</td></tr>"
                for k, v in user["fields"].items()
            )
            or "<tr><td colspan=2><i>no custom fields</i></td></tr>"
        )
        space_names = ", ".join(spaces.get(s, s) for s in user["spaceIds"]) or "none"
        self.details.setHtml(
            f"<h3>{html.escape(user['name'])}</h3>"
            f"<p>{html.escape(user['email'])} · sub "
            f"<code>{html.escape(user['externalId'] or '—')}</code>"
            f" · id <code>{html.escape(user['id'])}</code></p>"
            + (f"<p><i>{html.escape(user['tagline'])}</i></p>" if user["tagline"] else "")
            + f"<p><b>Spaces:</b> {html.escape(space_names)}</p>"
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
        self.clock = QDoubleSpinBox()
        self.clock.setObjectName("clock-offset")
        self.clock.setRange(-30 * 86400, 30 * 86400)
        self.clock.setDecimals(0)
        self.clock.setSuffix(" s")
        self.clock.setToolTip(
            "The virtual clock: the community (and the findings) act as if it were this many "
            "seconds later, to reproduce skew and expiry on purpose. Applied at once."
        )
        self.clock.valueChanged.connect(lambda value: self.host.set_clock_offset(float(value)))
        form.addRow("Virtual clock offset", self.clock)
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
