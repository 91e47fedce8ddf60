"""The transaction owner shared by every service.

One unit of work per inbound message batch or request, one commit. Events a change emits are
written to the outbox in the same transaction (no dual writes); message ids a consumer applied are
recorded in the same transaction as the effect (redelivery is harmless).
"""
from __future__ import annotations

import functools
import typing
import uuid
import weakref
from contextlib import asynccontextmanager
from json.encoder import encode_basestring_ascii as _json_string
from typing import Any, AsyncIterator, Callable, Iterable, NamedTuple

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import Message

# The outbox rows of one commit in one statement, written in the order they were emitted (ids
# follow that order, so per key the relay reads them in emit order). Two parameters: a JSON document
# of each row's short columns, ``[{"e": event id, "t": topic, "k": key, "y": type}, ...]``, joined
# from strings, and the payloads (JSON text already) as a text array, zipped by position. The
# payload column is ``json`` (migration ``upgrade_outbox_json``): PostgreSQL checks each payload's
# syntax once and stores the text as it is. With the payloads inside the document as ``jsonb``,
# PostgreSQL lexed each payload twice and built and sorted a jsonb value from it: 23.6 µs of
# PostgreSQL a row, now 13.6 (same-process A/B, 500 rows a statement, pending-list trigger included);
# the relay reads the text back without re-serialising it either.
_INSERT_OUTBOX = text(
    "INSERT INTO outbox (event_id, topic, key, type, payload) "
    "SELECT r.e, r.t, r.k, r.y, CAST(p.p AS json) FROM ROWS FROM "
    "(json_to_recordset(CAST(:rows AS json)) AS (e uuid, t text, k text, y text)) WITH ORDINALITY AS r(e, t, k, y, n) "
    "JOIN unnest(CAST(:payloads AS text[])) WITH ORDINALITY AS p(p, n) USING (n) ORDER BY n")

# The processed-message guard of one batch in one round trip: record every id as processed, and
# answer only the exceptions: the ids this group applied before (duplicates) and, of the new ones,
# those dead-lettered earlier (skipped unless replayed on purpose). A healthy batch answers no row
# at all; answering every new id cost a UUID and a result row an event (Python 7.8 -> 3.8 µs an
# event, PostgreSQL 14.5 -> 12.3, measured). The dead-letter look-up is one index probe per new id
# whatever the statistics say (LIMIT keeps the planner from turning it into a scan of the group's
# dead letters per id), and only when the group has dead letters at all (one probe a batch, checked
# once: a group without any, the usual case, spent 1.2 µs of PostgreSQL an id on the probes).
_CLAIM_MESSAGES = text(
    "WITH new AS (INSERT INTO processed_messages (consumer_group, event_id) "
    "SELECT :g, e FROM unnest(CAST(:ids AS uuid[])) AS e ON CONFLICT DO NOTHING RETURNING event_id) "
    "SELECT e AS event_id, false AS dead FROM unnest(CAST(:ids AS uuid[])) AS e "
    "WHERE e NOT IN (SELECT event_id FROM new) "
    "UNION ALL SELECT new.event_id, true FROM new CROSS JOIN LATERAL (SELECT 1 FROM dead_letters d "
    "WHERE d.consumer_group = :g AND d.event_id = new.event_id::text LIMIT 1) AS d "
    "WHERE EXISTS (SELECT FROM dead_letters WHERE consumer_group = :g)")
_FORGET_MESSAGES = text(
    "DELETE FROM processed_messages WHERE consumer_group = :g AND event_id = ANY(CAST(:ids AS uuid[]))")


class Claimed(NamedTuple):
    """What the processed-message guard says of a batch's ids; any id in neither set is new."""

    #: Applied by this group before: drop them (a redelivery).
    applied: frozenset[uuid.UUID]
    #: New, but dead-lettered by this group before: apply them only when replayed on purpose.
    dead_lettered: frozenset[uuid.UUID]


@functools.cache
def _repositories(cls: type) -> dict[str, type]:
    """The repositories ``cls`` and its bases below ``SqlUnitOfWork`` annotate: name -> class."""
    found: dict[str, type] = {}
    for klass in reversed(cls.__mro__[:cls.__mro__.index(SqlUnitOfWork)]):
        hints = typing.get_type_hints(klass)
        found.update({name: hints[name] for name in vars(klass).get("__annotations__", {})
                      if isinstance(hints[name], type)})
    return found


_COMMIT_LISTENERS: "weakref.WeakKeyDictionary[Any, list[Callable[[], None]]]" = weakref.WeakKeyDictionary()


