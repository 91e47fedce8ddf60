"""The status list (migration 0007): ``claim_statuses`` holds every claim's status and submission time
exactly as ``claims`` does, through every kind of write; a status change of many claims is a HOT
update of ``claims`` (no index entry); and the support list filtered by status, in every order and on
every page, is what a brute-force query over ``claims`` returns.
"""
from __future__ import annotations

import pytest
from sqlalchemy import insert, text

from services.claims.repository import SORTABLE, ClaimFilters, ClaimRepository
from services.claims.tables import claims
from shared.platform.db import make_sessionmaker
from shared.platform.migrations import upgrade
from tests.support.claims_tables import (CLAIMS_SERVICE, claims_database_at, downgrade_claims,
                                         organised_claims_database, some_claims)

STATUSES = ["draft", "submitted", "paid", "sampling_in_progress", "sampling_provider_not_approved"]


@pytest.fixture
async def sessions(infra):
    async for sessionmaker in organised_claims_database(infra):
        yield sessionmaker


async def status_drift(session) -> int:
    """Rows by which claim_statuses differs from (reference, status, submitted_at) of claims, both ways."""
    return await session.scalar(text("""
        WITH expected AS (SELECT reference, status, submitted_at FROM claims),
             actual AS (SELECT reference, status, submitted_at FROM claim_statuses)
        SELECT (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual) a)
             + (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected) b)"""))


async def spread_statuses(session) -> None:
    """Give the claims each status in turn (drafts stay drafts), in one set-based UPDATE."""
    await session.execute(text("""
        UPDATE claims c SET status = (CAST(:statuses AS text[]))[1 + n.i % 4 + 1]
        FROM (SELECT reference, row_number() OVER (ORDER BY reference) AS i FROM claims WHERE status <> 'draft') n
        WHERE c.reference = n.reference"""), {"statuses": STATUSES})


async def test_every_kind_of_write_keeps_the_status_list_exact(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(300))  # one statement
        for row in some_claims(5, offset=300):  # single rows
            await session.execute(insert(claims).values(**row))
        assert await status_drift(session) == 0
    async with sessions() as session, session.begin():
        await spread_statuses(session)
        repo = ClaimRepository(session)
        draft = await session.scalar(text("SELECT reference FROM claims WHERE status = 'draft' LIMIT 1"))
        await repo.update(draft, status="submitted", submitted_at=text("now()"))  # a draft submitted
        other = await session.scalar(text("SELECT reference FROM claims WHERE status = 'paid' LIMIT 1"))
        await repo.update(other, assigned_to="support@example.com")  # neither column changes
        await session.execute(text("DELETE FROM claims WHERE reference IN "
                                   "(SELECT reference FROM claims ORDER BY reference LIMIT 7)"))
        assert await status_drift(session) == 0
        assert await session.scalar(text("SELECT count(DISTINCT status) FROM claim_statuses")) == len(STATUSES)
    async with sessions() as session, session.begin():
        raw = await (await session.connection()).get_raw_connection()
        copied = some_claims(20, offset=400)
        columns = list(copied[0])
        await raw.driver_connection.copy_records_to_table(
            "claims", columns=columns, records=[tuple(row[c] for c in columns) for row in copied])
        assert await status_drift(session) == 0
        assert await session.scalar(text("SELECT count(*) FROM claim_statuses")) == 305 - 7 + 20
    async with sessions() as session, session.begin():
        await session.execute(text("TRUNCATE claims CASCADE"))
        assert await session.scalar(text("SELECT count(*) FROM claim_statuses")) == 0


