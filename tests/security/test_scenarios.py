"""Scenario files: the shipped examples pass, a wrong expectation fails clearly, a wrong file is
refused naming the bad key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO, Cli
from workbench.toolkit.scenario import ScenarioError, parse

EXAMPLES = sorted((REPO / "resources" / "scenarios").iterdir())


def test_there_are_examples_for_each_rule() -> None:
    names = {p.stem for p in EXAMPLES}
    assert {
        "new-member",
        "update",
        "relink-by-email",
        "replace-vs-add",
        "custom-fields",
        "conflict",
    } <= names


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_shipped_scenario_passes(cli: Cli, path: Path) -> None:
    result = cli("scenario", str(path), key=None, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " steps as expected" in result.stdout and "FAIL" not in result.stdout


@pytest.mark.slow
def test_a_wrong_expectation_fails_and_says_why(cli: Cli, tmp_path: Path) -> None:
    scenario = tmp_path / "wrong.json"
    scenario.write_text(
        json.dumps(
            {
                "name": "wrong",
                "steps": [
                    {
                        "payload": {
                            "sub": "w-1",
                            "name": "W",
                            "email": "w@example.com",
                            "spaceIds": ["sp_beta"],
                        },
                        "expect": {
                            "outcome": "created",
                            "member": {"spaceIds": ["sp_general"], "name": "X"},
                        },
                    }
                ],
            }
        )
    )
    result = cli("scenario", str(scenario), key=None, timeout=120)
    assert result.returncode == 1
    assert "FAIL" in result.stdout
    assert "spaceIds: expected ['sp_general'], got ['sp_beta']" in result.stdout
    assert "name: expected 'X', got 'W'" in result.stdout


@pytest.mark.slow
def test_personas_from_the_data_dir(cli: Cli, tmp_path: Path) -> None:
    from workbench.personas import PersonaStore

    PersonaStore(tmp_path).save("Eve", {"sub": "eve-1", "name": "Eve", "email": "e@example.com"})
    scenario = tmp_path / "p.json"
    scenario.write_text(
        json.dumps({"steps": [{"persona": "Eve", "expect": {"outcome": "created"}}]})
    )
    result = cli("scenario", str(scenario), "--data-dir", str(tmp_path), key=None, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ([], "the file"),
        ({"steps": []}, "steps"),
        ({"steps": [{"payload": 5}]}, "steps[0]"),
        ({"steps": [{"payload": {}, "wait": 1}]}, "steps[0].wait"),
        ({"steps": [{"persona": "Nobody"}]}, "steps[0].persona"),
        ({"steps": [{"payload": {}, "clockOffset": "soon"}]}, "steps[0].clockOffset"),
        ({"steps": [{"payload": {}, "expect": {"outcome": "maybe"}}]}, "steps[0].expect.outcome"),
        ({"steps": [{"payload": {}, "expect": {"member": {"age": 3}}}]}, "steps[0].expect.member"),
    ],
)
def test_a_wrong_scenario_names_the_bad_key(data: object, named: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse(data, {})
    assert named in str(info.value)


def test_a_wrong_file_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"steps": "no"}')
    result = cli("scenario", str(bad), key=None)
    assert result.returncode == 2 and "steps" in result.stderr
    missing = cli("scenario", str(tmp_path / "none.json"), key=None)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