def on_events_committed(engine, listener: Callable[[], None]) -> None:
    """Call ``listener`` after every commit through ``engine`` that wrote outbox rows (the service's
    relay wakes at once instead of waiting for its next poll)."""
    _COMMIT_LISTENERS.setdefault(getattr(engine, "sync_engine", engine), []).append(listener)


class SqlUnitOfWork:
    """Base unit of work. A service subclasses it naming its platform tables (``outbox``,
    ``processed_messages``) once, ``class ClaimsUnitOfWork(SqlUnitOfWork, platform=platform)``, and
    annotates its repositories, ``claims: ClaimRepository``: each annotated class is built on the
    transaction's session when the unit of work is entered (``bind``; override it to build more)."""

    _platform_tables: dict[str, Table] | None = None

    def __init_subclass__(cls, platform: dict[str, Table] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if platform is not None:
            cls._platform_tables = platform

    def __init__(self, sessionmaker: async_sessionmaker, platform: dict[str, Table] | None = None) -> None:
        self._sessionmaker = sessionmaker
        self._platform = self._platform_tables if platform is None else platform
        if self._platform is None:
            raise TypeError(f"{type(self).__name__} names no platform tables")
        self._pending: list[str] = []
        self._payloads: list[str] = []
        self._wrote_events = False
        self.session: AsyncSession

    def bind(self, session: AsyncSession) -> None:
        """Build the subclasses' annotated repositories on the session."""
        for name, repository in _repositories(type(self)).items():
            setattr(self, name, repository(session))

    async def __aenter__(self) -> "SqlUnitOfWork":
        self.session = self._sessionmaker()
        await self.session.begin()
        self._pending = []
        self._payloads = []
        self._wrote_events = False
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
        # The wire form (``Message.to_wire``: the type first, then the fields in JSON mode), but
        # serialised by pydantic's own JSON encoder instead of a dict and json.dumps; queued with
        # the row's element of the outbox document (``_INSERT_OUTBOX``).
        body = message.model_dump_json()
        name = type(message).__name__
        key = message.key
        # The event id is every message's first field, so its text is already in the body
        # (``str(uuid)`` costs 0.7 µs).
        event_id = body[13:49] if body.startswith('{"event_id":"') else str(message.event_id)
        self._payloads.append(f'{{"type":"{name}",{body[1:]}')
        self._pending.append(f'{{"e":"{event_id}","t":{_json_string(target)},'
                             f'"k":{"null" if key is None else _json_string(key)},"y":"{name}"}}')

    async def flush_events(self) -> None:
        if self._pending:
            rows, self._pending = self._pending, []
            payloads, self._payloads = self._payloads, []
            self._wrote_events = True
            await self.session.execute(_INSERT_OUTBOX, {"rows": f"[{','.join(rows)}]", "payloads": payloads})

    def events_written(self) -> None:
        """Say that outbox rows were written by SQL in this transaction (set-based paths), so the
        commit wakes the relay as it does for ``emit``."""
        self._wrote_events = True

    # -- inbox ------------------------------------------------------------------------------
    async def claim_messages(self, group: str, event_ids: Iterable[uuid.UUID]) -> Claimed:
        """Record ``event_ids`` as processed by ``group`` in this transaction and say which of them
        it had applied before and which, though new, it dead-lettered before. A message that ends
        up dead-lettered instead of applied is taken back out with ``forget_messages``; a rollback
        takes them all back."""
        ids = list(dict.fromkeys(event_ids))
        if not ids:
            return Claimed(frozenset(), frozenset())
        rows = (await self.session.execute(_CLAIM_MESSAGES, {"g": group, "ids": ids})).all()
        return Claimed(frozenset(event_id for event_id, dead in rows if not dead),
                       frozenset(event_id for event_id, dead in rows if dead))

    async def forget_messages(self, group: str, event_ids: Iterable[uuid.UUID]) -> None:
        """Take ids back out of ``processed_messages`` (dead-lettered, so a replay applies them)."""
        ids = list(event_ids)
        if ids:
            await self.session.execute(_FORGET_MESSAGES, {"g": group, "ids": ids})

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
            del self._payloads[pending_before:]
            raise
        else:
            await nested.commit()

    async def commit(self) -> None:
        await self.flush_events()
        await self.session.commit()
        if self._wrote_events:
            self._wrote_events = False
            bind = self.session.bind
            for listener in _COMMIT_LISTENERS.get(getattr(bind, "sync_engine", bind), ()):
                listener()

    async def rollback(self) -> None:
        self._pending = []
        self._payloads = []
        await self.session.rollback()
