"""The notify service's tables (its own database; no other service reads them).

``notifications`` holds one row per notification id (the idempotency key) with the rendered email
and its delivery state; ``notification_attempts`` one row per call to a backend, so support can
see every attempt and its outcome; ``local_outbox`` is the mailbox of the ``outbox`` backend (the
embedded default), where "sending" an email means storing it for support to read.
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, MetaData,
                        String, Table, Text, func, text)
from sqlalchemy.dialects.postgresql import JSONB

from shared.platform.db import add_platform_tables

from .domain.policy import STATUSES

metadata = MetaData()
platform = add_platform_tables(metadata)

notifications = Table(
    "notifications", metadata,
    Column("id", Text, primary_key=True),  # the sender's notification_id
    Column("to_address", String(320), nullable=False),
    Column("template", String(100), nullable=False),
    Column("reference", String(200), nullable=True),
    Column("personalisation", JSONB, nullable=False, server_default="{}"),
    Column("subject", Text, nullable=False, server_default=""),
    Column("body", Text, nullable=False, server_default=""),
    Column("status", String(16), nullable=False),
    Column("backend", String(32), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    #: When a pending or retrying row is due; for a sending row, when its lease runs out.
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("provider_message_id", String(300), nullable=True),
    Column("command", JSONB, nullable=False),  # the SendNotification as received (for dead letters)
    Column("correlation_id", String(100), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("failed_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="ck_notifications_status"),
)
Index("ix_notifications_due", notifications.c.next_attempt_at,
      postgresql_where=text("status IN ('pending', 'retrying', 'sending')"))
Index("ix_notifications_recipient", func.lower(notifications.c.to_address), notifications.c.created_at.desc())
Index("ix_notifications_reference", notifications.c.reference, notifications.c.created_at.desc())
Index("ix_notifications_created", notifications.c.created_at.desc())

notification_attempts = Table(
    "notification_attempts", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("notification_id", Text, ForeignKey("notifications.id", ondelete="CASCADE"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("backend", String(32), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    #: sent | already_sent | transient | permanent; empty while the attempt is under way (or its
    #: process died before recording it).
    Column("outcome", String(16), nullable=True),
    Column("error", Text, nullable=True),
)
Index("ix_attempts_notification", notification_attempts.c.notification_id, notification_attempts.c.attempt,
      unique=True)

local_outbox = Table(
    "local_outbox", metadata,
    Column("notification_id", Text, primary_key=True),
    Column("to_address", String(320), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
