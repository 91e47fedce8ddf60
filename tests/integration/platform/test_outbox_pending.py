"""The outbox's pending list (migration ``upgrade_outbox_pending``) and the relay that empties it,
on real PostgreSQL and the real broker."""
from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from alembic import command
from sqlalchemy import text

from services.claims.config import ClaimsSettings
from services.claims.tables import metadata
from services.claims.unit_of_work import ClaimsUnitOfWork
from shared.contracts import ActivityRecorded
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.messaging import ensure_topics, topic_name
from shared.platform.relay import _PENDING_ROWS, _RELAY_LEADER, OutboxRelay
from shared.platform.migrations import alembic_config, upgrade
from tests.support.messaging import read_topic, settings_kwargs

ROOT = Path(__file__).resolve().parents[3]
_SQL_ROWS = text(
    "INSERT INTO outbox (event_id, topic, key, type, payload) "
    "SELECT gen_random_uuid(), 'claimflow.activity', 'k' || g, 'ActivityRecorded', "
    "jsonb_build_object('type', 'ActivityRecorded', 'event_id', gen_random_uuid()::text, 'title', 't' || g, "
    "'action', 'sql', 'source', 'test', 'occurred_at', '2026-11-24T00:00:00Z') "
    "FROM generate_series(1, :n) g")


async def _ids(conn, sql: str) -> list[int]:
    return list((await conn.execute(text(sql))).scalars())


async def test_every_committed_outbox_row_is_pending_until_the_relay_publishes_it(infra, isolated_env):
    engine = make_engine(await infra.database("claims"), pool_size=2)
    settings = ClaimsSettings(**settings_kwargs(isolated_env), SERVICE_NAME="pending-test")
    relay = OutboxRelay(engine=engine, outbox=metadata.tables["outbox"], settings=settings)
    try:
        sessions = make_sessionmaker(engine)
        async with ClaimsUnitOfWork(sessions) as uow:  # rows of the unit of work ...
            for i in range(3):
                uow.emit(ActivityRecorded(title=f"e{i}", action="emit", source="test"))
            await uow.commit()
        async with engine.begin() as conn:  # ... of set-based SQL, several in one statement ...
            await conn.execute(_SQL_ROWS, {"n": 4})
        async with engine.connect() as conn:  # ... and not of a transaction rolled back
            await conn.execute(_SQL_ROWS, {"n": 5})
            await conn.rollback()
        async with engine.connect() as conn:
            written = await _ids(conn, "SELECT id FROM outbox ORDER BY id")
            assert len(written) == 7
            assert await _ids(conn, "SELECT id FROM outbox_pending ORDER BY id") == written
        assert await relay.backlog() == 7

        await ensure_topics(settings, [topic_name(settings, "claimflow.activity")])
        await relay.start()
        assert await relay.publish_pending() == 7
        assert await relay.publish_pending() == 0
        assert await relay.backlog() == 0
        published = await read_topic(isolated_env, "claimflow.activity", until=7)
        assert sorted(m.title for m in published) == ["e0", "e1", "e2", "t1", "t2", "t3", "t4"]
        async with engine.begin() as conn:
            assert await _ids(conn, "SELECT id FROM outbox ORDER BY id") == written  # kept for republish
            # The purge deletes what is past the retention and published, never what is pending.
            await conn.execute(_SQL_ROWS, {"n": 1})
            old = written[:2] + (await _ids(conn, "SELECT max(id) FROM outbox"))
            await conn.execute(text("UPDATE outbox SET created_at = now() - interval '8 days' "
                                    "WHERE id = ANY(CAST(:ids AS bigint[]))"), {"ids": old})
        await relay.purge_old()
        async with engine.connect() as conn:
            assert await _ids(conn, "SELECT id FROM outbox ORDER BY id") == written[2:] + old[-1:]
            assert await _ids(conn, "SELECT id FROM outbox_pending") == old[-1:]
    finally:
        await relay.stop()
        await engine.dispose()


async def test_the_relay_looks_rows_up_by_id_even_with_a_plan_made_while_the_outbox_was_empty(infra):
    """The relay's statement is prepared once per connection, and PostgreSQL keeps a generic plan
    after a few runs: one made while the outbox was empty (a new database, a quiet night) would read
    the whole outbox once per batch when a burst arrives (a second a pass at 60,000 rows)."""
    engine = make_engine(await infra.database("claims"), pool_size=2)
    statement = _PENDING_ROWS.text.replace(":n", "$1")
    try:
        async with engine.connect() as relay, engine.connect() as writer:
            await relay.execute(text(f"PREPARE relay_rows(int) AS {statement}"))
            for _ in range(8):  # idle passes: enough for the plan cache to settle on a generic plan
                assert await relay.scalar(_RELAY_LEADER, {"lock": 1})
                await relay.execute(text("EXECUTE relay_rows(1000)"))
                await relay.commit()
            await writer.execute(_SQL_ROWS, {"n": 20_000})
            await writer.execute(text("DELETE FROM outbox_pending WHERE id % 10 <> 0"))
            await writer.commit()
            assert await relay.scalar(_RELAY_LEADER, {"lock": 1})
            plan = "\n".join((await relay.execute(text("EXPLAIN EXECUTE relay_rows(1000)"))).scalars())
            assert "Seq Scan on outbox " not in plan + " ", plan
            assert "outbox_pkey" in plan, plan  # an index or bitmap scan of the looked-up ids
            rows = (await relay.execute(text("EXECUTE relay_rows(1000)"))).all()
            assert [r.id % 10 for r in rows] == [0] * 1000 and [r.id for r in rows] == sorted(r.id for r in rows)
    finally:
        await engine.dispose()


async def test_the_migration_moves_unpublished_rows_to_the_pending_list_and_back(infra):
    name = f"t_outbox_pending_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(infra.admin_sql, f'CREATE DATABASE "{name}"')
    url = infra.pg_url_for(name)
    await upgrade(ROOT / "services" / "claims", url, revision="0004_search_words")
    engine = make_engine(url, pool_size=1)
    config = alembic_config(ROOT / "services" / "claims", url)
    try:
        async with engine.begin() as conn:
            await conn.execute(_SQL_ROWS, {"n": 6})
            await conn.execute(text("UPDATE outbox SET published_at = now() WHERE id % 2 = 0"))
            unpublished = await _ids(conn, "SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id")
        await engine.dispose()
        await upgrade(ROOT / "services" / "claims", url, revision="0005")
        async with engine.connect() as conn:
            assert await _ids(conn, "SELECT id FROM outbox_pending ORDER BY id") == unpublished
            await conn.execute(_SQL_ROWS, {"n": 1})  # the trigger is in place
            unpublished += await _ids(conn, "SELECT max(id) FROM outbox")
            await conn.commit()
        await engine.dispose()
        await asyncio.to_thread(command.downgrade, config, "0004_search_words")
        async with engine.connect() as conn:
            assert await _ids(conn, "SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id") == unpublished
            assert await conn.scalar(text("SELECT to_regclass('outbox_pending') IS NULL"))
        await engine.dispose()
        await upgrade(ROOT / "services" / "claims", url)
        async with engine.connect() as conn:
            assert await _ids(conn, "SELECT id FROM outbox_pending ORDER BY id") == unpublished
    finally:
        await engine.dispose()
        await asyncio.to_thread(infra.admin_sql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
