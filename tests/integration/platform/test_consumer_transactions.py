"""How a consumer splits a fetched batch into transactions: a small batch in one; a large one per
partition, in order, in transactions of bounded size, two partitions at a time; on real PostgreSQL."""
from __future__ import annotations

import asyncio

from aiokafka.structs import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.claims.config import ClaimsSettings
from services.claims.handlers import record_activity
from services.claims.unit_of_work import ClaimsUnitOfWork
from shared.contracts import ActivityRecorded
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.consumer import Consumer
from shared.platform.messaging import is_transient


def _records(partitions: int, per_partition: int) -> list[ConsumerRecord]:
    """Records as a fetch returns them: partition by partition, each in offset order."""
    out = []
    for p in range(partitions):
        for offset in range(per_partition):
            message = ActivityRecorded(title=f"p{p}-{offset:02d}", action="test", source="test",
                                       claim_references=(f"{p}{offset:07d}",))
            value = message.encode()
            out.append(ConsumerRecord("t", p, offset, 0, 0, message.key.encode(), value, None, 0, len(value),
                                      [("type", b"ActivityRecorded")]))
    return out


def _consumer(sessions, handler, *, transaction_bytes: int, concurrency: int = 2) -> Consumer:
    settings = ClaimsSettings(consumer_transaction_bytes=transaction_bytes, consumer_concurrency=concurrency)
    return Consumer(group="g", topics=("t",), handlers={"ActivityRecorded": handler},
                    uow_factory=lambda: ClaimsUnitOfWork(sessions), settings=settings)


async def test_a_batch_is_applied_per_partition_in_order_in_bounded_transactions_two_partitions_at_a_time(infra):
    engine = make_engine(await infra.database("claims"), pool_size=4)
    sessions = make_sessionmaker(engine)
    applied: list[tuple[str, int]] = []  # (title, transaction id)
    active: set[int] = set()
    most_active = 0

    async def handler(message: ActivityRecorded, uow) -> None:
        nonlocal most_active
        partition = int(message.title[1])
        active.add(partition)
        most_active = max(most_active, len(active))
        applied.append((message.title, await uow.session.scalar(text("SELECT txid_current()"))))
        await asyncio.sleep(0.02)  # long enough for the other partition's transaction to run meanwhile
        active.discard(partition)
        await record_activity(message, uow)

    records = _records(partitions=3, per_partition=6)
    size = max(len(r.value) for r in records)
    try:
        consumer = _consumer(sessions, handler, transaction_bytes=2 * size + size // 2)  # two messages fit
        await consumer.handle_records(tuple(records))

        assert sorted(t for t, _ in applied) == sorted(f"p{r.partition}-{r.offset:02d}" for r in records)
        for p in range(3):
            titles = [t for t, _ in applied if t.startswith(f"p{p}-")]
            assert titles == sorted(titles)  # offset order within a partition
        transactions: dict[int, list[str]] = {}
        for title, txid in applied:
            transactions.setdefault(txid, []).append(title)
        assert len(transactions) == 9 and all(len(ts) == 2 for ts in transactions.values())
        assert all(len({t[:2] for t in ts}) == 1 for ts in transactions.values())  # one partition each
        assert most_active == 2

        applied.clear()
        await consumer.handle_records(tuple(records))  # redelivered: every message was applied already
        assert applied == []
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM activity")) == 18
    finally:
        await engine.dispose()


async def test_a_small_batch_is_one_transaction(infra):
    engine = make_engine(await infra.database("claims"), pool_size=4)
    transactions: set[int] = set()

    async def handler(message: ActivityRecorded, uow) -> None:
        transactions.add(await uow.session.scalar(text("SELECT txid_current()")))
        await record_activity(message, uow)

    records = _records(partitions=4, per_partition=5)
    try:
        consumer = _consumer(make_sessionmaker(engine), handler,
                             transaction_bytes=sum(len(r.value) for r in records))
        await consumer.handle_records(tuple(records))
        assert len(transactions) == 1
    finally:
        await engine.dispose()


async def test_a_transient_failure_in_one_partition_redelivers_the_batch_and_nothing_applies_twice(infra):
    engine = make_engine(await infra.database("claims"), pool_size=4)
    sessions = make_sessionmaker(engine)
    failed: list[str] = []

    async def flaky(message: ActivityRecorded, uow) -> None:
        if message.title == "p1-03" and not failed:
            failed.append(message.title)
            raise OSError("connection reset by peer")
        await record_activity(message, uow)

    records = tuple(_records(partitions=2, per_partition=6))
    size = max(len(r.value) for r in records)
    try:
        consumer = _consumer(sessions, flaky, transaction_bytes=7 * size)  # a partition a transaction
        try:
            await consumer.handle_records(records)
        except OSError:
            pass
        else:
            raise AssertionError("a transient failure must reach the caller, so the batch is redelivered")
        async with engine.connect() as conn:
            # Partition 0 committed; partition 1's transaction rolled back.
            assert await conn.scalar(text("SELECT count(*) FROM activity")) == 6
        await consumer.handle_records(records)
        async with engine.connect() as conn:
            titles = (await conn.execute(text("SELECT title FROM activity ORDER BY title"))).scalars().all()
        assert titles == sorted(f"p{p}-{o:02d}" for p in range(2) for o in range(6))
    finally:
        await engine.dispose()


def test_a_deadlock_or_serialization_failure_is_transient():
    class Orig(Exception):
        def __init__(self, sqlstate: str) -> None:
            super().__init__(sqlstate)
            self.sqlstate = sqlstate

    assert is_transient(DBAPIError("UPDATE claims ...", {}, Orig("40P01")))
    assert is_transient(DBAPIError("UPDATE claims ...", {}, Orig("40001")))
    assert not is_transient(DBAPIError("INSERT ...", {}, Orig("23505")))  # a unique violation is a bug or a refusal
