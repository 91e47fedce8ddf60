"""The platform's one-statement outbox write and processed-message guard, on real PostgreSQL."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.claims.tables import platform
from services.claims.unit_of_work import ClaimsUnitOfWork
from shared.contracts import ActivityRecorded
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.uow import Claimed, on_events_committed


async def test_emitted_events_are_stored_in_emit_order_and_wake_the_relay_after_commit(infra):
    engine = make_engine(await infra.database("claims"), pool_size=1)
    woken: list[bool] = []
    on_events_committed(engine, lambda: woken.append(True))
    try:
        messages = [ActivityRecorded(title=f"e{i}", action="test", source="test", claim_references=(f"{i:08d}",))
                    for i in range(5)]
        # keys and payloads that need escaping in the outbox document
        messages.append(ActivityRecorded(title='a "quoted" \\ title\nü', action="test", source="test",
                                         claim_references=('k"\\ü,{}',)))
        async with ClaimsUnitOfWork(make_sessionmaker(engine)) as uow:
            for m in messages:
                uow.emit(m)
            assert woken == []
            await uow.commit()
        assert woken == [True]
        outbox = platform["outbox"]
        async with engine.connect() as conn:
            rows = (await conn.execute(select(outbox.c.event_id, outbox.c.key, outbox.c.payload)
                                       .order_by(outbox.c.id))).all()
        assert [r.event_id for r in rows] == [m.event_id for m in messages]
        assert [r.key for r in rows] == [m.key for m in messages]
        assert [r.payload for r in rows] == [m.to_wire() for m in messages]

        async with ClaimsUnitOfWork(make_sessionmaker(engine)) as uow:
            await uow.commit()  # nothing emitted: the relay is not woken
        assert woken == [True]
        async with ClaimsUnitOfWork(make_sessionmaker(engine)) as uow:
            uow.events_written()  # rows written by SQL (set-based paths)
            await uow.commit()
        assert woken == [True, True]
    finally:
        await engine.dispose()


async def test_the_guard_names_duplicates_and_dead_lettered_ids_and_a_forgotten_or_rolled_back_id_is_new_again(infra):
    engine = make_engine(await infra.database("claims"), pool_size=1)
    sessions = make_sessionmaker(engine)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    try:
        async with ClaimsUnitOfWork(sessions) as uow:
            assert await uow.claim_messages("g", [a, b, a]) == Claimed(frozenset(), frozenset())
            await uow.forget_messages("g", [b])  # b was dead-lettered instead of applied
            await uow.record_dead_letter(consumer_group="g", event_id=str(b), topic="t", partition=0, offset=1,
                                         error="refused")
            await uow.commit()
        async with ClaimsUnitOfWork(sessions) as uow:
            # a is a duplicate; b is new again and known as dead-lettered; another group sees a afresh.
            assert await uow.claim_messages("g", [a, b, c]) == Claimed(applied={a}, dead_lettered={b})
            assert await uow.claim_messages("other", [a]) == Claimed(frozenset(), frozenset())
            # no commit: everything recorded here is rolled back
        async with ClaimsUnitOfWork(sessions) as uow:
            assert await uow.claim_messages("g", [c]) == Claimed(frozenset(), frozenset())
            await uow.commit()
    finally:
        await engine.dispose()
