"""Shared bits of the benchmarks: a throwaway embedded PostgreSQL / broker and percentiles."""
from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

from claimflow.runtime import EmbeddedBroker, EmbeddedPostgres


def start_postgres() -> EmbeddedPostgres:
    return EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="claimflow-bench-")) / "pg", durable=False).start()


def stop_postgres(pg: EmbeddedPostgres) -> None:
    """Stop a throwaway PostgreSQL and delete its data (a million-claim run leaves about 4 GB)."""
    pg.stop()
    shutil.rmtree(pg.data_dir.parent, ignore_errors=True)


def start_broker() -> EmbeddedBroker:
    return EmbeddedBroker().start()


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
