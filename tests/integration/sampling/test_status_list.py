"""Sampling's status list (migration 0003): ``claim_statuses`` holds every projected claim's status
exactly as the projection does; a status change of many claims (a confirmed sample coming back from
claims) is a HOT update of the projection; the waiting list reads the list and pages it right; the
migration fills the list from existing claims and goes back.
"""
from __future__ import annotations

import asyncio
from decimal import Decimal

from alembic import command
from sqlalchemy import insert, text

from services.sampling.repository import ProjectionRepository
from services.sampling.tables import claims, providers
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.migrations import alembic_config, upgrade
from tests.harness import ROOT

WAITING = ["sampling_in_progress", "sampling_provider_not_approved"]


def projected(n: int) -> list[dict]:
    return [{"reference": f"{i:08d}", "status": "paid", "school_urn": "100001", "provider_id": "prov-1",
             "amount": Decimal("107.20")} for i in range(n)]


async def status_drift(session) -> int:
    return await session.scalar(text("""
        SELECT (SELECT count(*) FROM (SELECT reference, status FROM claims
                                      EXCEPT ALL SELECT reference, status FROM claim_statuses) a)
             + (SELECT count(*) FROM (SELECT reference, status FROM claim_statuses
                                      EXCEPT ALL SELECT reference, status FROM claims) b)"""))


async def test_projected_status_changes_are_hot_and_the_waiting_list_pages_them(infra):
    engine = make_engine(await infra.database("sampling"), pool_size=2)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session, session.begin():
            await session.execute(insert(providers), [{"id": "prov-1", "name": "Provider"}])
            await session.execute(insert(claims), projected(900))
            assert await status_drift(session) == 0
        async with sessions() as session, session.begin():
            # The projection's own flush, as a batch of ClaimStatusesChanged leaves it.
            projection = ProjectionRepository(session)
            projection.batch.status_changes.extend(
                {"ref": f"{i:08d}", "to_status": WAITING[i % 7 == 0], "reason": None, "comment": None}
                for i in range(0, 900, 2))
            await projection.flush()
            updated, hot = (await session.execute(text(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'claims'"))).one()
            assert updated == 450 and hot == updated
            indexed = (await session.execute(text(
                "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'claims'::regclass"))).scalars().all()
            assert not [d for d in indexed if "status" in d]
            assert await status_drift(session) == 0
        async with sessions() as session:
            projection = ProjectionRepository(session)
            for statuses in (WAITING, WAITING[1:]):
                expected = list((await session.execute(text(
                    "SELECT reference FROM claims WHERE status = ANY(:s) ORDER BY reference"), {"s": statuses})).scalars())
                pages = []
                for page in range(1, 40):
                    rows, total = await projection.waiting_page(statuses, page=page, per_page=25)
                    assert total == len(expected)
                    pages += [r["reference"] for r in rows]
                assert pages == expected and len(expected) > 50
        async with sessions() as session, session.begin():
            await session.execute(text("DELETE FROM claims WHERE reference < '00000010'"))
            assert await status_drift(session) == 0
            await session.execute(text("TRUNCATE claims CASCADE"))
            assert await session.scalar(text("SELECT count(*) FROM claim_statuses")) == 0
    finally:
        await engine.dispose()


async def test_migration_0003_fills_the_status_list_and_goes_back(infra):
    name = "t_sampling_0003"
    await asyncio.to_thread(infra.admin_sql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await asyncio.to_thread(infra.admin_sql, f'CREATE DATABASE "{name}"')
    url = infra.pg_url_for(name)
    service = ROOT / "services" / "sampling"
    await upgrade(service, url, revision="0002")
    engine = make_engine(url, pool_size=2)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(providers), [{"id": "prov-1", "name": "Provider"}])
            await conn.execute(insert(claims), projected(120))
        await upgrade(service, url)
        async with make_sessionmaker(engine)() as session:
            assert await session.scalar(text("SELECT count(*) FROM claim_statuses")) == 120
            assert await status_drift(session) == 0
        await asyncio.to_thread(command.downgrade, alembic_config(service, url), "0002")
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT to_regclass('claim_statuses')")) is None
            assert await conn.scalar(text("SELECT to_regclass('ix_sampling_claims_status')")) is not None
            assert await conn.scalar(text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'claim_statuses%'")) == 0
        await upgrade(service, url)
        async with make_sessionmaker(engine)() as session:
            assert await status_drift(session) == 0
    finally:
        await engine.dispose()
        await asyncio.to_thread(infra.admin_sql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
