"""Benchmark: the sample generated in the service (issue 23, docs/design.md §13).

Measures, in one run, on the embedded runtime (PostgreSQL and the Tansu broker as local processes):

1. **generate**: ``POST /internal/v1/sampling/generate`` (DfE method, default parameters) over
   100,000 paid claims across 20,000 schools, until the service answers 201 with the sample held
   pending and its coverage report (read the population, draw, report, store the upload);
2. **confirm, generated**: ``POST .../confirm`` of that sample until every claim of it shows Sampling
   in progress in the claims service's database;
3. **confirm, uploaded**: a sampling file of as many other paid claims, uploaded and confirmed, timed
   the same way, so the two confirms compare in one run.

Target: generate ≤ 2 s; the generated sample's confirm as fast as an uploaded one's. Not a test::

    .venv/bin/python bench/sample_generation.py [--claims 100000] [--schools 20000]
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bench._common import claims_and_sampling_databases, report_result  # noqa: E402
from bench.sampling_apply import SUPPORT, copy_paid_claims, dsn, in_process, service_env  # noqa: E402
from claimflow.runtime import EmbeddedPostgres  # noqa: E402

TYPES = ("Academy converter", "Academy sponsor led", "Community school", "Voluntary aided school", "Free school")
PHASES = ("Primary", "Secondary", "All-through", "")
PLACES = ("Urban major conurbation", "Urban city and town", "Rural town and fringe", "Rural village", "")
SURNAMES = ("Smith", "Jones", "Khan", "O’Brien", "Patel", "Nowak")


def make_data(n_claims: int, n_schools: int, n_providers: int = 200, seed: int = 20261207):
    rng = random.Random(seed)
    providers = [(f"prov-{p:04d}", f"Provider {p}", f"P{p:04d}", [f"audit{p}@provider{p}.example"])
                 for p in range(n_providers)]
    schools = [(f"{100000 + s}", f"School {s}", f"AB{s % 90 + 10} 1CD", rng.choice(TYPES), rng.choice(PHASES),
                rng.choice(PLACES)) for s in range(n_schools)]
    references = [f"{r:08d}" for r in rng.sample(range(10_000_000, 100_000_000), n_claims)]
    claims, mentors = [], []
    trn = 1_000_000
    submitted = datetime(2026, 10, 1, 9, tzinfo=timezone.utc)
    for i, ref in enumerate(references):
        provider = providers[i % n_providers]
        school = schools[rng.randrange(n_schools)]
        names = []
        hours = 0
        for _ in range(2 if i % 2 else 3):
            trn += 1
            names.append(f"Mentor {trn} {rng.choice(SURNAMES)}")
            h = rng.randint(1, 6)
            hours += h
            mentors.append((ref, str(trn), names[-1], h))
        by = names[0] if i % 3 == 0 else ""
        claims.append((ref, school, provider, hours, Decimal("43.80") * hours, submitted + timedelta(seconds=i), by))
    return providers, schools, claims, mentors


async def seed(pg: EmbeddedPostgres, data) -> None:
    providers, schools, claims, mentors = data
    c = await asyncpg.connect(dsn(pg, "bench_claims"))
    try:
        await c.copy_records_to_table("schools", columns=["urn", "name", "postcode", "region", "type_of_establishment"],
                                      records=[(s[0], s[1], s[2], "Rest of England", s[3]) for s in schools])
        await copy_paid_claims(c, providers, claims)
        await c.copy_records_to_table("claim_mentors", columns=["claim_reference", "trn", "full_name", "hours",
                                                                "provider_id"],
                                      records=[(*m, claims_provider) for m, claims_provider in
                                               zip(mentors, _providers_of(claims, mentors))])
        await c.execute("ANALYZE")
    finally:
        await c.close()
    s = await asyncpg.connect(dsn(pg, "bench_sampling"))
    try:
        await s.copy_records_to_table("providers", columns=["id", "name", "code", "email_addresses"], records=providers)
        await s.copy_records_to_table(
            "claims", columns=["reference", "status", "school_urn", "school_name", "school_postcode", "provider_id",
                               "provider_name", "claim_window_id", "academic_year", "amount", "submitted_at",
                               "school_type_of_establishment", "school_phase_of_education", "school_urban_rural",
                               "submitted_by_name"],
            records=[(ref, "paid", sc[0], sc[1], sc[2], p[0], p[1], "win-1", "2026/27", amount, at, sc[3], sc[4],
                      sc[5], by) for ref, sc, p, hours, amount, at, by in claims])
        await s.copy_records_to_table("claim_mentors", columns=["claim_reference", "trn", "full_name", "hours"],
                                      records=mentors)
        await s.execute("ANALYZE")
    finally:
        await s.close()


def _providers_of(claims, mentors):
    provider = {ref: p[0] for ref, _, p, *_ in claims}
    return [provider[m[0]] for m in mentors]


async def wait_sampled(claims_db, expected: int, started: float, timeout: float) -> float:
    while True:
        n = await claims_db.fetchval(
            "SELECT coalesce(sum(n), 0) FROM claim_counts WHERE status = 'sampling_in_progress'")
        if n >= expected:
            return time.perf_counter() - started
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"only {n:,} of {expected:,} claims sampled after {timeout} s")
        await asyncio.sleep(0.05)


async def run(args) -> None:
    async with claims_and_sampling_databases() as (pg, broker):
        data = make_data(args.claims, args.schools)
        await seed(pg, data)
        claims = data[2]
        print(f"seeded {len(claims):,} paid claims across {args.schools:,} schools", flush=True)
        env = service_env(pg, broker, 2000)
        async with in_process(env) as client:
            claims_db = await asyncpg.connect(dsn(pg, "bench_claims"))
            started, cpu_started = time.perf_counter(), time.process_time()
            r = await client.post("/internal/v1/sampling/generate", headers=SUPPORT,
                                  json={"claim_window_id": "win-1", "seed": 20261207})
            generate_s, generate_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
            assert r.status_code == 201, r.text[:500]
            generated = r.json()
            size = generated["claim_count"]
            started = time.perf_counter()
            r = await client.post(f"/internal/v1/sampling/uploads/{generated['upload_id']}/confirm", headers=SUPPORT)
            assert r.status_code == 202, r.text[:500]
            generated_confirm_s = time.perf_counter() - started
            generated_apply_s = await wait_sampled(claims_db, size, started, args.timeout)

            # As many other paid claims, as an uploaded file (the sample CSV names the chosen ones).
            sample_csv = (await client.get(f"/internal/v1/sampling/uploads/{generated['upload_id']}/sample.csv",
                                           headers=SUPPORT)).content.decode("utf-8-sig")
            sampled = {row["claim_reference_number"] for row in csv.DictReader(io.StringIO(sample_csv))}
            others = [ref for ref, *_ in claims if ref not in sampled][:size]
            file = ("claim_reference_number,claim_sample_reason\n" + "".join(f"{r},Random sample\n" for r in others))
            r = await client.post("/internal/v1/sampling/uploads", headers=SUPPORT,
                                  files={"file": ("sample.csv", file.encode(), "text/csv")})
            assert r.status_code == 201, r.text[:500]
            started = time.perf_counter()
            r = await client.post(f"/internal/v1/sampling/uploads/{r.json()['upload_id']}/confirm", headers=SUPPORT)
            assert r.status_code == 202, r.text[:500]
            uploaded_confirm_s = time.perf_counter() - started
            uploaded_apply_s = await wait_sampled(claims_db, size + len(others), started, args.timeout)
            await claims_db.close()

    total = generated["total"]
    print()
    print(f"Sample generation benchmark: {len(claims):,} paid claims across {args.schools:,} schools; "
          f"sample of {size:,} claims ({total['percent']}% of £{Decimal(total['value']):,.2f})")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'measure':<58}{'seconds':>10}{'target':>10}")
    for name, value, target in (
            ("generate (→ 201: sample + report, held pending)", generate_s, "≤ 2"),
            ("  of which CPU of the sampling process", generate_cpu_s, ""),
            ("confirm request, generated sample (→ 202)", generated_confirm_s, ""),
            ("  every claim Sampling in progress in claims", generated_apply_s, ""),
            (f"confirm request, uploaded file of {len(others):,} claims (→ 202)", uploaded_confirm_s, ""),
            ("  every claim Sampling in progress in claims", uploaded_apply_s, "")):
        print(f"{name:<58}{value:>10.2f}{target:>10}")
    ratio = generated_apply_s / uploaded_apply_s
    print(f"{'generated ÷ uploaded apply':<58}{ratio:>10.2f}{'≈ 1':>10}")
    met = generate_s <= 2 and ratio <= 1.25
    report_result("sample_generation", met, f"generate {generate_s:.2f} s (≤ 2); confirm generated "
                  f"{generated_apply_s:.2f} s vs uploaded {uploaded_apply_s:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=20_000)
    parser.add_argument("--timeout", type=float, default=300)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
