"""The outbox relay: publishes a service's outbox rows in order and takes them off the pending list
once the broker acknowledged them (see ``messaging`` for the guarantees)."""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import time
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlalchemy import Text, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from . import metrics
from .logging import log_fields
from .messaging import make_producer, pick_partition, topic_name
from .settings import ServiceSettings

log = logging.getLogger(__name__)

# The oldest unpublished rows, the payload as JSON text straight from PostgreSQL (no parse and
# re-encode here); and their removal from the pending list once published. The ids are picked
# first and the rows then fetched by id: a plain join is planned as a merge join that reads the
# outbox's every kept row from the start (a week of events) on each pass. Key, payload and type come
# as the bytes a record carries (``convert_to``), so Python neither decodes nor re-encodes them.
_PENDING_ROWS = text(
    "SELECT o.id, o.topic, convert_to(o.key, 'UTF8') AS key, convert_to(o.payload::text, 'UTF8') AS payload, "
    "convert_to(o.type, 'UTF8') AS type FROM outbox o "
    "WHERE o.id = ANY(ARRAY(SELECT id FROM outbox_pending ORDER BY id LIMIT :n)) ORDER BY o.id")
_PUBLISHED = text("DELETE FROM outbox_pending WHERE id = ANY(CAST(:ids AS bigint[]))")
# Both run on the driver's connection, inside the pass's transaction: a SQLAlchemy result cost
# 3.1-3.8 µs a row against asyncpg's 1.5-2.6 (measured, 1,000 rows a pass).
_PENDING_SQL = _PENDING_ROWS.text.replace(":n", "$1")
_PUBLISHED_SQL = _PUBLISHED.text.replace("CAST(:ids AS bigint[])", "$1::bigint[]")
# One relay per service at a time (a transaction-scoped advisory lock); in the same round trip, no
# sequential scans for this transaction: the outbox's statistics are often those of an empty table
# (a new database, or the minute before autovacuum analyses a burst), and with them the planner
# reads the whole outbox once per batch instead of looking the batch's ids up (a second a pass at
# 60,000 rows, measured).
_RELAY_LEADER = text("SELECT set_config('enable_seqscan', 'off', true) IS NOT NULL "
                     "AND pg_try_advisory_xact_lock(:lock)")


