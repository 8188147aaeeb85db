"""Emulator throughput, latency and scaling, with wrk, against baselines in the same run."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.benchmarks.harness import Result, baseline, emulator, populate, sso_paths, wrk


def throughput(seconds: float, pool: int) -> list[Result]:
    """Logins+upserts on `workbench serve` (creates, then updates) against a verify-only
    Starlette route and a bare asyncio server, 16 connections each."""
    paths = sso_paths(pool)
    try:
        with tempfile.TemporaryDirectory() as data, emulator(Path(data)) as url:
            creates = wrk(url, paths, seconds)
            updates = wrk(url, paths, seconds)
        with baseline("starlette") as url:
            starlette = wrk(url, paths, seconds)
        with baseline("asyncio") as url:
            bare = wrk(url, paths, seconds)
    finally:
        paths.unlink()
    failed = creates["failed"] + updates["failed"]
    worst_p99 = max(creates["p99_us"], updates["p99_us"]) / 1000
    rps = (creates["requests"] + updates["requests"]) / (
        (creates["duration_us"] + updates["duration_us"]) / 1e6
    )
    ratio = rps / starlette["rps"]
    return [
        Result(
            "emulator throughput",
            "req/s (creates then updates)",
            rps,
            starlette["rps"],
            "req/s",
            ">= 0.8x Starlette verify-only",
            ratio >= 0.8,
            {"creates": creates, "updates": updates, "starlette": starlette},
        ),
        Result(
            "emulator throughput",
            "req/s vs bare asyncio JWT check",
            rps,
            bare["rps"],
            "req/s",
            "reported",
            None,
            {"asyncio": bare},
        ),
        Result(
            "emulator latency",
            "p99 (worst phase)",
            worst_p99,
            starlette["p99_us"] / 1000,
            "ms",
            "< 20 ms",
            worst_p99 < 20,
            {
                "creates_p50_ms": creates["p50_us"] / 1000,
                "updates_p50_ms": updates["p50_us"] / 1000,
            },
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
