"""Bus throughput: events per second end to end through outbox → relay → broker → idempotent
consumer effect, against raw aiokafka produce/consume on the same broker in the same run; and the
latency (commit of the change → commit of the effect) at a steady 1,000 events/s.
Targets: ratio ≥ 0.5, p99 < 200 ms.

Topology (``--topology``):
- ``split`` (default, as in production): the source service's writer and outbox relay run in one
  process, the consuming service in another, concurrently. The raw baseline gets the same shape:
  an aiokafka producer process and an aiokafka consumer process running concurrently.
- ``single``: everything (writer, relay, consumer; raw producer and consumer) in one Python process.

Both sides start timing once the consumer holds its partitions, and stop when the last effect
(raw: the last record) is seen; wall clocks of the two processes are the same machine's.

Fairness: every process of both sides runs with the platform's garbage-collector settings
(``settle_heap``); both sides' events exist before the clock starts (the pipeline's still serialised
inside it, by ``emit``); a warm-up round, then alternating rounds, and the ratio of the medians.
It also prints the ceilings this machine's cores allow the pipeline, from the CPU each side used an
event: at its present cost, and at the raw side's Kafka work plus PostgreSQL's alone.

    python bench/bus_throughput.py [--events 100000] [--rounds 3] [--rate 1000] [--seconds 15] [--topology split]
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil  # noqa: E402
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # noqa: E402
from faststream.kafka import KafkaBroker  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench._common import percentile, report_result, start_broker, start_postgres, stop_postgres  # noqa: E402
from services.claims.config import ClaimsSettings  # noqa: E402
from services.claims.handlers import record_activities, record_activity  # noqa: E402
from services.claims.tables import activity, metadata  # noqa: E402
from services.claims.unit_of_work import ClaimsUnitOfWork  # noqa: E402
from shared.contracts import ActivityRecorded  # noqa: E402
from shared.platform.db import make_engine, make_sessionmaker  # noqa: E402
from shared.platform.consumer import Consumer  # noqa: E402
from shared.platform.messaging import ensure_topics, topic_name  # noqa: E402
from shared.platform.relay import OutboxRelay  # noqa: E402
from shared.platform.migrations import upgrade  # noqa: E402
from shared.platform.service import attach_consumer, settle_heap  # noqa: E402

TOPIC = "claimflow.activity"


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _server_cpu(proc) -> float:
    """CPU seconds a server has used so far: its own, its live children's (PostgreSQL's backends)
    and those of the children it reaped (backends that ended)."""
    try:
        server = psutil.Process(proc.pid)
        t = server.cpu_times()
        total = t.user + t.system + t.children_user + t.children_system
        for child in server.children(recursive=True):
            try:
                c = child.cpu_times()
                total += c.user + c.system
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


class ServerCpu:
    """CPU PostgreSQL and the broker used between ``start()`` and ``report()``."""

    def __init__(self, pg, broker) -> None:
        self.procs = {"PostgreSQL": pg.proc if pg else None, "broker": broker.proc}

    def start(self) -> None:
        self.before = {name: _server_cpu(proc) for name, proc in self.procs.items() if proc is not None}

    def report(self, events: int, *clients: float) -> str:
        """The servers' CPU, and the total per event with the clients' CPU seconds ``clients``
        (kept in ``per_event``: seconds of CPU per event, by server name and ``"all"``)."""
        used = {name: _server_cpu(self.procs[name]) - before for name, before in self.before.items()}
        self.per_event = {**{name: s / events for name, s in used.items()},
                          "all": (sum(used.values()) + sum(clients)) / events}
        return ", ".join([*(f"{name} CPU {s:.1f}s ({self.per_event[name] * 1e6:.0f} µs an event)" for name, s in used.items()),
                          f"all {self.per_event['all'] * 1e6:.0f} µs an event"])


# --------------------------------------------------------------------------------------------
# Raw aiokafka
# --------------------------------------------------------------------------------------------
async def _wait_assigned(consumer: AIOKafkaConsumer) -> None:
    while not consumer.assignment():
        await asyncio.sleep(0.02)


async def raw_consume(bootstrap: str, topic: str, events: int, ready=None) -> tuple[float, float]:
    """Consume ``events`` records; returns (wall time of the last one, CPU seconds used)."""
    # The fetch settings of the platform's consumers (``attach_consumer``). With aiokafka's default
    # long poll of 500 ms, a fetch sent before the first record sometimes sat out its full wait on
    # Tansu: the baseline's 30,000 records then took 0.6 s instead of 0.35 s, 50,000 events/s
    # instead of 80,000-99,000, and the ratio looked 1.6 times better than it was (seventh session).
    platform = ClaimsSettings()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"g-{topic}",
                                auto_offset_reset="earliest", enable_auto_commit=False, session_timeout_ms=1000,
                                heartbeat_interval_ms=200, fetch_max_wait_ms=platform.kafka_fetch_max_wait_ms,
                                max_poll_records=platform.kafka_max_poll_records)
    await consumer.start()
    settle_heap()  # the platform consumers' garbage-collector settings (ServiceRuntime.start)
    try:
        waiting = asyncio.create_task(consumer.getmany(timeout_ms=100))
        await _wait_assigned(consumer)
        if ready is not None:
            ready.set()
        cpu = _cpu()
        seen = sum(len(v) for v in (await waiting).values())
        while seen < events:
            batch = await consumer.getmany(timeout_ms=500, max_records=platform.kafka_max_poll_records)
            seen += sum(len(v) for v in batch.values())
            if batch:
                await consumer.commit()
        return time.time(), _cpu() - cpu
    finally:
        await consumer.stop()


def _events(count: int) -> list[ActivityRecorded]:
    """The events both sides carry: one activity entry each, a distinct claim reference each."""
    return [ActivityRecorded(title=f"e{i}", action="bench", source="bench", claim_references=(f"{i:08d}",))
            for i in range(count)]


def _records(events: int) -> list[tuple[bytes, bytes]]:
    """The raw producer's (key, value) records, keyed as the relay keys them, encoded before the
    clock starts (the pipeline's events are built before it too)."""
    return [(m.key.encode(), m.encode()) for m in _events(events)]


async def raw_produce(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> float:
    """Produce ``records`` (acks=all); returns CPU seconds used."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2, max_batch_size=256 * 1024)
    await producer.start()
    cpu = _cpu()
    try:
        futures = [await producer.send(topic, payload, key=key) for key, payload in records]
        await asyncio.gather(*futures)
        return _cpu() - cpu
    finally:
        await producer.stop()


def _raw_consumer_process(bootstrap: str, topic: str, events: int, ready, result) -> None:
    result.put(asyncio.run(raw_consume(bootstrap, topic, events, ready)))


async def raw_rate(bootstrap: str, events: int, *, split: bool, servers: ServerCpu) -> tuple[float, str]:
    topic = f"raw-{uuid.uuid4().hex[:6]}"
    admin_settings = ClaimsSettings(kafka_bootstrap_servers=bootstrap)
    await ensure_topics(admin_settings, [topic])
    records = _records(events)
    settle_heap()  # the platform's garbage-collector settings, as the pipeline's processes have them
    if split:
        ctx = mp.get_context("spawn")
        ready, result = ctx.Event(), ctx.Queue()
        child = ctx.Process(target=_raw_consumer_process, args=(bootstrap, topic, events, ready, result))
        child.start()
        await asyncio.get_running_loop().run_in_executor(None, ready.wait)
        servers.start()
        started = time.time()
        produce_cpu = await raw_produce(bootstrap, topic, records)
        finished, consume_cpu = await asyncio.get_running_loop().run_in_executor(None, result.get)
        child.join()
    else:
        ready = asyncio.Event()
        consuming = asyncio.create_task(raw_consume(bootstrap, topic, events, ready))
        await ready.wait()
        servers.start()
        started = time.time()
        produce_cpu = await raw_produce(bootstrap, topic, records)
        finished, consume_cpu = await consuming
    elapsed = finished - started
    return events / elapsed, (f"producer CPU {produce_cpu:.1f}s, consumer CPU {consume_cpu:.1f}s "
                              f"({consume_cpu / events * 1e6:.0f} µs an event), {servers.report(events, produce_cpu, consume_cpu)} in {elapsed:.1f}s")


# --------------------------------------------------------------------------------------------
# Outbox → relay → broker → idempotent consumer
# --------------------------------------------------------------------------------------------
def _settings(bootstrap: str, tag: str, database_url: str) -> ClaimsSettings:
    return ClaimsSettings(kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=f"b{tag}.", service_name=f"bench{tag}",
                          kafka_session_timeout_ms=1000, kafka_heartbeat_interval_ms=200, outbox_poll_interval_s=0.01,
                          database_url=database_url)


class TimedConsumer(Consumer):
    """The platform consumer, noting when each event's effect was committed (and how many fetched
    batches it took: per-batch costs weigh more when the consumer keeps up and batches are small)."""

    done: dict[str, float]
    batches: int = 0

    async def handle_records(self, records):
        await super().handle_records(records)
        self.batches += 1
        now = time.time()
        for r in records:
            self.done.setdefault(r.key.decode(), now)


async def consume_effects(bootstrap: str, tag: str, effect_url: str, events: int,
                          ready=None) -> tuple[dict, float, int]:
    """The consuming service: apply ``events`` activity events; returns (key → effect time, CPU s,
    fetched batches)."""
    settings = _settings(bootstrap, tag, effect_url)
    effect = make_engine(effect_url, pool_size=4)
    sessions = make_sessionmaker(effect)
    consumer = TimedConsumer(group="bench.effect", topics=(TOPIC,),
                             handlers={"ActivityRecorded": record_activity},
                             bulk_handlers={"ActivityRecorded": record_activities},
                             uow_factory=lambda: ClaimsUnitOfWork(sessions), settings=settings)
    consumer.done = {}
    broker = KafkaBroker(bootstrap, logger=None)
    attach_consumer(broker, consumer)
    await broker.start()
    try:
        while not any(getattr(s, "consumer", None) is not None and s.consumer.assignment()
                      for s in broker.subscribers):
            await asyncio.sleep(0.02)
        settle_heap()  # as ServiceRuntime.start does once a service has started
        if ready is not None:
            ready.set()
        cpu = _cpu()
        while len(consumer.done) < events:
            await asyncio.sleep(0.02)
        cpu = _cpu() - cpu
        async with effect.connect() as conn:
            stored = await conn.scalar(select(func.count()).select_from(activity))
        assert stored == events, f"{stored} effects for {events} events"
        return consumer.done, cpu, consumer.batches
    finally:
        await broker.stop()
        await effect.dispose()


def _effect_process(bootstrap: str, tag: str, effect_url: str, events: int, ready, result) -> None:
    result.put(asyncio.run(consume_effects(bootstrap, tag, effect_url, events, ready)))


async def outbox_run(pg, bootstrap: str, *, events: int, rate: float | None,
                     split: bool, servers: ServerCpu) -> tuple[float, list[float], str]:
    """Write ``events`` changes (500 per transaction, or one by one at ``rate``/s) and wait for
    every effect. Returns (events/s, latencies in s, CPU use)."""
    tag = uuid.uuid4().hex[:6]
    source_db, effect_db = f"src_{tag}", f"eff_{tag}"
    for name in (source_db, effect_db):
        pg.create_database(name)
        await upgrade(Path("services/claims"), pg.url(name))
    settings = _settings(bootstrap, tag, pg.url(source_db))
    await ensure_topics(settings, [topic_name(settings, TOPIC)])
    source = make_engine(pg.url(source_db), pool_size=4)
    relay = OutboxRelay(engine=source, outbox=metadata.tables["outbox"], settings=settings)
    loop = asyncio.get_running_loop()
    if split:
        ctx = mp.get_context("spawn")
        ready, result = ctx.Event(), ctx.Queue()
        child = ctx.Process(target=_effect_process, args=(bootstrap, tag, pg.url(effect_db), events, ready, result))
        child.start()
        await loop.run_in_executor(None, ready.wait)
        consuming = loop.run_in_executor(None, result.get)
    else:
        ready = asyncio.Event()
        consuming = asyncio.ensure_future(consume_effects(bootstrap, tag, pg.url(effect_db), events, ready))
        await ready.wait()
    await relay.start()
    relay_task = asyncio.create_task(relay.run())
    written: dict[str, float] = {}
    src_sessions = make_sessionmaker(source)
    # Built before the clock, as the raw producer's payloads are; serialised inside it (``emit``).
    messages = _events(events)
    settle_heap()  # as ServiceRuntime.start does once a service has started
    servers.start()
    cpu = _cpu()
    started = time.time()
    try:
        batch = 1 if rate else 500
        for start in range(0, events, batch):
            async with ClaimsUnitOfWork(src_sessions) as uow:
                for message in messages[start:start + batch]:
                    uow.emit(message)
                await uow.commit()
            now = time.time()
            for i in range(start, min(start + batch, events)):
                written[f"{i:08d}"] = now
            relay.wake()
            if rate:
                delay = started + (start + 1) / rate - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
        done, consumer_cpu, batches = await consuming
        source_cpu = _cpu() - cpu
        if split:
            child.join()
        elapsed = max(done.values()) - started
        latencies = [done[k] - written[k] for k in written]
        use = (f"writer+relay CPU {source_cpu:.1f}s ({source_cpu / events * 1e6:.0f} µs an event), "
               f"consumer CPU {consumer_cpu:.1f}s ({consumer_cpu / events * 1e6:.0f} µs an event, "
               f"{batches} batches of {events / max(batches, 1):.0f}), {servers.report(events, source_cpu, consumer_cpu)} in {elapsed:.1f}s"
               + ("" if split else " (one process: the consumer's share is inside the first figure)"))
        return events / elapsed, latencies, use
    finally:
        relay_task.cancel()
        await relay.stop()
        await source.dispose()


def _ceilings(raw: float, kafka: float, pipeline: float, database: float) -> str:
    """What the machine's cores allow the pipeline, from the CPU each side used an event: the
    most it could reach with every core busy at its present cost, and the most it could reach if its
    own Python cost nothing beyond the raw side's Kafka work (that work plus PostgreSQL's)."""
    cores = os.cpu_count() or 1
    floor = kafka + database
    return (f"ceilings on {cores} core{'s' if cores != 1 else ''}: at the pipeline's {pipeline * 1e6:.0f} µs of CPU an event, "
            f"{cores / pipeline:,.0f} events/s (ratio {cores / pipeline / raw:.2f}); at the raw side's Kafka work "
            f"({kafka * 1e6:.0f} µs) plus PostgreSQL's ({database * 1e6:.0f} µs) alone, {cores / floor:,.0f} events/s "
            f"(ratio {cores / floor / raw:.2f})")


async def main(events: int, rounds: int, rate: int, seconds: int, topology: str) -> None:
    split = topology == "split"
    pg = start_postgres()
    broker = start_broker()
    try:
        print(f"topology: {topology} ({'writer+relay and consumer in two processes; raw producer and consumer in two processes' if split else 'one process'}); "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
        servers = ServerCpu(pg, broker)
        # A warm-up round of each (not reported): the broker's and PostgreSQL's first topics and
        # databases, this process's first sends.
        warm = max(1_000, events // 10)
        await raw_rate(broker.bootstrap, warm, split=split, servers=servers)
        await outbox_run(pg, broker.bootstrap, events=warm, rate=None, split=split, servers=servers)
        raws: list[float] = []
        throughs: list[float] = []
        # CPU seconds an event: the raw side's Kafka work (its clients and the broker), the
        # pipeline's in all, and PostgreSQL's share of the pipeline's.
        kafka_work: list[float] = []
        pipeline_work: list[float] = []
        database_work: list[float] = []
        for n in range(1, rounds + 1):
            raw, raw_use = await raw_rate(broker.bootstrap, events, split=split, servers=servers)
            raws.append(raw)
            kafka_work.append(servers.per_event["all"] - servers.per_event.get("PostgreSQL", 0.0))
            print(f"round {n}: raw aiokafka produce+consume: {raw:,.0f} events/s ({raw_use})", flush=True)
            through, _, use = await outbox_run(pg, broker.bootstrap, events=events, rate=None, split=split,
                                              servers=servers)
            throughs.append(through)
            pipeline_work.append(servers.per_event["all"])
            database_work.append(servers.per_event["PostgreSQL"])
            print(f"round {n}: outbox → broker → consumer effect: {through:,.0f} events/s   ratio {through / raw:.2f} "
                  f"({use})", flush=True)
        raw, through = statistics.median(raws), statistics.median(throughs)
        print(f"medians of {rounds} round{'s' if rounds != 1 else ''}: raw {raw:,.0f} events/s, outbox → broker → consumer effect "
              f"{through:,.0f} events/s: ratio {through / raw:.2f} (target ≥ 0.5)", flush=True)
        print(_ceilings(raw, statistics.median(kafka_work), statistics.median(pipeline_work),
                        statistics.median(database_work)), flush=True)
        _, latencies, _ = await outbox_run(pg, broker.bootstrap, events=rate * seconds, rate=rate, split=split,
                                           servers=servers)
        ms = [v * 1000 for v in latencies]
        p99 = percentile(ms, 99)
        print(f"at {rate:,} events/s for {seconds}s: latency p50={percentile(ms, 50):.0f}ms "
              f"p95={percentile(ms, 95):.0f}ms p99={p99:.0f}ms (target p99 < 200 ms); "
              f"load average {os.getloadavg()[0]:.2f}")
        report_result("bus_throughput", through / raw >= 0.5 and p99 < 200,
                      f"ratio {through / raw:.2f} (≥ 0.5), p99 {p99:.0f} ms at {rate:,} events/s (< 200 ms)")
    finally:
        broker.stop()
        stop_postgres(pg)  # and its data directory


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    # Long enough that start-up (the first fetch, the first relay pass) is a small part of either side.
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating raw and pipeline rounds (medians)")
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--topology", choices=("split", "single"), default="split")
    args = parser.parse_args()
    asyncio.run(main(args.events, args.rounds, args.rate, args.seconds, args.topology))