class OutboxRelay:
    """Publishes a service's outbox rows to Kafka, in order, and marks them published after acks."""

    def __init__(self, *, engine: AsyncEngine, outbox, settings: ServiceSettings,
                 producer: AIOKafkaProducer | None = None) -> None:
        self.engine = engine
        self.outbox = outbox
        self.settings = settings
        self.producer = producer  # built in start(): aiokafka needs the running loop
        self._own_producer = producer is None
        self._lock_id = int(hashlib.sha1(f"outbox:{settings.service_name}".encode()).hexdigest()[:15], 16)
        self._wake = asyncio.Event()
        self._stopping = False
        self.paused = False  # tests pause the relay to simulate a crash between commit and publish

    async def start(self) -> None:
        if self._own_producer:
            self.producer = make_producer(self.settings)
            await self.producer.start()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._own_producer and self.producer is not None:
            await self.producer.stop()
            self.producer = None

    def wake(self) -> None:
        self._wake.set()

    async def publish_pending(self) -> int:
        """One pass: publish up to a batch of unpublished rows. Returns how many were published.

        The unpublished rows are those listed in ``outbox_pending`` (a trigger lists every new
        outbox row); once the broker acknowledged them they leave that list in one DELETE. The
        outbox row itself is never rewritten (``migrations.upgrade_outbox_pending``)."""
        async with self.engine.begin() as conn:
            got = await conn.scalar(_RELAY_LEADER, {"lock": self._lock_id})
            if not got:
                return 0  # another replica relays for this service
            # Rows as asyncpg records read by position (id, topic, key, payload, type): reading a
            # result row's columns by name cost more than the rest of the pass's Python (measured).
            driver = (await conn.get_raw_connection()).driver_connection
            rows = await driver.fetch(_PENDING_SQL, self.settings.outbox_batch_size)
            if not rows:
                return 0
            await self._send([row[1:] for row in rows])
            # Every send of the batch was acknowledged (acks=all): published, in one statement.
            await driver.execute(_PUBLISHED_SQL, [row[0] for row in rows])
        metrics.OUTBOX_PUBLISHED.labels(self.settings.service_name).inc(len(rows))
        return len(rows)

    async def _send(self, rows: list[tuple[str, str | None, Any, str]]) -> None:
        """Send ``rows`` in their order and return once the broker acknowledged every one.

        Rows are packed into one record batch per partition (the partition chosen from the key by
        the same murmur2 hash as ``producer.send``), so a partition's rows leave in row order, in
        as few requests as fit, without a future per message. aiokafka keeps one request in flight
        per partition, so batches of one partition arrive in the order they were queued."""
        producer = self.producer
        targets: dict[str, tuple[str, list[int]]] = {}  # topic -> (full name, its partitions)
        builders: dict[tuple[str, int], Any] = {}
        futures = []
        for topic, key, payload, type_ in rows:
            target = targets.get(topic)
            if target is None:
                name = topic_name(self.settings, topic)
                target = targets[topic] = (name, sorted(await producer.partitions_for(name)))
            name, all_partitions = target
            # bytes from the relay's own read (``_PENDING_ROWS``), text from ``republish_since``
            value = payload if isinstance(payload, (bytes, str)) else json.dumps(payload, separators=(",", ":"))
            if isinstance(value, str):
                value = value.encode()
            key_bytes = (key.encode() if isinstance(key, str) else key) or None
            partition = pick_partition(key_bytes, all_partitions)
            headers = [("type", type_ if isinstance(type_, bytes) else type_.encode())]
            builder = builders.get((name, partition))
            if builder is None:
                builder = builders[(name, partition)] = producer.create_batch()
            if builder.append(timestamp=None, key=key_bytes, value=value, headers=headers) is None:
                futures.append(await producer.send_batch(builder, name, partition=partition))
                builder = builders[(name, partition)] = producer.create_batch()
                if builder.append(timestamp=None, key=key_bytes, value=value, headers=headers) is None:
                    raise ValueError(f"a {type_} message of {len(value)} bytes does not fit in a record batch")
        for (name, partition), builder in builders.items():
            if builder.record_count():
                futures.append(await producer.send_batch(builder, name, partition=partition))
        await asyncio.gather(*futures)

    async def _send_retrying(self, rows: list[tuple[str, str | None, Any, str]], attempts: int = 8) -> None:
        """Send, retrying a broker that is still coming back (a partial send is re-sent whole:
        consumers drop duplicates)."""
        for attempt in range(1, attempts + 1):
            try:
                await self._send(rows)
                return
            except KafkaError as exc:
                if attempt == attempts:
                    raise
                log.warning("re-publish: %s; retrying", exc)
                await asyncio.sleep(min(0.2 * 2 ** attempt, 5.0) + random.uniform(0, 0.2))

    async def republish_since(self, since: datetime) -> int:
        """Publish again every row created since ``since`` (after a broker lost its data)."""
        table = self.outbox
        total = 0
        last_id = 0
        while True:
            async with self.engine.connect() as conn:
                rows = (await conn.execute(
                    select(table.c.id, table.c.topic, table.c.key, table.c.payload.cast(Text).label("payload"),
                           table.c.type)
                    .where(table.c.created_at >= since, table.c.id > last_id)
                    .order_by(table.c.id).limit(self.settings.outbox_batch_size))).all()
            if not rows:
                return total
            await self._send_retrying([(r.topic, r.key, r.payload, r.type) for r in rows])
            total += len(rows)
            last_id = rows[-1].id

    async def backlog(self) -> int:
        async with self.engine.connect() as conn:
            return await conn.scalar(text("SELECT count(*) FROM outbox_pending")) or 0

    async def purge_old(self) -> None:
        """Delete published rows written more than the retention ago (never an unpublished one)."""
        async with self.engine.begin() as conn:
            await conn.execute(text(
                "DELETE FROM outbox o WHERE o.created_at < now() - make_interval(hours => :h) "
                "AND NOT EXISTS (SELECT 1 FROM outbox_pending p WHERE p.id = o.id)"),
                {"h": self.settings.outbox_retention_hours})

    async def run(self) -> None:
        """Relay forever: wake on a hint or poll; back off with jitter while the broker is away."""
        delay = self.settings.outbox_poll_interval_s
        last_purge = 0.0
        while not self._stopping:
            try:
                if self.paused:
                    await asyncio.sleep(0.05)
                    continue
                n = await self.publish_pending()
                delay = self.settings.outbox_poll_interval_s
                if n:
                    continue
                if time.monotonic() - last_purge > 3600:
                    await self.purge_old()
                    last_purge = time.monotonic()
                metrics.OUTBOX_BACKLOG.labels(self.settings.service_name).set(0)
            except asyncio.CancelledError:
                raise
            except (KafkaError, OSError, DBAPIError, asyncio.TimeoutError) as exc:
                log.warning("outbox relay: %s; retrying in %.1fs", exc, delay,
                            extra=log_fields(service=self.settings.service_name))
                delay = min(delay * 2 + random.uniform(0, 0.1), 5.0)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass
