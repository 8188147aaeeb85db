"""Emulator throughput, latency and scaling, with wrk, against baselines in the same run."""

from __future__ import annotations

import tempfile
from pathlib import Path
from statistics import median
from typing import Any

from tests.benchmarks.harness import Result, baseline, emulator, populate, sso_paths, wrk


def throughput(seconds: float, pool: int, rounds: int = 1) -> list[Result]:
    """Logins+upserts on `workbench serve` (creates, then updates) against a verify-only
    Starlette route and a bare asyncio server, 16 connections each.

    The three take turns, `rounds` times, `seconds` each, and each is reported by its median
    round: on a shared machine the speed drifts from one moment to the next, and taking turns
    exposes all three to the same drift."""
    paths = sso_paths(pool)
    runs: dict[str, list[dict[str, Any]]] = {"emulator": [], "starlette": [], "asyncio": []}
    try:
        with (
            tempfile.TemporaryDirectory() as data,
            emulator(Path(data)) as emulator_url,
            baseline("starlette") as starlette_url,
            baseline("asyncio") as asyncio_url,
        ):
            urls = {"emulator": emulator_url, "starlette": starlette_url, "asyncio": asyncio_url}
            for _ in range(rounds):
                for name, url in urls.items():
                    runs[name].append(wrk(url, paths, seconds))
    finally:
        paths.unlink()
    emu, starlette, bare = runs["emulator"], runs["starlette"], runs["asyncio"]
    failed = sum(r["failed"] for r in emu)
    worst_p99 = max(r["p99_us"] for r in emu) / 1000
    rps = median([r["rps"] for r in emu])
    starlette_rps = median([r["rps"] for r in starlette])
    per_round = {
        "emulator_rps": [round(r["rps"]) for r in emu],
        "starlette_rps": [round(r["rps"]) for r in starlette],
        "asyncio_rps": [round(r["rps"]) for r in bare],
        "ratio_per_round": [
            round(e["rps"] / b["rps"], 3) for e, b in zip(emu, starlette, strict=True)
        ],
        "first_round_creates": min(pool, emu[0]["requests"]),
    }
    return [
        Result(
            "emulator throughput",
            f"req/s (creates then updates), median of {rounds} rounds",
            rps,
            starlette_rps,
            "req/s",
            ">= 0.8x Starlette verify-only",
            rps / starlette_rps >= 0.8,
            per_round,
        ),
        Result(
            "emulator throughput",
            "req/s vs bare asyncio JWT check",
            rps,
            median([r["rps"] for r in bare]),
            "req/s",
            "reported",
            None,
        ),
        Result(
            "emulator latency",
            "p99 (worst round)",
            worst_p99,
            max(r["p99_us"] for r in starlette) / 1000,
            "ms",
            "< 20 ms",
            worst_p99 < 20,
            {"p50_ms": [r["p50_us"] / 1000 for r in emu]},
        ),
        Result(
            "emulator errors", "failed requests", float(failed), None, "requests", "0", failed == 0
        ),
    ]


def scaling(seconds: float, small: int, large: int) -> list[Result]:
    """The same login latency with `small` and with `large` members in the store."""
    figures = {}
    for members in (small, large):
        with tempfile.TemporaryDirectory() as data:
            populate(Path(data), members)
            paths = sso_paths(
                min(1000, members), prefix="pop", extra=None
            )  # updates of existing members
            try:
                with emulator(Path(data)) as url:
                    wrk(url, paths, min(seconds, 2))  # warm the page cache
                    figures[members] = wrk(url, paths, seconds)
            finally:
                paths.unlink()
    p50_small = figures[small]["p50_us"] / 1000
    p50_large = figures[large]["p50_us"] / 1000
    ratio = p50_large / p50_small
    return [
        Result(
            "scaling with members",
            f"p50 at {large:,} members",
            p50_large,
            p50_small,
            "ms",
            f"within 1.3x of p50 at {small:,}",
            ratio <= 1.3,
            {
                "p99_small_ms": figures[small]["p99_us"] / 1000,
                "p99_large_ms": figures[large]["p99_us"] / 1000,
            },
        ),
    ]
