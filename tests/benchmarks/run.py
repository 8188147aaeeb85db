"""Run every benchmark and print one table; results also go to a JSON file.

    xvfb-run -a python -m tests.benchmarks.run            # full sizes (a few minutes)
    xvfb-run -a python -m tests.benchmarks.run --smoke    # tiny sizes: checks they still run
    python -m tests.benchmarks.run --only http,scaling

Each figure is set against a baseline measured in the same run, because absolute times on a
shared machine drift. Budgets are reported, never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from tests.benchmarks import bench_gui, bench_http
from tests.benchmarks.harness import Result

FULL = {
    "http": lambda: bench_http.throughput(seconds=3, pool=3000, rounds=9),
    "scaling": lambda: bench_http.scaling(seconds=8, small=1_000, large=100_000),
    "live": lambda: bench_gui.live_update(samples=200),
    "startup": lambda: bench_gui.startup(runs=7),
    "memory": lambda: bench_gui.memory(members=100_000),
}
SMOKE: dict[str, Callable[[], list[Result]]] = {
    "http": lambda: bench_http.throughput(seconds=1, pool=50),
    "scaling": lambda: bench_http.scaling(seconds=1, small=50, large=500),
    "live": lambda: bench_gui.live_update(samples=5),
    "startup": lambda: bench_gui.startup(runs=1),
    "memory": lambda: bench_gui.memory(members=200),
}


def table(results: list[Result]) -> str:
    header = ("benchmark", "measure", "project", "baseline", "ratio", "budget", "ok")
    rows = [header]
    for r in results:
        rows.append(
            (
                r.benchmark,
                r.measure,
                f"{r.project:,.2f} {r.unit}",
                "" if r.baseline is None else f"{r.baseline:,.2f} {r.unit}",
                "" if r.ratio is None else f"{r.ratio:.2f}x",
                r.budget,
                {True: "yes", False: "NO", None: "-"}[r.ok],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to check they run")
    parser.add_argument("--only", help="comma-separated: " + ",".join(FULL))
    parser.add_argument("--json", default=".benchmarks/results.json", help="where to write")
    args = parser.parse_args(argv)
    suite = SMOKE if args.smoke else FULL
    chosen = args.only.split(",") if args.only else list(suite)
    results: list[Result] = []
    for name in chosen:
        started = time.monotonic()
        print(f"running {name}…", file=sys.stderr, flush=True)
        results += suite[name]()
        print(f"  {name} took {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print(table(results))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "smoke": args.smoke,
                "machine": {
                    "python": platform.python_version(),
                    "cpus": __import__("os").cpu_count(),
                },
                "results": [{**asdict(r), "ratio": r.ratio} for r in results],
            },
            indent=2,
            default=str,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
