"""What the community would change for a member: a login replayed on a throwaway community.

The first payload makes (or finds) the member, the second one is applied to them; the answer is
the second login's event, with its field-by-field changes. Nothing touches a real store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.emulator.community import sso_login
from workbench.emulator.fixture import Fixture
from workbench.emulator.store import Store
from workbench.sso.tokens import prepare_claims, sign

_SIMULATION_KEY = "simulation-only-key-never-used-for-anything-else"
_TIME_CLAIMS = ("iat", "exp", "nbf")


def simulate_update(
    before: Mapping[str, Any], after: Mapping[str, Any], fixture: Fixture
) -> dict[str, Any]:
    """The event of logging in with `after` once `before` has logged in, on `fixture`'s
    community: {"outcome", "code", "changes", "findings"} (outcome "rejected" with the code
    when the community would refuse `after`)."""
    store = Store(":memory:")
    try:
        store.apply_fixture(fixture)
        for payload in (before, after):
            claims = {k: v for k, v in payload.items() if k not in _TIME_CLAIMS}
            result = sso_login(
                store, sign(prepare_claims(claims), _SIMULATION_KEY), _SIMULATION_KEY
            )
        event = store.events()[-1]
        return {
            "outcome": result.outcome,
            "code": event["code"],
            "changes": event["changes"],
            "findings": event["findings"],
        }
    finally:
        store.close()
