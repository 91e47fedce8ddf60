"""Support search over many claims: p95 latency of the claims service's search (target ≤ 50 ms
over 1,000,000 claims).

    python bench/claims_search.py [--claims 1000000] [--rounds 20] [--plans]
    python bench/claims_search.py --database-url postgresql+asyncpg://... [--rounds 20]

Starts a throwaway PostgreSQL, migrates the claims schema, seeds N claims with `claimflow seed`'s
code, then times the repository search the internal API runs (page query and exact total), for a
mix of the look-ups support users make (default list, each filter, text search, sorts, deep pages),
and prints the query plans (EXPLAIN ANALYZE, BUFFERS) of the slowest cases, or of every case with
--plans. With --database-url it times an already seeded database instead (nothing is created).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text  # noqa: E402

from bench._common import percentile, report_result, start_postgres, stop_postgres, summary  # noqa: E402
from services.claims.repository import ClaimFilters, ClaimRepository  # noqa: E402
from claimflow.demo.claims import seed  # noqa: E402
from shared.platform.db import make_engine, make_sessionmaker  # noqa: E402
from shared.platform.migrations import upgrade  # noqa: E402


async def cases(engine) -> dict[str, tuple[ClaimFilters, dict]]:
    async with engine.connect() as conn:
        sample = (await conn.execute(text(
            "SELECT reference, school_urn, provider_id, school_name, "
            "rtrim(split_part(mentor_names, ' ', 3), ';') FROM claims ORDER BY reference LIMIT 1 OFFSET 777"))).one()
    ref, urn, provider, school_name, mentor_last = sample
    return {
        "default list (newest first)": (ClaimFilters(), {}),
        "status = paid": (ClaimFilters(status=("paid",)), {}),
        "status in 2 + sort amount": (ClaimFilters(status=("submitted", "paid")), {"sort": "amount"}),
        "provider": (ClaimFilters(provider_id=provider), {}),
        "school urn": (ClaimFilters(school_urn=urn), {}),
        "window + academic year": (ClaimFilters(claim_window_id="window-2026-27", academic_year="2026/27"), {}),
        "submitted date range": (ClaimFilters(submitted_from=date(2026, 3, 1), submitted_to=date(2026, 3, 31)), {}),
        "assigned to": (ClaimFilters(assigned_to="support@example.com"), {}),
        "q = reference substring": (ClaimFilters(q=ref[1:6]), {}),
        "q = full reference": (ClaimFilters(q=ref), {}),
        "q = school name": (ClaimFilters(q=school_name), {}),
        f"q = mentor surname ({mentor_last})": (ClaimFilters(q=mentor_last), {}),
        "sort by school, page 200": (ClaimFilters(), {"sort": "school", "order": "asc", "page": 200}),
        "MAT scope": (ClaimFilters(scope_trust_id="northern-trust"), {}),
    }


async def extra_cases(engine) -> dict[str, tuple[ClaimFilters, dict]]:
    """Harder text searches, timed and shown beside the mix but not in it (the mix stays the one the
    earlier figures were measured on): a word of a fifth of the school names, a common surname
    combined with a filter (which keeps the ILIKE count), and a search of two letters."""
    async with engine.connect() as conn:
        mentor_last = (await conn.execute(text(
            "SELECT rtrim(split_part(mentor_names, ' ', 3), ';') FROM claims ORDER BY reference LIMIT 1 OFFSET 777"
        ))).scalar_one()
    return {
        "q = common school word (Primary)": (ClaimFilters(q="Primary"), {}),
        f"q = surname ({mentor_last}) + status": (ClaimFilters(q=mentor_last, status=("paid",)), {}),
        "q = two letters (ad)": (ClaimFilters(q="ad"), {}),
    }


async def plans(engine, filters: ClaimFilters, options: dict) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement one search runs."""
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with make_sessionmaker(engine)() as session:
            await ClaimRepository(session).search(filters, **options)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    out = []
    async with engine.connect() as conn:
        for statement, parameters in statements:
            if statement.lstrip().upper().startswith("SET "):
                # A setting the search makes for its transaction (SET LOCAL ...): run it so the plans
                # below are the ones the search got; EXPLAIN of a SET is a syntax error.
                await conn.exec_driver_sql(statement, parameters)
                continue
            result = await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            out.append("\n".join(r[0] for r in result))
        await conn.rollback()
    return out


async def time_cases(sessionmaker, mix: dict, rounds: int) -> tuple[list[float], list[tuple[float, str]]]:
    all_samples: list[float] = []
    results = []
    for name, (filters, options) in mix.items():
        samples = []
        for _ in range(rounds):
            async with sessionmaker() as session:
                t0 = time.perf_counter()
                items, total = await ClaimRepository(session).search(filters, **options)
                samples.append(time.perf_counter() - t0)
        all_samples.extend(samples)
        results.append((percentile([s * 1000 for s in samples], 95), name))
        print(f"{name:<40} total={total:>9,}  {summary(samples)}", flush=True)
    return all_samples, results


async def run(url: str, rounds: int, all_plans: bool) -> None:
    engine = make_engine(url, pool_size=4)
    sessionmaker = make_sessionmaker(engine)
    mix = await cases(engine)
    all_samples, results = await time_cases(sessionmaker, mix, rounds)
    print(f"\nALL QUERIES: {summary(all_samples)}   (target p95 ≤ 50 ms)", flush=True)
    p95 = percentile([s * 1000 for s in all_samples], 95)
    print("\nNot in the mix:", flush=True)
    extra = await extra_cases(engine)
    _, extra_results = await time_cases(sessionmaker, extra, rounds)
    shown = sorted(results, reverse=True) if all_plans else sorted(results, reverse=True)[:3]
    shown += sorted(extra_results, reverse=True) if all_plans else []
    everything = mix | extra
    for p95, name in shown:
        print(f"\n--- {name} (p95 {p95:.1f} ms)")
        for plan in await plans(engine, *everything[name]):
            print(plan + "\n")
    await engine.dispose()
    report_result("claims_search", p95 <= 50, f"p95 {p95:.1f} ms over {len(mix)} look-ups (target ≤ 50 ms)")


async def main(claims: int, rounds: int, all_plans: bool, database_url: str | None) -> None:
    if database_url:
        await run(database_url, rounds, all_plans)
        return
    pg = start_postgres()
    try:
        pg.create_database("bench_claims")
        url = pg.url("bench_claims")
        await upgrade(Path("services/claims"), url)
        started = time.perf_counter()
        await seed(url, claims_count=claims, progress=lambda line: print(line, flush=True))
        print(f"seeded {claims:,} claims in {time.perf_counter() - started:.1f}s", flush=True)
        await run(url, rounds, all_plans)
    finally:
        stop_postgres(pg)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--plans", action="store_true", help="print the plans of every case, not only the slowest")
    parser.add_argument("--database-url", help="time an already seeded database instead of a throwaway one")
    args = parser.parse_args()
    asyncio.run(main(args.claims, args.rounds, args.plans, args.database_url))
