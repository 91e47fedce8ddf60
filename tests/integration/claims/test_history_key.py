"""The history's foreign key, checked once per statement (migration 0008): the rules of the
constraint it replaces, ``status_changes.claim_reference REFERENCES claims ON DELETE CASCADE``,
hold for every kind of write; and the migration goes down to the real constraint and back.
"""
from __future__ import annotations

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from services.claims.tables import claims, status_changes
from shared.platform.migrations import upgrade
from tests.support.claims_tables import (CLAIMS_SERVICE, claims_database_at, downgrade_claims,
                                         organised_claims_database, some_claims)

KEY = "status_changes_claim_reference_fkey"


@pytest.fixture
async def sessions(infra):
    async for sessionmaker in organised_claims_database(infra):
        yield sessionmaker


def detail(error: IntegrityError) -> str:
    """PostgreSQL's DETAIL line of the error (asyncpg keeps it on the driver's exception)."""
    return getattr(error.orig.__cause__, "detail", None) or ""


def history(reference: str, to_status: str = "submitted") -> dict:
    return {"claim_reference": reference, "from_status": "draft", "to_status": to_status, "caused_by": "test"}


async def references(session, count: int) -> list[str]:
    return list((await session.execute(text("SELECT reference FROM claims ORDER BY reference LIMIT :n"),
                                       {"n": count})).scalars())


async def history_count(session, reference: str | None = None) -> int:
    if reference is None:
        return await session.scalar(text("SELECT count(*) FROM status_changes"))
    return await session.scalar(text("SELECT count(*) FROM status_changes WHERE claim_reference = :r"),
                                {"r": reference})


async def test_history_of_existing_claims_is_written_one_row_or_many_at_a_time(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(20))
        refs = await references(session, 20)
        await session.execute(insert(status_changes), [history(r) for r in refs])
        await session.execute(insert(status_changes).values(**history(refs[0], "paid")))
        assert await history_count(session) == 21


@pytest.mark.parametrize("shape", ["one row", "many rows, one missing", "INSERT ... SELECT"])
async def test_history_naming_no_claim_is_refused_and_writes_nothing(sessions, shape):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(5))
        refs = await references(session, 5)
    async with sessions() as session:
        with pytest.raises(IntegrityError) as refused:
            async with session.begin():
                if shape == "one row":
                    await session.execute(insert(status_changes).values(**history("99999999")))
                elif shape == "many rows, one missing":
                    await session.execute(insert(status_changes), [history(r) for r in refs[:3]] + [history("ZZZZ0000")]
                                          + [history(r) for r in refs[3:]])
                else:
                    await session.execute(text(
                        "INSERT INTO status_changes (claim_reference, to_status, caused_by) "
                        "SELECT r, 'paid', 'test' FROM unnest(CAST(:refs AS text[])) AS r"), {"refs": [*refs, "ABCD1234"]})
        assert refused.value.orig.sqlstate == "23503"
        assert KEY in str(refused.value) and "is not present in table" in detail(refused.value)
    async with sessions() as session:
        assert await history_count(session) == 0


async def test_moving_history_to_a_missing_claim_is_refused(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(2))
        refs = await references(session, 2)
        await session.execute(insert(status_changes), [history(r) for r in refs])
    async with sessions() as session:
        with pytest.raises(IntegrityError) as refused:
            async with session.begin():
                await session.execute(text("UPDATE status_changes SET claim_reference = 'NOPE0000'"))
        assert refused.value.orig.sqlstate == "23503"
        async with session.begin():  # an update that keeps existing claims is fine
            await session.execute(text("UPDATE status_changes SET claim_reference = :r"), {"r": refs[1]})
            assert await history_count(session, refs[1]) == 2


async def test_deleting_claims_deletes_their_history_and_only_theirs(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(6))
        refs = await references(session, 6)
        await session.execute(insert(status_changes), [history(r) for r in refs for _ in range(2)])
        await session.execute(text("DELETE FROM claims WHERE reference = ANY(CAST(:refs AS text[]))"),
                              {"refs": refs[:2]})
        assert await history_count(session, refs[0]) == 0 and await history_count(session, refs[1]) == 0
        assert await history_count(session) == 8


async def test_truncating_claims_truncates_the_history(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(3))
        await session.execute(insert(status_changes), [history(r) for r in await references(session, 3)])
        await session.execute(text("TRUNCATE claims CASCADE"))
        assert await history_count(session) == 0


async def test_a_referenced_claims_reference_cannot_change_and_a_status_change_is_untouched(sessions):
    async with sessions() as session, session.begin():
        await session.execute(insert(claims), some_claims(2))
        referenced, free = await references(session, 2)
        await session.execute(insert(status_changes).values(**history(referenced)))
    async with sessions() as session:
        with pytest.raises(IntegrityError) as refused:
            async with session.begin():
                await session.execute(text("UPDATE claims SET reference = 'MOVED000' WHERE reference = :r"),
                                      {"r": referenced})
        assert refused.value.orig.sqlstate == "23503" and "is still referenced" in detail(refused.value)
        async with session.begin():
            await session.execute(text("UPDATE claims SET reference = 'MOVED000' WHERE reference = :r"), {"r": free})
            await session.execute(text("UPDATE claims SET reference = reference, status = 'paid'"))
            assert await history_count(session, referenced) == 1


async def test_migration_0008_goes_down_to_the_real_constraint_and_back(infra):
    async with claims_database_at(infra, "t_claims_0008", claim_count=4) as (url, engine):
        async with engine.begin() as conn:
            refs = list((await conn.execute(text("SELECT reference FROM claims"))).scalars())
            await conn.execute(insert(status_changes), [history(r) for r in refs])
        await downgrade_claims(url, "0007")
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM pg_constraint WHERE conname = :k"), {"k": KEY}) == 1
            assert await conn.scalar(text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE :k"), {"k": f"{KEY}_%"}) == 0
            assert await conn.scalar(text("SELECT count(*) FROM pg_proc WHERE proname LIKE :k"), {"k": f"{KEY}_%"}) == 0
        await upgrade(CLAIMS_SERVICE, url)
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM pg_constraint WHERE conname = :k"), {"k": KEY}) == 0
            assert await conn.scalar(text("SELECT count(*) FROM status_changes")) == 4
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(insert(status_changes).values(**history("NOPE0000")))
