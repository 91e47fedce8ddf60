"""The idempotent batch consumer (see ``messaging`` for the guarantees)."""
from __future__ import annotations

import asyncio
import logging
import random
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from aiokafka import ConsumerRecord

from shared.contracts import ContractError, DeadLetter, Message, Refused, dead_letter_topic

from . import metrics
from .logging import correlation_id, log_fields
from .messaging import REPLAY_HEADER, decode_record, group_name, is_transient
from .settings import ServiceSettings

log = logging.getLogger(__name__)

Handler = Callable[[Message, Any], Awaitable[None]]
BulkHandler = Callable[[list[Message], Any], Awaitable[None]]


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
                # Every id is recorded as processed up front (one statement); the guard names the
                # ones this group applied before and the new ones it dead-lettered before. Ids that
                # end up dead-lettered rather than applied are taken back out at the end.
                claimed = await uow.claim_messages(self.group, [m.event_id for _, m, _ in decoded if m is not None])
                applied, dead_lettered = claimed.applied, claimed.dead_lettered
                unapplied: list[uuid.UUID] = []
                seen: set[uuid.UUID] = set()
                run: list[tuple[ConsumerRecord, Message]] = []  # consecutive messages for one bulk handler
                for record, message, error in decoded:
                    if message is None:
                        await self._apply_run(uow, run, unapplied)
                        await self._dead_letter(uow, record, None, error or "undecodable")
                        continue
                    event_id = message.event_id
                    if event_id in seen or (applied and event_id in applied):
                        metrics.MESSAGES_DUPLICATE.labels(self.group).inc()
                        continue
                    seen.add(event_id)
                    if dead_lettered and event_id in dead_lettered and not _replayed(record):
                        unapplied.append(event_id)  # still dead-lettered: wait for a replay
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


def _replayed(record: ConsumerRecord) -> bool:
    """Whether an operator replayed this record on purpose (a dead-lettered message is applied then)."""
    return any(k == REPLAY_HEADER for k, _ in (record.headers or ()))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, Refused):
        return exc.message
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()
