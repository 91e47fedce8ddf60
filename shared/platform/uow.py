"""The transaction owner shared by every service.

One unit of work per inbound message batch or request, one commit. Events a change emits are
written to the outbox in the same transaction (no dual writes); message ids a consumer applied are
recorded in the same transaction as the effect (redelivery is harmless).
"""
from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Iterable

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import Message

from sqlalchemy import Table


class SqlUnitOfWork:
    """Base unit of work: services subclass it and build their repositories in ``bind``."""

    def __init__(self, sessionmaker: async_sessionmaker, platform: dict[str, Table]) -> None:
        self._sessionmaker = sessionmaker
        self._platform = platform
        self._pending: list[dict[str, Any]] = []
        self.session: AsyncSession

    def bind(self, session: AsyncSession) -> None:
        """Build repositories on the session (override in a service)."""

    async def __aenter__(self) -> "SqlUnitOfWork":
        self.session = self._sessionmaker()
        await self.session.begin()
        self._pending = []
        self.bind(self.session)
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            await self.session.close()

    # -- outbox -----------------------------------------------------------------------------
    def emit(self, message: Message, *, topic: str | None = None) -> None:
        """Queue an event for the outbox; it is written at commit, in the same transaction."""
        target = topic or message.topic
        if not target:
            raise ValueError(f"{message.type} has no topic")
        self._pending.append({
            "event_id": message.event_id, "topic": target, "key": message.key,
            "type": message.type, "payload": message.to_wire(),
        })

    async def flush_events(self) -> None:
        if self._pending:
            await self.session.execute(insert(self._platform["outbox"]), self._pending)
            self._pending = []

    # -- inbox ------------------------------------------------------------------------------
    async def processed_ids(self, group: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        ids = list(event_ids)
        if not ids:
            return set()
        table = self._platform["processed_messages"]
        rows = await self.session.execute(
            select(table.c.event_id).where(table.c.consumer_group == group, table.c.event_id.in_(ids)))
        return set(rows.scalars())

    async def mark_processed(self, group: str, event_ids: Iterable[uuid.UUID]) -> None:
        rows = [{"consumer_group": group, "event_id": i} for i in event_ids]
        if rows:
            table = self._platform["processed_messages"]
            await self.session.execute(pg_insert(table).on_conflict_do_nothing(), rows)

    async def dead_lettered_ids(self, group: str, event_ids: Iterable[str]) -> set[str]:
        ids = list(event_ids)
        if not ids:
            return set()
        table = self._platform["dead_letters"]
        rows = await self.session.execute(
            select(table.c.event_id).where(table.c.consumer_group == group, table.c.event_id.in_(ids)))
        return set(rows.scalars())

    async def record_dead_letter(self, **row: Any) -> None:
        await self.session.execute(insert(self._platform["dead_letters"]).values(**row))

    # -- transaction ------------------------------------------------------------------------
    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Apply one message inside a savepoint so a refused one leaves the batch's others intact."""
        pending_before = len(self._pending)
        nested = await self.session.begin_nested()
        try:
            yield
        except BaseException:
            await nested.rollback()
            del self._pending[pending_before:]
            raise
        else:
            await nested.commit()

    async def commit(self) -> None:
        await self.flush_events()
        await self.session.commit()

    async def rollback(self) -> None:
        self._pending = []
        await self.session.rollback()
