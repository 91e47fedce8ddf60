"""The outbox's payloads as ``json`` text (migration ``upgrade_outbox_json``, in every service): kept
rows survive the migration both ways, and a payload is stored and relayed exactly as written."""
from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from services.claims.tables import metadata
from services.claims.unit_of_work import ClaimsUnitOfWork
from shared.contracts import ActivityRecorded
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.migrations import alembic_config, upgrade
from shared.platform.relay import _PENDING_ROWS

ROOT = Path(__file__).resolve().parents[3]
_JSONB_ROWS = text(
    "INSERT INTO outbox (event_id, topic, key, type, payload) "
    "SELECT gen_random_uuid(), 'claimflow.activity', 'k' || g, 'ActivityRecorded', "
    "jsonb_build_object('type', 'ActivityRecorded', 'title', 't' || g, 'n', g, 'nested', jsonb_build_object('ü', true)) "
    "FROM generate_series(1, 3) g")


_PAYLOAD_TYPE = text("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                     "WHERE attrelid = 'outbox'::regclass AND attname = 'payload'")


@pytest.mark.parametrize("service", ["claims", "gateway", "notify", "payments", "sampling"])
async def test_the_migration_keeps_every_payload_both_ways(infra, service):
    name = f"t_outbox_json_{service}_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(infra.admin_sql, f'CREATE DATABASE "{name}"')
    url = infra.pg_url_for(name)
    config = alembic_config(ROOT / "services" / service, url)
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    mine = next(r for r in script.walk_revisions() if r.path.endswith("_outbox_json.py"))
    engine = make_engine(url, pool_size=1)
    try:
        await upgrade(ROOT / "services" / service, url, revision=mine.down_revision)
        async with engine.begin() as conn:
            assert await conn.scalar(_PAYLOAD_TYPE) == "jsonb"
            await conn.execute(_JSONB_ROWS)
            before = (await conn.execute(text("SELECT id, payload FROM outbox ORDER BY id"))).all()
        await engine.dispose()
        await upgrade(ROOT / "services" / service, url, revision=mine.revision)
        async with engine.begin() as conn:
            assert await conn.scalar(_PAYLOAD_TYPE) == "json"
            assert (await conn.execute(text("SELECT id, payload FROM outbox ORDER BY id"))).all() == before
            await conn.execute(_JSONB_ROWS)  # SQL that builds jsonb payloads still inserts
            assert await conn.scalar(text("SELECT count(*) FROM outbox WHERE payload->>'title' = 't2'")) == 2
        await engine.dispose()
        await asyncio.to_thread(command.downgrade, config, mine.down_revision)
        async with engine.connect() as conn:
            assert await conn.scalar(_PAYLOAD_TYPE) == "jsonb"
            after = (await conn.execute(text("SELECT id, payload FROM outbox ORDER BY id"))).all()
            assert after[:3] == before and len(after) == 6
        await engine.dispose()
        await upgrade(ROOT / "services" / service, url, revision=head)
    finally:
        await engine.dispose()
        await asyncio.to_thread(infra.admin_sql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_an_emitted_payload_is_stored_and_read_by_the_relay_as_written(infra):
    engine = make_engine(await infra.database("claims"), pool_size=1)
    message = ActivityRecorded(title='a "quoted" \\ title\nü – “x”', action="test", source="test",
                               claim_references=('k"\\ü,{}',))
    try:
        async with ClaimsUnitOfWork(make_sessionmaker(engine)) as uow:
            uow.emit(message)
            await uow.commit()
        async with engine.connect() as conn:
            [row] = (await conn.execute(_PENDING_ROWS.bindparams(n=10))).all()
        _, topic, key, payload, type_ = row  # as the record carries them
        assert (topic, key, type_) == (ActivityRecorded.topic, message.key.encode(), b"ActivityRecorded")
        assert payload == f'{{"type":"ActivityRecorded",{message.model_dump_json()[1:]}'.encode()
        assert json.loads(payload) == message.to_wire()
        assert metadata.tables["outbox"].c.payload.type.__class__.__name__ == "JSON"
    finally:
        await engine.dispose()
