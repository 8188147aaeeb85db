from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_KEY
from workbench.emulator.app import create_app
from workbench.emulator.fixture import Fixture, fixture_from_data
from workbench.emulator.store import Store
from workbench.sso import prepare_claims, sign

FIXTURE: dict[str, Any] = {
    "community": {"name": "Acme Community"},
    "spaces": [
        {"id": "sp_general", "name": "General", "slug": "general"},
        {"id": "sp_product", "name": "Product", "slug": "product"},
        {"id": "sp_beta", "name": "Beta", "slug": "beta"},
    ],
    "profileFields": [
        {"key": "company", "name": "Company", "externalKeys": ["company", "org"]},
        {"key": "title", "name": "Title", "externalKeys": ["jobTitle"]},
        {"key": "who", "name": "Who", "externalKeys": ["email", "name"]},
    ],
    "members": [
        {
            "email": "Dana@Example.com",
            "name": "Dana",
            "externalId": None,
            "spaceIds": ["sp_general"],
        },
        {
            "email": "fox@example.com",
            "name": "Fox",
            "externalId": "fox-1",
            "spaceIds": ["sp_general", "sp_beta"],
            "fields": {"company": "FBI"},
        },
    ],
    "settings": {
        "loginButtonText": "Log in with Acme",
        "authorizationUrl": None,
        "signUpUrl": None,
        "logoutUrl": None,
        "accountSettingsUrl": None,
        "newUsersHomepage": None,
        "clockSkewSeconds": 10,
    },
}


def fixture(**overrides: Any) -> Fixture:
    data = {**FIXTURE, **overrides}
    return fixture_from_data(data, "test")


def token(payload: dict[str, Any] | None = None, key: str = TEST_KEY, **claims: Any) -> str:
    base: dict[str, Any] = {"sub": "user-1", "name": "Sam", "email": "sam@example.com"}
    base.update(payload or {})
    base.update(claims)
    return sign(prepare_claims(base, now=time.time()), key)


class Emulator:
    def __init__(self, store: Store, key: str | None = TEST_KEY) -> None:
        self.store = store
        self.key = key
        self.client = TestClient(create_app(store, lambda: self.key), follow_redirects=False)

    def login(
        self, tok: str | None, redirect_uri: str | None = None, json: bool = False, **headers: str
    ) -> Any:
        params: dict[str, str] = {}
        if tok is not None:
            params["jwt"] = tok
        if redirect_uri is not None:
            params["redirect_uri"] = redirect_uri
        if json:
            headers["accept"] = "application/json"
        return self.client.get("/api/auth/sso", params=params, headers=headers)

    def users(self) -> list[dict[str, Any]]:
        return self.client.get("/_workbench/api/users").json()

    def user(self, sub: str) -> dict[str, Any]:
        return next(u for u in self.users() if u["externalId"] == sub)

    def events(self) -> list[dict[str, Any]]:
        return self.client.get("/_workbench/api/events").json()

    def snapshot(self) -> tuple[Any, Any]:
        return self.users(), self.client.get("/_workbench/api/spaces").json()


@pytest.fixture
def make_emulator(tmp_path: Path) -> Iterator[Any]:
    stores: list[Store] = []

    def make(fix: Fixture | None = None, key: str | None = TEST_KEY) -> Emulator:
        store = Store.open(tmp_path / f"data{len(stores)}", fix or fixture())
        stores.append(store)
        return Emulator(store, key)

    (tmp_path / "data0").mkdir()
    for i in range(1, 5):
        (tmp_path / f"data{i}").mkdir()
    yield make
    for store in stores:
        store.close()


@pytest.fixture
def emu(make_emulator: Any) -> Emulator:
    result: Emulator = make_emulator()
    return result
