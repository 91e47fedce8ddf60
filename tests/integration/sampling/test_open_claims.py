"""The open claims list and the status counts (sampling migration 0003): ``open_claims`` holds
exactly the projected claims waiting for a provider response or a support decision, and
``claim_status_counts`` sums to the number of claims per status and awaiting state, through every
kind of write; a projected status change of many claims is a HOT update; the Sampling section's
page and summary read them; and the migration goes down and up again.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import insert, text

from services.sampling.domain.wording import PAID, PROVIDER_NOT_APPROVED, SAMPLING_IN_PROGRESS, WAITING
from services.sampling.repository import ProjectionRepository
from services.sampling.tables import claims
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.migrations import alembic_config, upgrade
from tests.support.infra import ROOT, drop_database, fresh_database


@pytest.fixture
async def sessions(infra):
    engine = make_engine(await infra.database("sampling"), pool_size=2)
    yield make_sessionmaker(engine)
    await engine.dispose()


def projected(count: int, offset: int = 0, status: str = PAID) -> list[dict]:
    return [{"reference": f"R{i:07d}", "status": status, "school_urn": f"{100001 + i}",
             "school_name": "St Mary's Church of England Primary School", "school_postcode": "E8 1AA",
             "school_email": "office@stmarys-hackney.example", "provider_id": f"prov-{i % 3}",
             "provider_name": "Best Practice Teacher Training Network", "claim_window_id": "window-2026-27",
             "academic_year": "2026/27", "amount": Decimal("1072.00"),
             "submitted_at": datetime(2026, 10, 1, tzinfo=timezone.utc)} for i in range(offset, offset + count)]


async def drift(session) -> int:
    """Rows by which the two tables differ from what they say of ``claims``, both ways."""
    return await session.scalar(text(f"""
        WITH expected AS (SELECT reference, status, awaiting FROM claims WHERE status IN {WAITING!r}),
             actual AS (SELECT reference, status, awaiting FROM open_claims),
             counted AS (SELECT status, awaiting, count(*) AS n FROM claims GROUP BY status, awaiting),
             summed AS (SELECT status, awaiting, sum(n) AS n FROM claim_status_counts GROUP BY status, awaiting
                        HAVING sum(n) <> 0)
        SELECT (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual) a)
             + (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected) b)
             + (SELECT count(*) FROM (SELECT * FROM counted EXCEPT ALL SELECT * FROM summed) c)
             + (SELECT count(*) FROM (SELECT * FROM summed EXCEPT ALL SELECT * FROM counted) d)"""))


async def project(session, changes: list[tuple[str, str]], comment: str | None = None) -> None:
    """Status changes as the projection writes them (one UPDATE for the batch)."""
    repo = ProjectionRepository(session)
    repo.batch.status_changes.extend({"ref": ref, "to_status": to, "reason": comment, "comment": comment}
                                     for ref, to in changes)
    await repo.flush()


async def test_every_kind_of_write_keeps_the_list_and_the_counts_exact(sessions):
    async with sessions() as session, session.begin():
        repo = ProjectionRepository(session)
        repo.batch.claims.extend(projected(300))
        await repo.flush()  # one INSERT ... ON CONFLICT DO NOTHING
        repo.batch.claims.extend(projected(310))  # 300 already there: 10 new
        await repo.flush()
        await session.execute(insert(claims).values(**projected(1, offset=400, status=SAMPLING_IN_PROGRESS)[0]))
        assert await drift(session) == 0
        assert await session.scalar(text("SELECT count(*) FROM open_claims")) == 1
    async with sessions() as session, session.begin():
        refs = [f"R{i:07d}" for i in range(310)]
        await project(session, [(r, SAMPLING_IN_PROGRESS) for r in refs[:200]])  # paid → open
        await project(session, [(r, PROVIDER_NOT_APPROVED) for r in refs[:50]], "Some reason")  # open → open
        await project(session, [(r, PAID) for r in refs[50:80]])  # open → closed
        await project(session, [(r, "sampling_not_approved") for r in refs[:10]])
        assert await drift(session) == 0
    async with sessions() as session, session.begin():
        repo = ProjectionRepository(session)
        marked = await repo.mark_awaiting(refs[80:120], status=SAMPLING_IN_PROGRESS, awaiting="response")
        assert len(marked) == 40
        await session.execute(text("UPDATE claims SET school_name = 'Renamed' WHERE reference = :r"), {"r": refs[90]})
        assert await drift(session) == 0
        await project(session, [(r, PAID) for r in refs[80:100]])  # answered: leaves the list, awaiting cleared
        await session.execute(text("DELETE FROM claims WHERE reference = ANY(:refs)"), {"refs": refs[100:130]})
        assert await drift(session) == 0
    async with sessions() as session:
        for i in range(260):  # past a compaction (every 256th statement)
            async with session.begin():
                await project(session, [(refs[200 + i % 100], (SAMPLING_IN_PROGRESS, PAID)[i % 2])])
    async with sessions() as session, session.begin():
        assert await drift(session) == 0
        assert await session.scalar(text("SELECT count(*) FROM claim_status_counts")) < 40
        await session.execute(text("TRUNCATE claims CASCADE"))
        assert await session.scalar(text("SELECT count(*) FROM open_claims")) == 0
        assert await drift(session) == 0


async def test_a_projected_status_change_of_many_claims_is_a_hot_update(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), projected(1000))
    async with sessions() as session:
        indexed = (await session.execute(text(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'claims'::regclass"))).scalars().all()
        assert indexed and not [d for d in indexed if "status" in d or "awaiting" in d]
        assert await session.scalar(text("SELECT reloptions FROM pg_class WHERE relname = 'claims'")) == ["fillfactor=40"]
    async with sessions() as session, session.begin():
        await project(session, [(f"R{i:07d}", SAMPLING_IN_PROGRESS) for i in range(1000)])
        updated, hot = (await session.execute(text(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'claims'"))).one()
        assert updated == 1000 and hot == updated
        assert await session.scalar(text("SELECT count(*) FROM open_claims")) == 1000
        assert await drift(session) == 0


async def test_the_sampling_section_reads_the_list_and_the_counts(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), projected(60))
        await project(session, [(f"R{i:07d}", SAMPLING_IN_PROGRESS) for i in range(0, 60, 2)])
        await project(session, [(f"R{i:07d}", PROVIDER_NOT_APPROVED) for i in range(0, 20, 4)], "Some reason")
        await ProjectionRepository(session).mark_awaiting([f"R{i:07d}" for i in range(2, 12, 4)],
                                                          status=SAMPLING_IN_PROGRESS, awaiting="response")
    async with sessions() as session:
        repo = ProjectionRepository(session)
        expected = [f"R{i:07d}" for i in range(0, 60, 2)]
        first, total = await repo.waiting_page(list(WAITING), page=1, per_page=25)
        second, _ = await repo.waiting_page(list(WAITING), page=2, per_page=25)
        assert total == 30 and [r["reference"] for r in first + second] == expected
        not_approved, total = await repo.waiting_page([PROVIDER_NOT_APPROVED], page=1, per_page=25)
        assert total == 5 and all(r["status"] == PROVIDER_NOT_APPROVED for r in not_approved)
        assert not_approved[0]["provider_comment"] == "Some reason"
        with pytest.raises(ValueError):
            await repo.waiting_page([PAID], page=1, per_page=25)
        # Claims waiting for claims to apply an answer are not counted.
        assert await repo.count_by_status() == {PAID: 30, SAMPLING_IN_PROGRESS: 22, PROVIDER_NOT_APPROVED: 5}


async def test_migration_0003_fills_the_list_and_the_counts_and_goes_back(infra):
    name = "t_sampling_0003"
    await fresh_database(infra, name)
    url = infra.pg_url_for(name)
    service = ROOT / "services" / "sampling"
    await upgrade(service, url, revision="0002")
    engine = make_engine(url, pool_size=2)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(claims), projected(40))
            await conn.execute(text("UPDATE claims SET status = :s WHERE reference < 'R0000010'"),
                               {"s": SAMPLING_IN_PROGRESS})
            await conn.execute(text("UPDATE claims SET awaiting = 'response' WHERE reference < 'R0000003'"))
        await upgrade(service, url)
        async with make_sessionmaker(engine)() as session:
            assert await session.scalar(text("SELECT count(*) FROM open_claims")) == 10
            assert await drift(session) == 0
        await asyncio.to_thread(command.downgrade, alembic_config(service, url), "0002")
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT to_regclass('open_claims')")) is None
            assert await conn.scalar(text("SELECT to_regclass('ix_sampling_claims_status')")) is not None
            assert await conn.scalar(text("SELECT reloptions FROM pg_class WHERE relname = 'claims'")) is None
            assert await conn.scalar(text(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'sampling_claims_lists%'")) == 0
        await upgrade(service, url)
        async with make_sessionmaker(engine)() as session:
            assert await drift(session) == 0
    finally:
        await engine.dispose()
        await drop_database(infra, name)
