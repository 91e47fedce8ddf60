"""A run of ClaimSubmitted events reaches payments' projection in two statements whose text never
changes, whatever the run's length (services/payments/repository.py, ``upsert_submitted_many``):
a multi-row VALUES list was a new prepared statement for every length, and PostgreSQL kept about
2 MB of plan for each on every connection (64-71 MB per payments connection after a seed)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import text

from services.payments.handlers.projection import handle_claim_submitted, handle_claims_submitted
from services.payments.unit_of_work import PaymentsUnitOfWork
from shared.platform.db import make_engine, make_sessionmaker
from tests.support.payments import submitted

COLUMNS = ("reference, status, school_urn, school_name, school_local_authority, school_type_of_establishment, "
           "school_group, school_email, provider_id, provider_name, claim_window_id, academic_year, hourly_rate, "
           "amount, submitted_at")


def _expected(messages) -> tuple[list[tuple], list[tuple]]:
    """What the projection holds after ``messages`` in order: each claim's newest snapshot with the
    status it first came with, and every mentor ever listed with the newest name and hours."""
    claims: dict[str, tuple] = {}
    mentors: dict[tuple[str, str], tuple] = {}
    for m in messages:
        status = claims[m.reference][1] if m.reference in claims else m.status
        s = m.school
        claims[m.reference] = (m.reference, status, s.urn, s.name, s.local_authority, s.type_of_establishment,
                               s.group, s.email, m.provider.id, m.provider.name, m.claim_window_id, m.academic_year,
                               m.hourly_rate, m.amount, datetime.fromisoformat(m.submitted_at))
        for line in m.mentors:
            mentors[(m.reference, line.trn)] = (m.reference, line.trn, line.full_name, line.hours)
    return [claims[k] for k in sorted(claims)], [mentors[k] for k in sorted(mentors)]


async def _rows(session, table: str, order: str) -> list[tuple]:
    columns = COLUMNS if table == "school_claims" else "claim_reference, trn, full_name, hours"
    return [tuple(r) for r in await session.execute(text(f"SELECT {columns} FROM {table} ORDER BY {order}"))]


async def test_runs_of_any_length_use_one_statement_and_store_every_claims_newest_snapshot(infra):
    engine = make_engine(await infra.database("payments"), pool_size=1)
    sessions = make_sessionmaker(engine)
    try:
        runs = [[submitted(f"{n:08d}", urn=f"1{n:05d}", hours=tuple(range(1, 1 + n % 4 + 1)))
                 for n in range(start, start + size)] for start, size in ((1, 1), (10, 7), (100, 300))]
        # A claim submitted again (a re-sent event) takes its newest snapshot; its status stays.
        again = submitted("00000010", urn="999999", hours=(5, 6), email="new@school.example")
        runs.append([again])
        for run in runs:
            async with PaymentsUnitOfWork(sessions) as uow:
                await handle_claims_submitted(run, uow)
                await uow.commit()
        # One at a time (the consumer's fallback) stores the same.
        alone = submitted("00000999", urn="100999", hours=(3,))
        async with PaymentsUnitOfWork(sessions) as uow:
            await handle_claim_submitted(alone, uow)
            await uow.commit()
        claims, mentors = _expected([m for run in runs for m in run] + [alone])
        async with sessions() as session:
            assert await _rows(session, "school_claims", "reference") == claims
            assert await _rows(session, "school_claim_mentors", "claim_reference, trn") == mentors
            claim = (await session.execute(text("SELECT school_urn, school_email, amount, status FROM school_claims "
                                                "WHERE reference = '00000010'"))).one()
            assert tuple(claim) == ("999999", "new@school.example", Decimal("481.80"), "submitted")
            assert await session.scalar(text("SELECT count(*) FROM school_claims")) == 309
            # Five runs of four lengths, one connection: one prepared statement each for the claims and mentors.
            prepared = (await session.execute(text(
                "SELECT split_part(statement, ' (', 1) AS s, count(*) FROM pg_prepared_statements "
                "WHERE statement LIKE 'INSERT INTO school_claim%' GROUP BY 1 ORDER BY 1"))).all()
            assert [tuple(r) for r in prepared] == [("INSERT INTO school_claim_mentors", 1),
                                                    ("INSERT INTO school_claims", 1)]
    finally:
        await engine.dispose()
