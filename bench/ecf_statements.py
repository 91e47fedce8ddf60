"""Benchmark (not a test): every lead provider's current ECF statement from 1,000,000 declarations.

    .venv/bin/python bench/ecf_statements.py [--providers 170] [--declarations 1000000] [--runs 5]

Starts an embedded PostgreSQL (fsync off) in a temporary directory, migrates a payments database,
loads 170 lead providers, each with a contract (bands A–C), 36 monthly output statements and 2,000+
participants, and 1,000,000 declarations with COPY: started, retained-1…4 and completed,
paid on authorised statements (1% of them voided later: awaiting_clawback / clawed_back on a later
statement), payable after the deadline, eligible before it, some voided and ineligible. It then
VACUUM ANALYZEs (as autovacuum would) and times ``handlers.current_statements``: one GROUP BY of
(statement_id, clawback_statement_id, declaration_type, state, uplift, course_identifier) over all
declarations (about a tenth of them flat-rate mentors' on ittecf_ectp contracts) through
the repository, then the pure calculator for every contract's 36 statements. Target: ≤ 2 s.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import report_result  # noqa: E402

TODAY = date(2028, 1, 15)  # 15 statements past their deadline, 14 of them authorised
TYPES = ("started", "retained-1", "retained-2", "retained-3", "retained-4", "completed")
STATEMENTS = 36


def month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def u(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


async def load(url: str, *, providers: int, total: int, seed: int = 7) -> None:
    import asyncpg

    rng = random.Random(seed)
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        now = datetime(2028, 1, 15, 9, tzinfo=timezone.utc)
        lps, contracts, bands, statements, participants, declarations = [], [], [], [], [], []
        mentors = 0
        for n in range(providers):
            lp = u(rng)
            lps.append((lp, f"Lead provider {n:03d}", uuid.uuid4().hex + uuid.uuid4().hex[:32], now))
            contract = u(rng)
            contracts.append((contract, lp, 2026, 2000 + 10 * n, 0, 100, n % 3 == 0, None, 29, "ittecf_ectp", 1000,
                              now))
            bands += [(contract, "A", 0, 2000, 995), (contract, "B", 2001, 4000, 900), (contract, "C", 4001, 6000, 800)]
            ids = []
            for k in range(STATEMENTS):
                year, month = 2026 + (9 + k) // 12, (9 + k) % 12 + 1  # deadlines Oct 2026 … Sep 2029
                deadline = month_end(year, month)
                authorised = datetime.combine(deadline + timedelta(days=5), datetime.min.time(), timezone.utc) \
                    if deadline + timedelta(days=5) < TODAY else None
                sid = u(rng)
                ids.append((sid, deadline, authorised))
                statements.append((sid, lp, 2026, f"Statement {k + 1:02d}", deadline, deadline + timedelta(days=25),
                                   True, now if deadline < TODAY else None, authorised, now, now))
            per_provider = total // providers + (1 if n < total % providers else 0)
            people = [u(rng) for _ in range(per_provider // 3 + 1)]
            # every fourth participant is a mentor on the flat rate: started and completed only, so about
            # a tenth of the declarations are mentors'
            participants += [(p, lp, 2026, "ecf-standard-september", "1234567", "Participant",
                              "ecf-mentor" if i % 4 == 0 else "ecf-induction",
                              i % 7 == 0, i % 11 == 0, True, now, now) for i, p in enumerate(people)]
            made = 0
            for t, declaration_type in enumerate(TYPES):
                for i, person in enumerate(people):
                    if made == per_provider:
                        break
                    mentor = i % 4 == 0
                    if mentor and declaration_type not in ("started", "completed"):
                        continue
                    k = min(STATEMENTS - 1, 2 * t + rng.randrange(0, 12))  # later types on later statements
                    sid, deadline, authorised = ids[k]
                    claw = None
                    r = rng.random()
                    if authorised is not None:
                        state = "paid"
                        if r < 0.01 and k + 1 < STATEMENTS:
                            claw_id, _, claw_authorised = ids[k + 1]
                            state, claw = ("clawed_back" if claw_authorised else "awaiting_clawback"), claw_id
                    else:
                        state = "payable" if deadline < TODAY else "eligible"
                    if r > 0.995:
                        state = "voided"
                    elif 0.99 < r <= 0.995:
                        state = "ineligible"
                    uplift = not mentor and declaration_type == "started" and (i % 7 == 0 or i % 11 == 0)
                    mentors += mentor
                    declarations.append((u(rng), lp, person, 2026, declaration_type, now,
                                         "ecf-mentor" if mentor else "ecf-induction",
                                         None if declaration_type == "started" else "other", state, sid, claw,
                                         uplift, "duplicate" if state == "ineligible" else None, now, now))
                    made += 1
        # The load is not what is measured: skip the foreign-key triggers (the data is made consistent).
        await conn.execute("SET session_replication_role = replica")
        columns = {
            "ecf_lead_providers": ("id", "name", "api_token_hash", "created_at"),
            "ecf_contracts": ("id", "lead_provider_id", "cohort", "recruitment_target", "set_up_fee", "uplift_amount",
                              "vat_chargeable", "monthly_service_fee", "service_fee_months", "contract_type",
                              "mentor_fee_per_declaration", "created_at"),
            "ecf_contract_bands": ("contract_id", "name", "min", "max", "per_participant"),
            "ecf_statements": ("id", "lead_provider_id", "cohort", "name", "deadline_date", "payment_date",
                               "output_fee", "deadline_applied_at", "authorised_at", "created_at", "updated_at"),
            "ecf_participants": ("id", "lead_provider_id", "cohort", "schedule_identifier", "trn", "full_name",
                                 "course_identifier", "pupil_premium_uplift", "sparsity_uplift", "funding_eligible",
                                 "created_at", "updated_at"),
            "ecf_declarations": ("id", "lead_provider_id", "participant_id", "cohort", "declaration_type",
                                 "declaration_date", "course_identifier", "evidence_held", "state", "statement_id",
                                 "clawback_statement_id", "uplift", "ineligible_reason", "submitted_at", "updated_at"),
        }
        print(f"  {mentors:,} of {len(declarations):,} declarations are flat-rate mentors'")
        rows = {"ecf_lead_providers": lps, "ecf_contracts": contracts, "ecf_contract_bands": bands,
                "ecf_statements": statements, "ecf_participants": participants, "ecf_declarations": declarations}
        for table, records in rows.items():
            started = time.perf_counter()
            await conn.copy_records_to_table(table, records=records, columns=columns[table])
            print(f"  COPY {table:<20} {len(records):>9,} rows in {time.perf_counter() - started:5.2f} s")
        started = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.2f} s")
    finally:
        await conn.close()


async def measure(url: str, runs: int) -> list[float]:
    from services.payments.ecf.handlers import current_statements
    from services.payments.ecf.unit_of_work import EcfUnitOfWork
    from shared.platform.db import make_engine, make_sessionmaker

    engine = make_engine(url, pool_size=2)
    sessionmaker = make_sessionmaker(engine)
    timings = []
    try:
        for run in range(runs):
            started = time.perf_counter()
            async with EcfUnitOfWork(sessionmaker) as uow:
                found = await current_statements(uow, TODAY)
            timings.append(time.perf_counter() - started)
            if run == 0:
                total = sum(lines.total.amount for _, lines in found)
                counted = sum(sum(x.count for x in lines.output_fees) for _, lines in found)
                print(f"  {len(found)} current statements; {counted:,} declarations paid on them; "
                      f"sum of totals £{total:,.2f}")
        async with engine.connect() as conn:
            from sqlalchemy import text
            plan = await conn.execute(text(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT statement_id, clawback_statement_id, declaration_type, state, "
                "uplift, course_identifier, count(*) FROM ecf_declarations "
                "GROUP BY lead_provider_id, cohort, 1, 2, 3, 4, 5, 6"))
            print("  plan of the aggregate:\n    " + "\n    ".join(r[0] for r in plan))
    finally:
        await engine.dispose()
    return timings


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=170)
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from claimflow.runtime import EmbeddedPostgres, remove_tree
    from shared.platform.migrations import upgrade

    workdir = Path(tempfile.mkdtemp(prefix="ecf-bench-"))
    pg = EmbeddedPostgres(workdir / "pg", durable=False).start()
    try:
        pg.create_database("bench")
        pg.psql("CREATE EXTENSION IF NOT EXISTS pg_trgm", "bench")
        url = pg.url("bench")
        await upgrade(ROOT / "services" / "payments", url)
        print(f"loading {args.providers} lead providers, {args.declarations:,} declarations")
        started = time.perf_counter()
        await load(url, providers=args.providers, total=args.declarations)
        print(f"  loaded in {time.perf_counter() - started:.1f} s")
        timings = await measure(url, args.runs)
        print(f"all current statements: best {min(timings):.3f} s, median {statistics.median(timings):.3f} s, "
              f"first (cold) {timings[0]:.3f} s over {len(timings)} runs; target ≤ 2 s")
        median = statistics.median(timings)
        report_result("ecf_statements", median <= 2, f"median {median:.3f} s over {len(timings)} runs (target ≤ 2 s)")
    finally:
        pg.stop()
        remove_tree(workdir)


if __name__ == "__main__":
    asyncio.run(main())
