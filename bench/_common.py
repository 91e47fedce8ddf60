"""Shared bits of the benchmarks: a throwaway embedded PostgreSQL / broker and percentiles."""
from __future__ import annotations

import contextlib
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import AsyncIterator

from claimflow.runtime import EmbeddedBroker, EmbeddedPostgres, remove_tree
from shared.platform.migrations import upgrade

ROOT = Path(__file__).resolve().parent.parent


def start_postgres() -> EmbeddedPostgres:
    return EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="claimflow-bench-")) / "pg", durable=False).start()


def stop_postgres(pg: EmbeddedPostgres) -> None:
    """Stop a throwaway PostgreSQL and delete its data (a million-claim run leaves about 4 GB)."""
    pg.stop()
    shutil.rmtree(pg.data_dir.parent, ignore_errors=True)


def start_broker() -> EmbeddedBroker:
    return EmbeddedBroker().start()


@contextlib.asynccontextmanager
async def claims_and_sampling_databases() -> AsyncIterator[tuple[EmbeddedPostgres, EmbeddedBroker]]:
    """A throwaway PostgreSQL holding the claims and sampling databases (``bench_claims``,
    ``bench_sampling``) at their latest migration, and a broker: yields (pg, broker); afterwards
    both stop and their files are deleted."""
    workdir = Path(tempfile.mkdtemp(prefix="claimflow-bench-"))
    pg = EmbeddedPostgres(workdir / "pg", durable=False).start()
    broker = EmbeddedBroker(log_path=workdir / "tansu.log").start()
    try:
        for name in ("bench_claims", "bench_sampling"):
            pg.create_database(name)
        pg.psql("CREATE EXTENSION IF NOT EXISTS pg_trgm", "bench_claims")
        await upgrade(ROOT / "services" / "claims", pg.url("bench_claims"))
        await upgrade(ROOT / "services" / "sampling", pg.url("bench_sampling"))
        yield pg, broker
    finally:
        broker.stop()
        pg.stop()
        remove_tree(workdir)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (f"n={len(ms)} p50={percentile(ms, 50):.1f}ms p95={percentile(ms, 95):.1f}ms "
            f"p99={percentile(ms, 99):.1f}ms mean={statistics.fmean(ms):.1f}ms")


#: The prefix of the one line each benchmark ends with; ``bench/run_all.sh`` reads it.
RESULT_PREFIX = "BENCH-RESULT"


def report_result(name: str, met: bool, figures: str) -> None:
    """Print whether this run met the benchmark's target, with the figures that decide it: the line
    `./cf bench` turns into its summary ("passed its target" or "missed it")."""
    print(f"{RESULT_PREFIX} {name} {'met' if met else 'missed'} {figures}", flush=True)
