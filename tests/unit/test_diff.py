"""Token diff: claim by claim, and what the community would change for the member."""

from __future__ import annotations

from workbench.emulator.fixture import sample_fixture
from workbench.emulator.simulate import simulate_update
from workbench.sso.diff import diff_claims, diff_lines

OLD = {
    "sub": "u-1",
    "name": "Dana",
    "email": "d@example.com",
    "picture": "https://x/a.png",
    "spaceIds": ["sp_general"],
    "company": "Acme",
}
NEW = {
    "sub": "u-1",
    "name": "Dana S",
    "email": "d@example.com",
    "spaceIds": ["sp_general", "sp_beta"],
    "company": "FBI",
    "plan": "gold",
}


def test_claims_are_compared_one_by_one() -> None:
    kinds = {c.claim: c.kind for c in diff_claims(OLD, NEW)}
    assert kinds == {
        "sub": "same",
        "name": "changed",
        "email": "same",
        "spaceIds": "changed",
        "company": "changed",
        "plan": "added",
        "picture": "removed",
    }
    assert [c.claim for c in diff_claims(OLD, NEW)][-1] == "picture"
    assert diff_claims({"n": 1}, {"n": 1.0})[0].kind == "changed"  # 1 and 1.0 differ in JSON type
    lines = diff_lines(diff_claims(OLD, NEW), include_same=False)
    assert lines[0].startswith("~ name") and '"Dana"  →  "Dana S"' in lines[0]
    assert not any(line.startswith("=") for line in lines)


def test_what_the_community_would_change() -> None:
    effect = simulate_update(OLD, NEW, sample_fixture())
    assert effect["outcome"] == "updated"
    assert effect["changes"] == {
        "name": ["Dana", "Dana S"],
        "spaceIds": [["sp_general"], ["sp_general", "sp_beta"]],
        "fields.company": ["Acme", "FBI"],
        "fields.plan": [None, "gold"],
    }  # the picture stays: an absent optional claim keeps the stored value


def test_a_new_sub_with_a_taken_email_would_conflict() -> None:
    effect = simulate_update(OLD, {**NEW, "sub": "u-2"}, sample_fixture())
    assert (effect["outcome"], effect["code"]) == ("rejected", "email_conflict")


def test_time_claims_do_not_stop_the_replay() -> None:
    expired = {**OLD, "iat": 1, "exp": 2}
    assert simulate_update(expired, {**NEW, "exp": 3}, sample_fixture())["outcome"] == "updated"
