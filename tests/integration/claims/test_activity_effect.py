"""The activity log entry the bus benchmark measures as its consumer effect: a run of entries is
stored from one JSON document, every field as the message says, once per event id (the consumer's
guard drops a redelivery; a second copy past it is refused); on real PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from aiokafka.structs import ConsumerRecord
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.claims.config import ClaimsSettings
from services.claims.handlers import record_activities, record_activity
from services.claims.tables import activity, platform
from services.claims.unit_of_work import ClaimsUnitOfWork
from shared.contracts import ActivityRecorded, Actor
from shared.contracts.activity import FileRef
from shared.platform.consumer import Consumer
from shared.platform.db import make_engine, make_sessionmaker


def _stored(row) -> dict:
    return {"event_id": row.event_id, "occurred_at": row.occurred_at, "actor_email": row.actor_email,
            "actor_role": row.actor_role, "title": row.title, "action": row.action, "source": row.source,
            "claim_references": row.claim_references, "files": row.files}


def _expected(message: ActivityRecorded) -> dict:
    return {"event_id": str(message.event_id), "occurred_at": message.occurred_at,
            "actor_email": message.actor.email if message.actor else None,
            "actor_role": message.actor.role if message.actor else None, "title": message.title,
            "action": message.action, "source": message.source,
            "claim_references": list(message.claim_references),
            "files": [f.model_dump(mode="json") for f in message.files]}


async def test_activity_entries_are_stored_field_for_field_and_a_second_copy_is_refused(infra):
    engine = make_engine(await infra.database("claims"), pool_size=1)
    sessions = make_sessionmaker(engine)
    messages = [
        ActivityRecorded(title="Audit data uploaded for 3 claims – “Ada”", action="upload", source="sampling",
                         occurred_at=datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone.utc),
                         claim_references=("12345678", "a,\"b\\{c}", "ÉÀ"),
                         files=(FileRef(name="a.csv", rows=3), FileRef(name="b \"q\".csv", kind="download", id="7")),
                         actor=Actor(email="ada@example.org", role="support")),
        ActivityRecorded(title="Claims sampled", action="sample", source="sampling"),  # no actor, no files
        ActivityRecorded(title="Line\nbreak\ttab and \\ backslash", action="note", source="claims",
                         claim_references=("00000001",)),
    ]
    try:
        async with ClaimsUnitOfWork(sessions) as uow:
            await record_activities(messages[:2], uow)
            await uow.commit()
        async with ClaimsUnitOfWork(sessions) as uow:
            await record_activity(messages[2], uow)
            await uow.commit()
        async with ClaimsUnitOfWork(sessions) as uow:  # past the guard, a second copy is an error
            with pytest.raises(IntegrityError):
                await record_activities(messages[1:], uow)
        async with engine.connect() as conn:
            rows = (await conn.execute(select(activity).order_by(activity.c.id))).all()
        assert [_stored(r) for r in rows] == [_expected(m) for m in messages]
    finally:
        await engine.dispose()


async def test_a_redelivered_run_of_entries_is_stored_once_through_the_consumer(infra):
    engine = make_engine(await infra.database("claims"), pool_size=2)
    sessions = make_sessionmaker(engine)
    consumer = Consumer(group="claims.activity", topics=("t",), handlers={"ActivityRecorded": record_activity},
                        bulk_handlers={"ActivityRecorded": record_activities},
                        uow_factory=lambda: ClaimsUnitOfWork(sessions), settings=ClaimsSettings())
    records = []
    for offset in range(5):
        message = ActivityRecorded(title=f"e{offset}", action="test", source="test", claim_references=(f"{offset:08d}",))
        value = message.encode()
        records.append(ConsumerRecord("t", 0, offset, 0, 0, message.key.encode(), value, None, 0, len(value),
                                      [("type", b"ActivityRecorded")]))
    try:
        await consumer.handle_records(tuple(records[:3]))
        await consumer.handle_records(tuple(records))  # the first three again, in one run with two new
        await consumer.handle_records(tuple(records))
        async with engine.connect() as conn:
            titles = (await conn.execute(select(activity.c.title).order_by(activity.c.id))).scalars().all()
            dead = await conn.scalar(select(func.count()).select_from(platform["dead_letters"]))
        assert titles == [f"e{i}" for i in range(5)] and dead == 0
    finally:
        await engine.dispose()