async def test_a_status_change_of_many_claims_is_a_hot_update(sessions):
    """No index of claims names the status, and its pages keep room for new row versions, so the
    consumers' bulk status change writes no index entry of claims (and one row of the status list)."""
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(1000))
    async with sessions() as session:
        indexed = (await session.execute(text(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'claims'::regclass"))).scalars().all()
        assert len(indexed) > 9 and not [d for d in indexed if "status" in d]
        assert await session.scalar(text(
            "SELECT reloptions FROM pg_class WHERE relname = 'claims'")) == ["fillfactor=50"]
    async with sessions() as session, session.begin():
        submitted = list((await session.execute(text(
            "SELECT reference FROM claims WHERE status = 'submitted'"))).scalars())
        await session.execute(text(
            "UPDATE claims AS c SET status = 'sampling_in_progress', sample_reason = 'Random sample', "
            "updated_at = now() FROM unnest(CAST(:refs AS text[])) AS u(ref) WHERE c.reference = u.ref"),
            {"refs": submitted})
        updated, hot = (await session.execute(text(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'claims'"))).one()
        assert updated == len(submitted) > 800
        assert hot == updated
        changed = await session.scalar(text(
            "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'claim_statuses'"))
        assert changed == len(submitted)
        assert await status_drift(session) == 0


async def brute_force(session, statuses, sort: str, order: str, condition: str = "true") -> list[str]:
    column = {"school": "school_name", "provider": "provider_name"}.get(sort, sort)
    nulls = " NULLS LAST" if column in ("submitted_at", "assigned_to") else ""
    rows = await session.execute(text(
        f"SELECT reference FROM claims WHERE status = ANY(:statuses) AND {condition} "
        f"ORDER BY {column} {order}{nulls}, reference"), {"statuses": list(statuses)})
    return list(rows.scalars())


@pytest.mark.parametrize("statuses", [("paid",), ("draft",), ("sampling_in_progress", "submitted"), ("clawback_complete",)])
async def test_the_list_filtered_by_status_is_the_brute_force_list_in_every_order_and_page(sessions, statuses):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(240))
        await spread_statuses(session)
    async with sessions() as session:
        repo = ClaimRepository(session)
        for sort in ("submitted_at", "reference", "school", "amount", "status"):
            for order in ("asc", "desc"):
                expected = await brute_force(session, statuses, sort, order)
                found, total = await repo.search(ClaimFilters(status=statuses), sort=sort, order=order, per_page=10_000)
                assert total == len(expected) and [c["reference"] for c in found] == expected, (sort, order)
                pages = [c["reference"] for page in range(1, 5) for c in
                         (await repo.search(ClaimFilters(status=statuses), sort=sort, order=order, page=page,
                                            per_page=9))[0]]
                assert pages == expected[:36], (sort, order)
        # With other filters, a text search, and in the CSV export.
        expected = await brute_force(session, statuses, "submitted_at", "desc", "provider_id = 'prov-1'")
        found, total = await repo.search(ClaimFilters(status=statuses, provider_id="prov-1"), per_page=10_000)
        assert total == len(expected) and [c["reference"] for c in found] == expected
        expected = await brute_force(session, statuses, "submitted_at", "desc", "mentor_names ILIKE '%smith%'")
        found, total = await repo.search(ClaimFilters(status=statuses, q="Smith"), per_page=10_000)
        assert total == len(expected) and [c["reference"] for c in found] == expected
        exported = [c["reference"] async for c in repo.stream(ClaimFilters(status=statuses))]
        assert exported == sorted(await brute_force(session, statuses, "reference", "asc"))
    assert set(SORTABLE) >= {"submitted_at", "reference", "school", "amount", "status"}


async def test_migration_0007_fills_the_status_list_from_existing_claims_and_goes_back(infra):
    async with claims_database_at(infra, "t_claims_0007", "0006", claim_count=150) as (url, engine):
        async with engine.begin() as conn:
            await spread_statuses(conn)
        await upgrade(CLAIMS_SERVICE, url)
        async with make_sessionmaker(engine)() as session:
            assert await session.scalar(text("SELECT count(*) FROM claim_statuses")) == 150
            assert await status_drift(session) == 0
        await downgrade_claims(url, "0006")
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT to_regclass('claim_statuses')")) is None
            assert await conn.scalar(text("SELECT to_regclass('ix_claims_status_submitted')")) is not None
            assert await conn.scalar(text("SELECT reloptions FROM pg_class WHERE relname = 'claims'")) is None
            assert await conn.scalar(text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'claim_statuses%'")) == 0
        await upgrade(CLAIMS_SERVICE, url)
        async with make_sessionmaker(engine)() as session:
            assert await status_drift(session) == 0
