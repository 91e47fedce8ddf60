"""Database access shared by every service: engine factory and the platform's own tables.

Each service owns one PostgreSQL database. Beside its own tables it holds four platform tables:
``outbox`` (events to publish, written in the same transaction as the change that caused them,
kept after publishing for ``outbox republish``), ``outbox_pending`` (the ids of the outbox rows
not yet published: a trigger adds each new row's id, the relay deletes it after the broker's ack),
``processed_messages`` (ids of messages a consumer group has applied, written in the same
transaction as the effect) and ``dead_letters`` (messages a group gave up on, so a redelivery
does not dead-letter them twice).

Logs and errors never carry a statement's parameters (claim references, names, email addresses,
and one per row of an upload): engines are made with ``hide_parameters=True``, and the text of a
statement quoted in an error is cut to ``MAX_ERROR_SQL_CHARS`` (a statement built for 200,000 rows
once made a 7 MB log line).
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text,
                        event, func)
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.dialects.postgresql import JSON, UUID
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine


#: How much of a failed statement's SQL an error (and so a log line) quotes.
MAX_ERROR_SQL_CHARS = 1000


def containing(typed: str) -> str:
    """A LIKE pattern for the values that contain ``typed``: its ``%``, ``_`` and ``\\`` match
    themselves, not any text."""
    return "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """An engine whose pool hands out only live connections, without a round trip per checkout.

    The pool holds up to twice ``pool_size`` connections, opened as they are needed and then kept:
    SQLAlchemy's overflow connections are closed at every check-in, so a busy service reconnected,
    re-read PostgreSQL's types and re-prepared its statements on most requests (a third of claims'
    CPU on the school peak).

    SQLAlchemy's ``pool_pre_ping`` costs three round trips on asyncpg (BEGIN, a ping, ROLLBACK)
    every time a request or message batch takes a connection. Instead, a connection whose socket
    the server closed (a restart, a terminated backend) is noticed by asyncpg as soon as the event
    loop reads the close, and is replaced at checkout. A connection that dies while in use raises a
    disconnect error, which makes SQLAlchemy discard every pooled connection older than it
    (consumers and the relay retry such transient errors).

    Statement parameters are never logged nor shown in errors (``hide_parameters``), and an error
    quotes at most ``MAX_ERROR_SQL_CHARS`` of the statement's SQL."""
    engine = create_async_engine(url, pool_size=2 * pool_size, max_overflow=0, pool_recycle=1800, echo=echo,
                                 hide_parameters=True)
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    event.listen(engine.sync_engine, "handle_error", shorten_statement)
    return engine


def shorten_statement(context: ExceptionContext) -> None:
    """Cut the SQL an error quotes to ``MAX_ERROR_SQL_CHARS``, saying how much was left out."""
    error = context.sqlalchemy_exception
    statement = getattr(error, "statement", None)
    if statement and len(statement) > MAX_ERROR_SQL_CHARS:
        rest = len(statement) - MAX_ERROR_SQL_CHARS
        error.statement = f"{statement[:MAX_ERROR_SQL_CHARS]} … ({rest:,} more characters)"


def _refuse_closed_connection(dbapi_connection, connection_record, connection_proxy) -> None:
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the server closed this connection")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def add_platform_tables(metadata: MetaData) -> dict[str, Table]:
    """Add the outbox, pending, processed-messages and dead-letter tables to a service's metadata."""
    outbox = Table(
        "outbox", metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=True),
        Column("type", String(100), nullable=False),
        # json, not jsonb: stored and read back as the text written (migrations.upgrade_outbox_json)
        Column("payload", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    Index("ix_outbox_created_at", outbox.c.created_at, postgresql_using="brin")
    # Filled by the trigger of migrations.upgrade_outbox_pending, emptied by the relay.
    pending = Table("outbox_pending", metadata, Column("id", BigInteger, primary_key=True, autoincrement=False))
    processed = Table(
        "processed_messages", metadata,
        Column("consumer_group", String(200), primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    dead = Table(
        "dead_letters", metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("consumer_group", String(200), nullable=False),
        Column("event_id", String(64), nullable=True),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("error", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    Index("ix_dead_letters_event", dead.c.consumer_group, dead.c.event_id)
    return {"outbox": outbox, "outbox_pending": pending, "processed_messages": processed, "dead_letters": dead}
