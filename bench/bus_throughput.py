"""Bus throughput: events per second end to end through outbox → relay → broker → idempotent
consumer effect, against raw aiokafka produce/consume on the same broker in the same run; and the
p99 latency (commit of the change → commit of the effect) at a steady 1,000 events/s.
Targets: ratio ≥ 0.5, p99 < 200 ms.

    python bench/bus_throughput.py [--events 50000] [--rate 1000] [--seconds 15]
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # noqa: E402
from faststream.kafka import KafkaBroker  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench._common import percentile, start_broker, start_postgres  # noqa: E402
from services.claims.config import ClaimsSettings  # noqa: E402
from services.claims.handlers import record_activities, record_activity  # noqa: E402
from services.claims.tables import activity, metadata  # noqa: E402
from services.claims.unit_of_work import ClaimsUnitOfWork  # noqa: E402
from shared.contracts import ActivityRecorded, decode  # noqa: E402
from shared.platform.db import make_engine, make_sessionmaker  # noqa: E402
from shared.platform.messaging import Consumer, OutboxRelay  # noqa: E402
from shared.platform.migrations import upgrade  # noqa: E402
from shared.platform.service import attach_consumer  # noqa: E402


async def raw_rate(bootstrap: str, events: int) -> float:
    topic = f"raw-{uuid.uuid4().hex[:6]}"
    payload = ActivityRecorded(title="x", action="bench", source="bench").encode()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2, max_batch_size=256 * 1024)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"g-{topic}",
                                auto_offset_reset="earliest", enable_auto_commit=False, session_timeout_ms=1000,
                                heartbeat_interval_ms=200)
    await producer.start()
    await consumer.start()
    started = time.perf_counter()
    try:
        futures = [await producer.send(topic, payload, key=str(i % 64).encode()) for i in range(events)]
        await asyncio.gather(*futures)
        seen = 0
        while seen < events:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            seen += sum(len(v) for v in batch.values())
            if batch:
                await consumer.commit()
        return events / (time.perf_counter() - started)
    finally:
        await producer.stop()
        await consumer.stop()


class TimedConsumer(Consumer):
    """The platform consumer, noting when each event's effect was committed."""

    done: dict[str, float]

    async def handle_records(self, records):
        await super().handle_records(records)
        now = time.time()
        for r in records:
            self.done.setdefault(r.key.decode(), now)


async def outbox_run(pg, bootstrap: str, *, events: int, rate: float | None) -> tuple[float, list[float]]:
    """Write ``events`` changes (all at once, or at ``rate``/s) and wait for every effect."""
    tag = uuid.uuid4().hex[:6]
    source_db, effect_db = f"src_{tag}", f"eff_{tag}"
    for name in (source_db, effect_db):
        pg.create_database(name)
        await upgrade(Path("services/claims"), pg.url(name))
    settings = ClaimsSettings(kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=f"b{tag}.", service_name=f"bench{tag}",
                              kafka_session_timeout_ms=1000, kafka_heartbeat_interval_ms=200, outbox_poll_interval_s=0.01,
                              database_url=pg.url(source_db))
    source = make_engine(pg.url(source_db), pool_size=4)
    effect = make_engine(pg.url(effect_db), pool_size=4)
    relay = OutboxRelay(engine=source, outbox=metadata.tables["outbox"], settings=settings)
    sessions = make_sessionmaker(effect)
    consumer = TimedConsumer(group="bench.effect", topics=("claimflow.activity",),
                             handlers={"ActivityRecorded": record_activity},
                             bulk_handlers={"ActivityRecorded": record_activities},
                             uow_factory=lambda: ClaimsUnitOfWork(sessions), settings=settings)
    consumer.done = {}
    broker = KafkaBroker(bootstrap, logger=None)
    attach_consumer(broker, consumer)
    from shared.platform.messaging import ensure_topics, topic_name
    await ensure_topics(settings, [topic_name(settings, "claimflow.activity")])
    await broker.start()
    await relay.start()
    relay_task = asyncio.create_task(relay.run())
    written: dict[str, float] = {}
    src_sessions = make_sessionmaker(source)
    started = time.perf_counter()
    try:
        batch = 1 if rate else 500
        for start in range(0, events, batch):
            async with ClaimsUnitOfWork(src_sessions) as uow:
                for i in range(start, min(start + batch, events)):
                    uow.emit(ActivityRecorded(title=f"e{i}", action="bench", source="bench", claim_references=(f"{i:08d}",)))
                await uow.commit()
            now = time.time()
            for i in range(start, min(start + batch, events)):
                written[f"{i:08d}"] = now
            relay.wake()
            if rate:
                target = started + (start + 1) / rate
                delay = target - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
        while len(consumer.done) < events:
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        async with effect.connect() as conn:
            stored = await conn.scalar(select(func.count()).select_from(activity))
        assert stored == events, f"{stored} effects for {events} events"
        latencies = [consumer.done[k] - written[k] for k in written]
        return events / elapsed, latencies
    finally:
        relay_task.cancel()
        await relay.stop()
        await broker.stop()
        await source.dispose()
        await effect.dispose()


async def main(events: int, rate: int, seconds: int) -> None:
    pg = start_postgres()
    broker = start_broker()
    try:
        raw = await raw_rate(broker.bootstrap, events)
        print(f"raw aiokafka produce+consume: {raw:,.0f} events/s", flush=True)
        through, _ = await outbox_run(pg, broker.bootstrap, events=events, rate=None)
        print(f"outbox → broker → consumer effect: {through:,.0f} events/s   ratio {through / raw:.2f} (target ≥ 0.5)",
              flush=True)
        _, latencies = await outbox_run(pg, broker.bootstrap, events=rate * seconds, rate=rate)
        ms = [v * 1000 for v in latencies]
        print(f"at {rate:,} events/s for {seconds}s: latency p50={percentile(ms, 50):.0f}ms "
              f"p95={percentile(ms, 95):.0f}ms p99={percentile(ms, 99):.0f}ms (target p99 < 200 ms)")
    finally:
        broker.stop()
        pg.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.rate, args.seconds))
