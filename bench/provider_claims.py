"""Provider claims list: a provider's own claims from sampling's projection (docs/design.md §12).

Loads ``--claims`` claims over ``--providers`` providers into a migrated sampling database, one
provider holding ``--big`` of them (some in sampling_in_progress, under a provider sampling, so the
deadline look-up runs), then times the list query the service runs for that provider
(``services/sampling/provider_claims.ProviderClaims``: a page, its total, the filters' choices) over
a mix of pages and filters. Target: p95 ≤ 100 ms for the big provider.

    .venv/bin/python bench/provider_claims.py --claims 200000 --providers 170 --big 10000
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import report_result, start_postgres, stop_postgres, summary, percentile  # noqa: E402
from services.sampling.provider_claims import ProviderClaims, ProviderFilters  # noqa: E402
from shared.platform.migrations import upgrade  # noqa: E402

TARGET_MS = 100.0
STATUSES = ["submitted", "payment_in_progress", "paid", "paid", "paid", "sampling_in_progress",
            "sampling_provider_not_approved", "clawback_complete"]


def rows(n_claims: int, n_providers: int, big: int, seed: int = 2026):
    rng = random.Random(seed)
    providers = [(f"prov-{p:04d}", f"Provider {p}", f"P{p:04d}", [f"audit@p{p}.example"]) for p in range(n_providers)]
    schools = [(f"{100000 + s}", f"School {s}", f"AB{s % 90 + 10} 1CD") for s in range(5000)]
    refs = [f"{r:08d}" for r in rng.sample(range(10_000_000, 100_000_000), n_claims)]
    submitted = datetime(2026, 10, 1, 9, tzinfo=timezone.utc)
    claims, mentors, sampled = [], [], []
    for i, ref in enumerate(refs):
        provider = providers[0] if i < big else providers[1 + i % (n_providers - 1)]
        school = schools[rng.randrange(len(schools))]
        status = rng.choice(STATUSES)
        year = rng.choice(["2025/26", "2026/27"])
        claims.append((ref, status, school[0], school[1], school[2], provider[0], provider[1], "win-1", year,
                       Decimal("43.80") * 10, submitted + timedelta(seconds=i)))
        for k in range(2):
            mentors.append((ref, f"{1_000_000 + 2 * i + k}", f"Mentor {i} {k}", 5))
        if status.startswith("sampling"):
            sampled.append((provider[0], ref))
    return providers, claims, mentors, sampled


async def load(url: str, data) -> None:
    providers, claims, mentors, sampled = data
    c = await asyncpg.connect(url)
    try:
        await c.copy_records_to_table("providers", columns=["id", "name", "code", "email_addresses"], records=providers)
        await c.copy_records_to_table(
            "claims", columns=["reference", "status", "school_urn", "school_name", "school_postcode", "provider_id",
                               "provider_name", "claim_window_id", "academic_year", "amount", "submitted_at"],
            records=claims)
        await c.copy_records_to_table("claim_mentors", columns=["claim_reference", "trn", "full_name", "hours"],
                                      records=mentors)
        now = datetime.now(timezone.utc)
        await c.execute("INSERT INTO uploads (id, kind, status, file_name, row_count, claim_count, rows, created_at)"
                        " VALUES ('u1', 'sample', 'confirmed', 'sample.csv', 0, 0, '[]', $1)", now)
        by_provider = sorted({p for p, _ in sampled})
        await c.executemany(
            "INSERT INTO provider_samplings (id, upload_id, provider_id, claim_count, sent_on, completion_date,"
            " created_at, file_name) VALUES ($1, 'u1', $2, 0, $3, $4, $5, 'f.csv')",
            [(f"ps-{p}", p, date(2026, 12, 7), date(2026, 12, 28), now) for p in by_provider])
        await c.copy_records_to_table("upload_claims", columns=["upload_id", "provider_id", "n", "claim_reference",
                                                                "sample_reason", "row"],
                                      records=[("u1", p, n, ref, "Random", n + 2) for n, (p, ref) in enumerate(sampled)])
        await c.execute("ANALYZE")
    finally:
        await c.close()


async def run(args) -> None:
    pg = start_postgres()
    try:
        pg.create_database("bench_sampling")
        await upgrade(ROOT / "services" / "sampling", pg.url("bench_sampling"))
        data = rows(args.claims, args.providers, args.big)
        started = time.perf_counter()
        await load(f"postgresql://postgres@127.0.0.1:{pg.port}/bench_sampling", data)
        print(f"loaded {len(data[1]):,} claims ({args.big:,} of one provider) in {time.perf_counter() - started:.1f} s",
              flush=True)
        conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{pg.port}/bench_sampling")
        queries = ProviderClaims(conn)
        big = ("prov-0000",)
        cases = [ProviderFilters(big), ProviderFilters(big, status="sampling_in_progress"),
                 ProviderFilters(big, academic_year="2026/27"), ProviderFilters(big, school_urn="100042")]
        samples: list[float] = []
        for round_ in range(args.rounds):
            for f in cases:
                page = 1 + (round_ % 5) * 20 if f.status is None and f.school_urn is None else 1
                t = time.perf_counter()
                await queries.page(f, page=page, per_page=25, today=date(2026, 12, 7))
                await queries.options(big)
                samples.append(time.perf_counter() - t)
        await conn.close()
        print("big provider's list (page + total + filter choices):", summary(samples), flush=True)
        p95 = percentile([s * 1000 for s in samples], 95)
        report_result("provider_claims", p95 <= TARGET_MS,
                      f"p95 {p95:.1f} ms over {len(samples)} lists of a provider with {args.big:,} of "
                      f"{args.claims:,} claims (target ≤ {TARGET_MS:.0f} ms)")
    finally:
        stop_postgres(pg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--providers", type=int, default=170)
    parser.add_argument("--big", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
