"""``sampled_claims`` keyed by the claim (sampling migration 0005): one index, unique per provider
sampling, read by claim through it; and the migration goes down to the two indexes and back.
"""
from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from services.sampling.tables import sampled_claims
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.migrations import alembic_config, upgrade
from tests.harness import ROOT
from tests.integration.claims.test_search_words import _drop_database, _fresh_database


def sampled(count: int, sampling: str = "ps-1") -> list[dict]:
    return [{"provider_sampling_id": sampling, "claim_reference": f"R{i:07d}", "sample_reason": "Random sample"}
            for i in range(count)]


async def indexes(conn) -> list[str]:
    return sorted((await conn.execute(text(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'sampled_claims'::regclass"))).scalars())


@pytest.fixture
async def sessions(infra):
    engine = make_engine(await infra.database("sampling"), pool_size=2)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def test_one_index_unique_per_provider_sampling_and_read_by_claim(sessions):
    async with sessions() as session, session.begin():
        assert [d.split(" USING ")[1] for d in await indexes(session)] == [
            "btree (claim_reference, provider_sampling_id)"]
        await session.execute(insert(sampled_claims), sampled(2000) + sampled(5, sampling="ps-2"))
        await session.execute(text("ANALYZE sampled_claims"))
        plan = "\n".join((await session.execute(text(
            "EXPLAIN SELECT 1 FROM sampled_claims WHERE claim_reference = 'R0000003'"))).scalars())
        assert "sampled_claims_pkey" in plan
    async with sessions() as session:
        with pytest.raises(IntegrityError):
            async with session.begin():
                await session.execute(insert(sampled_claims), sampled(1, sampling="ps-2"))


async def test_migration_0005_goes_down_to_two_indexes_and_back(infra):
    name = "t_sampling_0005"
    await _fresh_database(infra, name)
    url = infra.pg_url_for(name)
    service = ROOT / "services" / "sampling"
    engine = make_engine(url, pool_size=2)
    try:
        await upgrade(service, url, revision="0004")
        async with engine.begin() as conn:
            await conn.execute(insert(sampled_claims), sampled(10))
            before = await indexes(conn)
        await upgrade(service, url)
        await asyncio.to_thread(command.downgrade, alembic_config(service, url), "0004")
        async with engine.connect() as conn:
            assert await indexes(conn) == before and len(before) == 2
        await upgrade(service, url)
        async with make_sessionmaker(engine)() as session:
            assert len(await indexes(session)) == 1
            assert await session.scalar(text("SELECT count(*) FROM sampled_claims")) == 10
    finally:
        await engine.dispose()
        await _drop_database(infra, name)
