"""Reliable messaging: topic creation, the outbox relay and idempotent batch consumers.

Guarantees (DESIGN §2):
- An event is published only if the change that produced it committed (outbox), and it is marked
  published only after the broker acknowledged it (acks=all). A crash in between publishes it again;
  consumers drop the duplicate by event id.
- Per key, events leave in the order they were written: one relay per service holds a PostgreSQL
  advisory lock, reads unpublished rows in id order and sends them through one producer. Services
  serialise changes to one aggregate with row locks, so ids per key follow commit order.
- A consumer applies a batch in one transaction: each message in a savepoint, its id recorded in
  ``processed_messages`` with the effect; offsets are committed after the transaction commits.
- A message that cannot be handled (bad payload, unknown major version, a refused transition, a
  bug) is written to ``dlq.<group>`` through the outbox in that same transaction, never dropped.
  Transient failures (database or broker unreachable) are retried with backoff instead.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable, Iterable

from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.partitioner import DefaultPartitioner
from pydantic import ValidationError
from sqlalchemy import Text, func, select, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts import (ContractError, DeadLetter, Message, Refused, decode, dead_letter_topic,
                              message_types)

from . import metrics
from .logging import correlation_id, log_fields
from .settings import ServiceSettings

log = logging.getLogger(__name__)

REPLAY_HEADER = "claimflow-replay"


def topic_name(settings: ServiceSettings, name: str) -> str:
    return f"{settings.kafka_topic_prefix}{name}"


def group_name(settings: ServiceSettings, group: str) -> str:
    return f"{group}{settings.kafka_group_suffix}"


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    # Tansu supports acks=all but not idempotent or transactional producers: leave those off;
    # the outbox and idempotent consumers give the exactly-once effect.
    return AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all",
                            enable_idempotence=False, linger_ms=2, max_batch_size=256 * 1024,
                            max_request_size=4 * 1024 * 1024, request_timeout_ms=15000)


#: Partition counts of the topics this process ensured, as the broker reported them (by full name).
_PARTITIONS: dict[str, int] = {}


async def ensure_topics(settings: ServiceSettings, names: Iterable[str]) -> None:
    """Create the topics with the configured partition count (Tansu cannot add partitions later),
    and note how many partitions each has (``known_partitions``)."""
    names = list(dict.fromkeys(names))
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [NewTopic(n, num_partitions=settings.topic_partitions, replication_factor=1)
                  for n in names if n not in existing]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass
        try:
            for described in await admin.describe_topics(names):
                if not described.get("error_code") and described.get("partitions"):
                    _PARTITIONS[described["topic"]] = len(described["partitions"])
        except KafkaError as exc:  # only an optimisation depends on it (known_partitions)
            log.warning("could not read the partition counts of %s: %s", names, exc)
    finally:
        await admin.close()


def known_partitions(name: str) -> int | None:
    """How many partitions the topic ``name`` (full name) has, if this process ensured it."""
    return _PARTITIONS.get(name)


def partition_for(key: str, partitions: int) -> int:
    """The partition the relay (and ``producer.send``) puts a record keyed ``key`` on."""
    every = list(range(partitions))
    return _PARTITIONER(key.encode(), every, every)


# --------------------------------------------------------------------------------------------
# Outbox relay
# --------------------------------------------------------------------------------------------
# The oldest unpublished rows, the payload as JSON text straight from PostgreSQL (no parse and
# re-encode here); and their removal from the pending list once published. The ids are picked
# first and the rows then fetched by id: a plain join is planned as a merge join that reads the
# outbox's every kept row from the start (a week of events) on each pass.
_PENDING_ROWS = text(
    "SELECT o.id, o.topic, o.key, o.payload::text AS payload, o.type FROM outbox o "
    "WHERE o.id = ANY(ARRAY(SELECT id FROM outbox_pending ORDER BY id LIMIT :n)) ORDER BY o.id")
_PUBLISHED = text("DELETE FROM outbox_pending WHERE id = ANY(CAST(:ids AS bigint[]))")
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
        table = self.outbox
        async with self.engine.begin() as conn:
            got = await conn.scalar(_RELAY_LEADER, {"lock": self._lock_id})
            if not got:
                return 0  # another replica relays for this service
            rows = (await conn.execute(_PENDING_ROWS.bindparams(n=self.settings.outbox_batch_size))).all()
            if not rows:
                return 0
            await self._send([(r.topic, r.key, r.payload, r.type) for r in rows])
            # Every send of the batch was acknowledged (acks=all): published, in one statement.
            await conn.execute(_PUBLISHED, {"ids": [r.id for r in rows]})
        metrics.OUTBOX_PUBLISHED.labels(self.settings.service_name).inc(len(rows))
        return len(rows)

    async def _send(self, rows: list[tuple[str, str | None, Any, str]]) -> None:
        """Send ``rows`` in their order and return once the broker acknowledged every one.

        Rows are packed into one record batch per partition (the partition chosen from the key by
        the same murmur2 hash as ``producer.send``), so a partition's rows leave in row order, in
        as few requests as fit, without a future per message. aiokafka keeps one request in flight
        per partition, so batches of one partition arrive in the order they were queued."""
        producer = self.producer
        partitions: dict[str, list[int]] = {}
        builders: dict[tuple[str, int], Any] = {}
        futures = []
        for topic, key, payload, type_ in rows:
            name = topic_name(self.settings, topic)
            all_partitions = partitions.get(name)
            if all_partitions is None:
                all_partitions = partitions[name] = sorted(await producer.partitions_for(name))
            value = payload if isinstance(payload, (bytes, str)) else json.dumps(payload, separators=(",", ":"))
            if isinstance(value, str):
                value = value.encode()
            key_bytes = key.encode() if key else None
            partition = _PARTITIONER(key_bytes, all_partitions, all_partitions)
            headers = [("type", type_.encode())]
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


# --------------------------------------------------------------------------------------------
# Idempotent batch consumer
# --------------------------------------------------------------------------------------------
Handler = Callable[[Message, Any], Awaitable[None]]
BulkHandler = Callable[[list[Message], Any], Awaitable[None]]

_PARTITIONER = DefaultPartitioner()
_TYPES: dict[str, type[Message]] = {}


def decode_record(record: ConsumerRecord) -> Message:
    """``contracts.decode`` of a record's value, taking the cheap road when it can: the relay names
    the type in a ``type`` header, so the message class parses the JSON bytes itself (pydantic's
    parser, no dict in between), dropping unknown members as ``decode`` does. Anything that road
    refuses (no header, a bad payload, an unknown major version) goes through ``decode``, which
    gives the refusal its words."""
    name = next((v for k, v in (record.headers or ()) if k == "type"), None)
    if name is not None:
        name = name.decode(errors="replace") if isinstance(name, bytes) else str(name)
        cls = _TYPES.get(name)
        if cls is None:
            _TYPES.update(message_types())
            cls = _TYPES.get(name)
        if cls is not None:
            try:
                return cls.model_validate_json(record.value, extra="ignore")
            except (ValidationError, ValueError):
                pass
    return decode(record.value)

TRANSIENT = (OperationalError, InterfaceError, OSError, asyncio.TimeoutError, KafkaError)


#: SQLSTATEs of a transaction PostgreSQL aborted to resolve a conflict: retrying it succeeds.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if getattr(getattr(exc, "orig", None), "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return isinstance(exc, TRANSIENT) or type(exc).__name__ in {
        "ConnectionDoesNotExistError", "CannotConnectNowError", "ConnectionFailureError",
        "TooManyConnectionsError", "AdminShutdownError"}


@dataclass
class Consumer:
    """An idempotent consumer group: ``handlers`` maps message type names to handler functions.

    Message types a group has no handler for are skipped (and recorded, so they are cheap to skip).
    """

    group: str
    topics: tuple[str, ...]
    handlers: dict[str, Handler]
    uow_factory: Callable[[], Any]
    settings: ServiceSettings
    #: Set after the broker lost its data: the next assignment reads partitions from the start.
    rewind_on_assignment: bool = False
    #: Optional handlers that apply many consecutive messages of one type at once (set-based SQL);
    #: each type here must also have a one-at-a-time handler in ``handlers`` (the fallback).
    bulk_handlers: dict[str, BulkHandler] = field(default_factory=dict)
    _attempts: dict[tuple[str, int, int], int] = field(default_factory=dict)

    @property
    def group_id(self) -> str:
        return group_name(self.settings, self.group)

    async def handle_records(self, records: tuple[ConsumerRecord, ...]) -> None:
        """Apply one fetched batch; raise only for transient failures (the whole batch is then
        redelivered: the parts already committed are recognised by the processed-message guard and
        skipped).

        A batch of at most ``consumer_transaction_bytes`` is one transaction (small events: one
        round of statements for hundreds of them). A larger one is applied partition by partition,
        each partition's records in order, in transactions of about that size; up to
        ``consumer_concurrency`` partitions at the same time, each on its own connection. Two
        partitions' transactions that lock the same rows in opposite orders make PostgreSQL abort one
        of them as a deadlock, a transient failure: the batch is redelivered and the rest applies then."""
        if sum(len(r.value or b"") for r in records) <= self.settings.consumer_transaction_bytes:
            await self._handle_chunk(list(records))
            return
        partitions: dict[tuple[str, int], list[ConsumerRecord]] = {}
        for record in records:
            partitions.setdefault((record.topic, record.partition), []).append(record)
        concurrency = max(1, self.settings.consumer_concurrency)
        if len(partitions) == 1 or concurrency == 1:
            for part in partitions.values():
                await self._handle_partition(part)
            return
        gate = asyncio.Semaphore(concurrency)

        async def one(part: list[ConsumerRecord]) -> None:
            async with gate:
                await self._handle_partition(part)

        outcomes = await asyncio.gather(*(one(part) for part in partitions.values()), return_exceptions=True)
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        for failure in failures:  # a bug outranks a transient failure: it must not be retried quietly
            if not is_transient(failure):
                raise failure
        if failures:
            raise failures[0]

    async def _handle_partition(self, records: list[ConsumerRecord]) -> None:
        """Apply one partition's records in order, in transactions of about ``consumer_transaction_bytes``."""
        limit = self.settings.consumer_transaction_bytes
        chunk: list[ConsumerRecord] = []
        size = 0
        for record in records:
            length = len(record.value or b"")
            if chunk and size + length > limit:
                await self._handle_chunk(chunk)
                chunk, size = [], 0
            chunk.append(record)
            size += length
        await self._handle_chunk(chunk)

    async def _handle_chunk(self, records: list[ConsumerRecord]) -> None:
        """Apply consecutive records in one transaction."""
        if not records:
            return
        started = time.perf_counter()
        decoded: list[tuple[ConsumerRecord, Message | None, str | None]] = []
        for record in records:
            try:
                decoded.append((record, decode_record(record), None))
            except ContractError as exc:
                decoded.append((record, None, str(exc)))
        try:
            async with self.uow_factory() as uow:
                # Every id is recorded as processed up front (one statement); ``fresh`` holds the
                # ones this group had not applied, each with whether it was dead-lettered before.
                # Ids that end up dead-lettered rather than applied are taken back out at the end.
                fresh = await uow.claim_messages(self.group, [m.event_id for _, m, _ in decoded if m is not None])
                unapplied: list[uuid.UUID] = []
                seen: set[uuid.UUID] = set()
                run: list[tuple[ConsumerRecord, Message]] = []  # consecutive messages for one bulk handler
                for record, message, error in decoded:
                    if message is None:
                        await self._apply_run(uow, run, unapplied)
                        await self._dead_letter(uow, record, None, error or "undecodable")
                        continue
                    if message.event_id not in fresh or message.event_id in seen:
                        metrics.MESSAGES_DUPLICATE.labels(self.group).inc()
                        continue
                    seen.add(message.event_id)
                    replay = any(k == REPLAY_HEADER for k, _ in (record.headers or ()))
                    if fresh[message.event_id] and not replay:
                        unapplied.append(message.event_id)  # still dead-lettered: wait for a replay
                        continue
                    if message.type in self.bulk_handlers:
                        if run and run[0][1].type != message.type:
                            await self._apply_run(uow, run, unapplied)
                        run.append((record, message))
                        continue
                    await self._apply_run(uow, run, unapplied)
                    await self._apply_one(uow, record, message, unapplied)
                await self._apply_run(uow, run, unapplied)
                await uow.forget_messages(self.group, unapplied)
                await uow.commit()
        except Exception as exc:
            if not is_transient(exc):
                raise
            key = (records[0].topic, records[0].partition, records[0].offset)
            attempt = self._attempts.get(key, 0) + 1
            self._attempts[key] = attempt
            backoff = min(0.2 * 2 ** attempt, 5.0) + random.uniform(0, 0.2)
            log.warning("transient failure in %s (attempt %d): %s; retrying in %.1fs",
                        self.group, attempt, exc, backoff)
            await asyncio.sleep(backoff)
            raise
        self._attempts.clear()
        metrics.HANDLER_SECONDS.labels(self.group).observe(time.perf_counter() - started)

    async def _apply_one(self, uow, record: ConsumerRecord, message: Message, unapplied: list[uuid.UUID]) -> None:
        """Apply one message in a savepoint; a refused one is dead-lettered and noted in ``unapplied``.
        A type the group has no handler for counts as applied (skipped cheaply next time)."""
        handler = self.handlers.get(message.type)
        if handler is None:
            return
        token = correlation_id.set(message.correlation_id)
        try:
            async with uow.savepoint():
                await handler(message, uow)
            metrics.MESSAGES_HANDLED.labels(self.group, message.type).inc()
        except Exception as exc:  # noqa: BLE001 - classified below, never swallowed
            if is_transient(exc):
                raise
            unapplied.append(message.event_id)
            await self._dead_letter(uow, record, message, _describe(exc))
        finally:
            correlation_id.reset(token)

    async def _apply_run(self, uow, run: list[tuple[ConsumerRecord, Message]], unapplied: list[uuid.UUID]) -> None:
        """Apply consecutive messages of one type with its bulk handler, in one savepoint. If the
        bulk handler refuses (any non-transient error), nothing of it stays and each message goes
        through the one-at-a-time handler instead, so a refused message is dead-lettered alone."""
        if not run:
            return
        messages = [m for _, m in run]
        try:
            async with uow.savepoint():
                await self.bulk_handlers[messages[0].type](messages, uow)
        except Exception as exc:  # noqa: BLE001 - transient ones re-raised, others retried one by one
            if is_transient(exc):
                raise
            for record, message in run:
                await self._apply_one(uow, record, message, unapplied)
        else:
            metrics.MESSAGES_HANDLED.labels(self.group, messages[0].type).inc(len(messages))
        run.clear()

    async def _dead_letter(self, uow, record: ConsumerRecord, message: Message | None, error: str) -> None:
        metrics.MESSAGES_FAILED.labels(self.group).inc()
        value = record.value.decode("utf-8", errors="replace") if isinstance(record.value, bytes) else str(record.value)
        letter = DeadLetter(
            group=self.group, original_topic=record.topic, original_partition=record.partition,
            original_offset=record.offset,
            original_key=record.key.decode(errors="replace") if record.key else None,
            original_value=value, original_event_id=str(message.event_id) if message else None,
            error=error[:4000], correlation_id=message.correlation_id if message else str(uuid.uuid4()))
        uow.emit(letter, topic=dead_letter_topic(self.group))
        await uow.record_dead_letter(consumer_group=self.group,
                                     event_id=str(message.event_id) if message else None,
                                     topic=record.topic, partition=record.partition,
                                     offset=record.offset, error=error[:4000])
        log.error("dead-lettered a message", extra=log_fields(
            group=self.group, topic=record.topic, partition=record.partition, offset=record.offset,
            error=error[:500]))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, Refused):
        return exc.message
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()
