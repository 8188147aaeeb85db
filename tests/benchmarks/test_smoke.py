"""Every benchmark once, in a tiny size, so none of them rots. No timing is asserted here:
the figures are checked for being figures, the budgets are for `python -m tests.benchmarks.run`.
"""

from __future__ import annotations

import math
import os
import shutil

import pytest

from tests.benchmarks import bench_gui, bench_http
from tests.benchmarks.harness import Result
from tests.benchmarks.run import SMOKE, table

pytestmark = pytest.mark.slow

needs_wrk = pytest.mark.skipif(
    shutil.which("wrk") is None and not os.environ.get("WORKBENCH_TEST_SESSION"),
    reason="wrk is installed by scripts/setup.sh --test",
)
needs_display = pytest.mark.skipif(
    not os.environ.get("DISPLAY"), reason="the desktop benchmarks need an X server"
)


def well_formed(results: list[Result]) -> None:
    assert results
    for result in results:
        assert math.isfinite(result.project) and result.project >= 0
        assert result.baseline is None or result.baseline > 0
        assert result.ok in (True, False, None)
    assert "benchmark" in table(results)


@needs_wrk
def test_http_smoke() -> None:
    results = bench_http.throughput(seconds=1, pool=30)
    well_formed(results)
    errors = next(r for r in results if r.benchmark == "emulator errors")
    assert errors.project == 0  # correctness, not speed: no request may fail


@needs_wrk
def test_scaling_smoke() -> None:
    well_formed(bench_http.scaling(seconds=1, small=20, large=200))


@needs_display
def test_desktop_smoke() -> None:
    well_formed(bench_gui.startup(runs=1))
    memory = bench_gui.memory(members=100)
    well_formed(memory)
    assert memory[0].details["members"] == 102  # the populated ones and the sample's two


@needs_display
def test_live_update_smoke(qtbot: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.benchmarks.harness import KEY

    monkeypatch.setenv("WORKBENCH_SSO_KEY", KEY)  # restored after the test
    results = bench_gui.live_update(samples=3)
    well_formed(results)
    assert [r.details["samples"] for r in results] == [3, 3]


def test_the_smoke_suite_covers_every_benchmark() -> None:
    from tests.benchmarks.run import FULL

    assert set(SMOKE) == set(FULL)
