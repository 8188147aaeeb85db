"""The main window: toolbar, payload panels, the token panel, the preview and the emulator panels."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
)

from workbench import keys
from workbench.emulator.community import validation_context
from workbench.gui.attack_panel import AttackPanel
from workbench.gui.claims_panel import ClaimsPanel
from workbench.gui.community_panels import MembersPanel, SettingsPanel, SpacesFieldsPanel
from workbench.gui.emulator_host import EmulatorHost
from workbench.gui.events_panel import EventsPanel
from workbench.gui.fields_panel import FieldsPanel
from workbench.gui.json_panel import JsonPanel
from workbench.gui.key_controller import KeyController
from workbench.gui.model import PayloadModel
from workbench.gui.preview import PreviewPanel
from workbench.gui.spaces_panel import SpacesPanel
from workbench.gui.token_panel import TokenPanel
from workbench.gui.token_state import Community, TokenController
from workbench.gui.trace_panel import TracePanel
from workbench.personas import PersonaError, PersonaStore
from workbench.sso import UnsafeRedirectError, build_sso_url

LOCAL = "localhost"


class MainWindow(QMainWindow):
    login_started = Signal(str)

    def __init__(
        self,
        data_dir: Path,
        host: EmulatorHost,
        keys_: KeyController,
        payload: dict[str, Any],
    ) -> None:
        super().__init__()
        self.setWindowTitle("SSO Workbench")
        self.data_dir = data_dir
        self.host = host
        self.keys = keys_
        self.personas = PersonaStore(data_dir)
        self.settings_file = QSettings(str(data_dir / "gui.ini"), QSettings.Format.IniFormat)

        self.model = PayloadModel(payload)
        self.controller = TokenController(self.model, keys_.key)

        # ---- panels ----
        self.claims = ClaimsPanel(self.model)
        self.spaces = SpacesPanel(self.model)
        self.fields = FieldsPanel(self.model)
        self.json = JsonPanel(self.model)
        self.payload_tabs = QTabWidget()
        self.payload_tabs.setObjectName("payload-tabs")
        self.payload_tabs.addTab(self.claims, "Claims")
        self.payload_tabs.addTab(self.spaces, "Spaces")
        self.payload_tabs.addTab(self.fields, "Custom fields")
        self.payload_tabs.addTab(self.json, "Raw JSON")
        self.json.validity_changed.connect(self._json_validity)
        self.claims.ttl_changed.connect(self.controller.set_ttl)

        self.token = TokenPanel(keys_.key, self.controller.context)
        self.controller.updated.connect(self.token.show_state)
        self.controller.updated.connect(
            lambda _state: self.token.snippets.show_payload(
                self.model.view(), self.controller.ttl, self.keys.community
            )
        )
        self.token.focus_requested.connect(self.focus_field)
        self.token.load_payload_requested.connect(self.load_payload)
        self.token.compare = self.compare_with_current

        self.preview = PreviewPanel(data_dir)
        self.members = MembersPanel(host)
        self.events = EventsPanel(host)
        self.community = SpacesFieldsPanel(host)
        self.settings_panel = SettingsPanel(host)
        self.trace = TracePanel(host)
        self.preview.cookie_blocked.connect(
            lambda origin, first: self.trace.add_note(
                f"cookie from {origin} refused: third-party inside {first}"
            )
        )
        host.personas = self.personas.all
        host.current_payload = lambda: dict(self.controller.payload_snapshot)
        self.right_tabs = QTabWidget()
        self.right_tabs.setObjectName("right-tabs")
        self.right_tabs.addTab(self.preview, "Preview")
        self.right_tabs.addTab(self.members, "Members")
        self.right_tabs.addTab(self.events, "Events")
        self.right_tabs.addTab(self.trace, "Trace")
        self.attack = AttackPanel(host, self.model.view, keys_.key, self.personas.all)
        self.right_tabs.addTab(self.attack, "QA runs")
        self.right_tabs.addTab(self.community, "Community")
        self.right_tabs.addTab(self.settings_panel, "Settings")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self.payload_tabs)
        self.splitter.addWidget(self.token)
        self.splitter.addWidget(self.right_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 4)
        self.setCentralWidget(self.splitter)

        self._build_toolbar()
        self._build_menus()
        self.status = QLabel("Starting the emulator…")
        self.statusBar().addWidget(self.status, 1)

        keys_.changed.connect(self._key_changed)
        host.started.connect(self._emulator_started)
        host.failed.connect(self._emulator_failed)
        host.community_changed.connect(self._community_changed)
        host.imported.connect(lambda name: self.status.setText(f"Imported the community {name}"))
        host.import_failed.connect(self._import_failed)
        self._key_changed()
        self.controller.refresh()
        self._restore_layout()

    # ---- toolbar and menus ----------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)

        bar.addWidget(QLabel(" Community "))
        self.domain = QComboBox()
        self.domain.setObjectName("community-domain")
        self.domain.setEditable(True)
        self.domain.setMinimumWidth(200)
        self.domain.addItem(LOCAL)
        self.domain.setToolTip(
            "localhost is the local emulator. Type a real community's domain to sign with its key "
            "and log in there."
        )
        self.domain.setCurrentText(self.keys.community)
        line_edit = self.domain.lineEdit()
        if line_edit is not None:
            line_edit.editingFinished.connect(self._domain_changed)
        self.domain.activated.connect(lambda *_: self._domain_changed())
        bar.addWidget(self.domain)

        self.key_label = QLabel()
        self.key_label.setObjectName("key-state")
        bar.addWidget(QLabel("  Key "))
        bar.addWidget(self.key_label)
        self.act_set_key = QAction("Set key…", self)
        self.act_set_key.triggered.connect(self.set_key)
        self.act_generate_key = QAction("Generate", self)
        self.act_generate_key.triggered.connect(self.generate_key)
        self.act_reveal_key = QAction("Reveal…", self)
        self.act_reveal_key.triggered.connect(self.reveal_key)
        for action in (self.act_set_key, self.act_generate_key, self.act_reveal_key):
            bar.addAction(action)
        bar.addSeparator()

        bar.addWidget(QLabel(" Persona "))
        self.persona = QComboBox()
        self.persona.setObjectName("persona")
        self.persona.setMinimumWidth(140)
        self.persona.setPlaceholderText("(unsaved)")
        self.persona.activated.connect(lambda *_: self.switch_persona(self.persona.currentText()))
        bar.addWidget(self.persona)
        self.act_save_persona = QAction("Save as…", self)
        self.act_save_persona.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.act_save_persona.triggered.connect(self.save_persona)
        bar.addAction(self.act_save_persona)
        bar.addSeparator()

        self.addToolBarBreak()
        bar = QToolBar("Log in")
        bar.setObjectName("login-toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        bar.addWidget(QLabel(" Target "))
        self.target_label = QLabel("local emulator (starting…)")
        self.target_label.setObjectName("target")
        bar.addWidget(self.target_label)
        bar.addWidget(QLabel("   redirect_uri "))
        self.redirect = QLineEdit()
        self.redirect.setObjectName("redirect-uri")
        self.redirect.setPlaceholderText("/ (optional path)")
        self.redirect.setMaximumWidth(260)
        bar.addWidget(self.redirect)
        self.act_login = QAction("Log in ▶", self)
        self.act_login.setObjectName("login")
        self.act_login.setShortcut(QKeySequence("Ctrl+L"))
        self.act_login.setToolTip("Log in with this token in the preview (Ctrl+L)")
        self.act_login.triggered.connect(self.log_in)
        self.act_copy_token = QAction("Copy token", self)
        self.act_copy_token.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.act_copy_token.triggered.connect(self.copy_token)
        self.act_copy_url = QAction("Copy SSO URL", self)
        self.act_copy_url.setShortcut(QKeySequence("Ctrl+Shift+U"))
        self.act_copy_url.triggered.connect(self.copy_url)
        for action in (self.act_login, self.act_copy_token, self.act_copy_url):
            bar.addAction(action)
        self._reload_personas()

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction("Open payload…", self.open_payload, QKeySequence.StandardKey.Open)
        file_menu.addAction("Save payload as…", self.save_payload, QKeySequence.StandardKey.SaveAs)
        file_menu.addSeparator()
        file_menu.addAction("Quit", self.close, QKeySequence.StandardKey.Quit)
        token_menu = menu.addMenu("&Token")
        for action in (
            self.act_login,
            self.act_copy_token,
            self.act_copy_url,
            self.act_save_persona,
        ):
            token_menu.addAction(action)
        token_menu.addAction(
            "Inspect a pasted token", self.show_inspector, QKeySequence("Ctrl+Shift+I")
        )
        key_menu = menu.addMenu("&Key")
        for action in (self.act_set_key, self.act_generate_key, self.act_reveal_key):
            key_menu.addAction(action)
        community_menu = menu.addMenu("&Community")
        community_menu.addAction("Import fixture…", self.import_fixture)
        community_menu.addAction("Export fixture…", self.export_fixture)
        community_menu.addSeparator()
        community_menu.addAction("Reset to fixture", self.reset_community)
        community_menu.addAction("Trim events to newest 100", lambda: self.host.trim_events(100))
        view_menu = menu.addMenu("&View")
        tabs = ("Preview", "Members", "Events", "Trace", "QA runs", "Community", "Settings")
        for index, name in enumerate(tabs):
            view_menu.addAction(name, self._tab_switcher(index), QKeySequence(f"Alt+{index + 1}"))
        help_menu = menu.addMenu("&Help")
        help_menu.addAction("About SSO Workbench", self.show_about)

    def _tab_switcher(self, index: int) -> Callable[[], None]:
        return lambda: self.right_tabs.setCurrentIndex(index)

    def about_text(self) -> str:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        from workbench import __version__

        return (
            f"<h3>SSO Workbench {__version__}</h3>"
            "<p>Sign, validate and try out the community platform's JWT SSO, offline.</p>"
            f"<p>Keyring: {self.keys.backend.name}<br>Data: {self.data_dir}<br>"
            f"Emulator: {self.host.url or 'not running'}<br>"
            f"Qt {qVersion()} · PySide6 {pyside_version}</p>"
        )

    def show_about(self) -> None:
        QMessageBox.about(self, "About SSO Workbench", self.about_text())

    # ---- key --------------------------------------------------------------------------------------

    def _key_changed(self) -> None:
        text = self.keys.describe()
        if self.keys.key() is None:
            self.key_label.setText(f"<span style='color:#c92a2a'>{text}</span>")
            self.key_label.setToolTip(
                self.keys.problem or "Set the community's key, or generate one"
            )
        else:
            self.key_label.setText(text)
            self.key_label.setToolTip(f"Keyring backend: {self.keys.backend.name}")
        self.act_reveal_key.setEnabled(self.keys.key() is not None)
        self.controller.refresh()

    def _domain_changed(self) -> None:
        domain = self.domain.currentText().strip() or LOCAL
        self.keys.set_community(domain)
        self._community_changed()

    def set_key(self) -> None:
        text, ok = QInputDialog.getText(
            self,
            "Set the SSO key",
            f"Paste the Single Sign-On private key of {self.keys.community}\n"
            "(Administration > Authentication > JWT SSO). It is stored in the OS keyring.",
            QLineEdit.EchoMode.Password,
        )
        if ok:
            try:
                self.keys.store(text)
            except keys.KeyStoreError as exc:
                QMessageBox.warning(self, "Key not stored", str(exc))

    def generate_key(self) -> None:
        if self.keys.key() is not None:
            answer = QMessageBox.question(
                self,
                "Replace the key?",
                f"Replace the key of {self.keys.community} with a new random one? Tokens signed "
                "with the old key stop working.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            self.keys.generate()
        except keys.KeyStoreError as exc:
            QMessageBox.warning(self, "Key not generated", str(exc))

    def reveal_key(self) -> None:
        key = self.keys.key()
        if key is None:
            return
        answer = QMessageBox.question(
            self,
            "Reveal the key?",
            "Show the whole private key? Anyone who sees it can sign in as any member.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle(f"SSO key of {self.keys.community}")
        field = QLineEdit(key)
        field.setReadOnly(True)
        field.selectAll()
        field.setMinimumWidth(520)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(field)
        layout.addWidget(buttons)
        dialog.exec()

    # ---- emulator ---------------------------------------------------------------------------------

    def _emulator_started(self, url: str) -> None:
        self.status.setText(f"Local emulator running at {url}")
        self.preview.emulator_url = url
        self._community_changed()
        if self.preview.view.url().isEmpty():
            self.preview.open(url + "/")

    def _emulator_failed(self, message: str) -> None:
        self.status.setText(message)
        QMessageBox.critical(self, "Emulator not started", message)

    def _community_changed(self) -> None:
        store = self.host.store
        local = self.keys.community == LOCAL
        if local:
            self.target_label.setText(
                f"local emulator at {self.host.url}"
                if self.host.url
                else "local emulator (starting…)"
            )
        else:
            self.target_label.setText(f"real community https://{self.keys.community}")
        if store is not None and local:
            # What the emulator validates against, from the one place that says so.
            rules = validation_context(store)
            community = Community(
                rules.space_ids, rules.profile_fields, rules.leeway, self.host.clock_offset
            )
            self.spaces.set_known_spaces([(s.id, s.name) for s in store.spaces()])
            self.fields.set_profile_fields(store.profile_fields())
        else:
            community = Community()
            self.spaces.set_known_spaces([])
            self.fields.set_profile_fields(None)
        self.controller.set_community(community)

    def reset_community(self) -> None:
        answer = QMessageBox.question(
            self,
            "Reset the community?",
            "Return the emulator to its fixture: its members, memberships and fields; every SSO "
            "member, session and event goes.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.host.reset()

    def import_fixture(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a community fixture", "", "JSON (*.json)"
        )
        if path:
            self.status.setText("Importing the fixture…")
            self.host.import_fixture(path)

    def _import_failed(self, message: str) -> None:
        self.status.setText("Fixture not imported")
        QMessageBox.warning(self, "Fixture not imported", message)

    def export_fixture(self) -> None:
        if self.host.store is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the community", "community.json", "JSON (*.json)"
        )
        if path:
            Path(path).write_text(
                json.dumps(self.host.store.export_fixture(), indent=2, ensure_ascii=False),
                encoding="utf-8",
            )

    # ---- actions ----------------------------------------------------------------------------------

    def target_base(self) -> str | None:
        if self.keys.community == LOCAL:
            return self.host.url
        return self.keys.community

    def sso_url(self) -> str | None:
        state = self.controller.refresh()
        base = self.target_base()
        if state.token is None or base is None:
            return None
        try:
            return build_sso_url(base, state.token, self.redirect.text().strip() or None)
        except UnsafeRedirectError as exc:
            self.status.setText(str(exc))
            self.redirect.setStyleSheet("border: 1px solid #c92a2a;")
            return None
        except ValueError as exc:
            self.status.setText(str(exc))
            return None

    def log_in(self) -> None:
        url = self.sso_url()
        if url is None:
            if self.controller.state.token is None:
                self.status.setText(
                    "No token to log in with: " + (self.controller.state.problem or "")
                )
            elif self.target_base() is None:
                self.status.setText("The emulator is not running yet")
            return
        self.redirect.setStyleSheet("")
        self.right_tabs.setCurrentWidget(self.preview)
        self.preview.open(url)
        self.login_started.emit(url)

    def copy_token(self) -> None:
        token = self.controller.refresh().token
        if token:
            QGuiApplication.clipboard().setText(token)
            self.status.setText("Token copied")

    def copy_url(self) -> None:
        url = self.sso_url()
        if url:
            QGuiApplication.clipboard().setText(url)
            self.status.setText("SSO URL copied")

    def focus_field(self, path: str) -> None:
        key = path.split("[")[0].split(".")[0]
        if key in ("sub", "email", "name", "tagline", "picture", "iat", "exp", "nbf"):
            panel: Any = self.claims
        elif key in ("spaceIds", "spaces", "spacesOperation"):
            panel = self.spaces
        else:
            panel = self.fields
        if not self.json.valid:
            panel = self.json
        self.payload_tabs.setCurrentWidget(panel)
        if not panel.focus_field(path):
            self.payload_tabs.setCurrentWidget(self.json)
            self.json.focus_field(path)

    def compare_with_current(self, pasted: dict[str, Any]) -> str:
        """The pasted token's payload against the current one, and what the emulator's
        community would change if that member logged in with the current payload."""
        from workbench.emulator.simulate import simulate_update
        from workbench.sso.diff import diff_claims, diff_lines, short

        current = dict(self.model.view())
        lines = diff_lines(diff_claims(pasted, current), include_same=False) or ["(same claims)"]
        effect = simulate_update(pasted, current, self.host.fixture)
        lines.append("")
        lines.append(
            f"The community: {effect['outcome']}"
            + (f" ({effect['code']})" if effect["code"] else "")
        )
        lines += [
            f"  {field}: {short(old)} → {short(new)}"
            for field, (old, new) in effect["changes"].items()
        ]
        return "\n".join(lines)

    def show_inspector(self) -> None:
        self.token.tabs.setCurrentIndex(1)
        self.token.pasted.setFocus()

    def _json_validity(self, valid: bool, message: str) -> None:
        for panel in (self.claims, self.spaces, self.fields):
            panel.setEnabled(valid)
        for index in range(3):
            self.payload_tabs.setTabToolTip(index, "" if valid else "Fix the raw JSON first")

    def load_payload(self, payload: dict[str, Any]) -> None:
        self.model.replace(payload)
        self.token.tabs.setCurrentIndex(0)
        self.status.setText("Payload loaded into the forms")

    def open_payload(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a payload", "", "JSON (*.json)")
        if path:
            from workbench.sso import Payload, PayloadError

            try:
                self.model.replace(
                    Payload.from_json(Path(path).read_text(encoding="utf-8")).to_dict()
                )
            except (OSError, UnicodeDecodeError, PayloadError) as exc:
                QMessageBox.warning(self, "Payload not opened", str(exc))

    def save_payload(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the payload", "payload.json", "JSON (*.json)"
        )
        if path:
            Path(path).write_text(
                json.dumps(self.model.payload(), indent=2, ensure_ascii=False), encoding="utf-8"
            )

    # ---- personas ---------------------------------------------------------------------------------

    def _reload_personas(self, current: str | None = None) -> None:
        self.persona.blockSignals(True)
        self.persona.clear()
        self.persona.addItems(self.personas.names())
        if current is not None:
            self.persona.setCurrentText(current)
        else:
            self.persona.setCurrentIndex(-1)
        self.persona.blockSignals(False)

    def save_persona(self) -> None:
        default = str(self.model.get("name") or "")
        name, ok = QInputDialog.getText(self, "Save persona", "Name of this persona:", text=default)
        if ok and name.strip():
            try:
                saved = self.personas.save(name, self.model.payload())
            except (PersonaError, OSError) as exc:
                QMessageBox.warning(self, "Persona not saved", str(exc))
                return
            self._reload_personas(saved)
            self.status.setText(f"Saved persona {saved}")

    def switch_persona(self, name: str) -> None:
        if not name:
            return
        try:
            self.model.replace(self.personas.load(name))
        except PersonaError as exc:
            QMessageBox.warning(self, "Persona not loaded", str(exc))
            return
        self.status.setText(f"Persona {name}")

    # ---- layout persistence -----------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings_file.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            screen = QGuiApplication.primaryScreen()
            available = screen.availableGeometry() if screen else None
            width = min(1500, int(available.width() * 0.9)) if available else 1400
            height = min(920, int(available.height() * 0.9)) if available else 880
            self.resize(width, height)
        splitter = self.settings_file.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        else:
            total = self.width()
            self.splitter.setSizes([int(total * 0.3), int(total * 0.3), int(total * 0.4)])

    def save_layout(self) -> None:
        self.settings_file.setValue("window/geometry", self.saveGeometry())
        self.settings_file.setValue("window/splitter", self.splitter.saveState())
        self.settings_file.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.preview.shutdown()
        self.host.stop()
        event.accept()
