"""A run of ClaimSubmitted events reaches payments' projection in two statements whose text never
changes, whatever the run's length (services/payments/repository.py, ``upsert_submitted_many``):
a multi-row VALUES list was a new prepared statement for every length, and PostgreSQL kept about
2 MB of plan for each on every connection (70 MB per payments connection after a seed)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text

from services.payments.handlers.projection import on_claim_submitted, on_claims_submitted
from services.payments.unit_of_work import PaymentsUnitOfWork
from shared.platform.db import make_engine, make_sessionmaker
from tests.integration.payments.support import submitted

COLUMNS = ("reference, status, school_urn, school_name, school_local_authority, school_type_of_establishment, "
           "school_group, school_email, provider_id, provider_name, claim_window_id, academic_year, hourly_rate, "
           "amount, submitted_at")


async def _rows(session, table: str, order: str) -> list[tuple]:
    columns = COLUMNS if table == "school_claims" else "claim_reference, trn, full_name, hours"
    return [tuple(r) for r in await session.execute(text(f"SELECT {columns} FROM {table} ORDER BY {order}"))]


async def test_runs_of_any_length_use_one_statement_and_store_what_one_at_a_time_stores(infra):
    bulk_engine = make_engine(await infra.database("payments"), pool_size=1)
    single_engine = make_engine(await infra.database("payments"), pool_size=1)
    bulk, single = make_sessionmaker(bulk_engine), make_sessionmaker(single_engine)
    try:
        runs = [[submitted(f"{n:08d}", urn=f"1{n:05d}", hours=tuple(range(1, 1 + n % 4 + 1)))
                 for n in range(start, start + size)] for start, size in ((1, 1), (10, 7), (100, 300))]
        # A claim submitted again (a re-sent event) takes its newest snapshot; its status stays.
        again = submitted("00000010", urn="999999", hours=(5, 6), email="new@school.example")
        runs.append([again])
        for run in runs:
            async with PaymentsUnitOfWork(bulk) as uow:
                await on_claims_submitted(run, uow)
                await uow.commit()
            for message in run:
                async with PaymentsUnitOfWork(single) as uow:
                    await on_claim_submitted(message, uow)
                    await uow.commit()
        async with bulk() as a, single() as b:
            for table, order in (("school_claims", "reference"), ("school_claim_mentors", "claim_reference, trn")):
                assert await _rows(a, table, order) == await _rows(b, table, order)
            claim = (await a.execute(text("SELECT school_urn, school_email, amount, status FROM school_claims "
                                          "WHERE reference = '00000010'"))).one()
            assert tuple(claim) == ("999999", "new@school.example", Decimal("481.80"), "submitted")
            assert await a.scalar(text("SELECT count(*) FROM school_claims")) == 308
            # Four runs of four lengths, one connection: one prepared statement each for the claims and mentors.
            prepared = (await a.execute(text(
                "SELECT split_part(statement, ' (', 1) AS s, count(*) FROM pg_prepared_statements "
                "WHERE statement LIKE 'INSERT INTO school_claim%' GROUP BY 1 ORDER BY 1"))).all()
            assert [tuple(r) for r in prepared] == [("INSERT INTO school_claim_mentors", 1),
                                                    ("INSERT INTO school_claims", 1)]
    finally:
        await bulk_engine.dispose()
        await single_engine.dispose()
