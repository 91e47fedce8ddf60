"""The gateway's own tables: people who sign in and their browser sessions. Nothing else —
claims, providers and everything else live in the services that own them."""
from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Index, MetaData, String, Table,
                        func)

from shared.contracts.roles import USER_ROLES
from shared.platform.db import add_platform_tables

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(20), nullable=False),
    Column("school_urn", String(20), nullable=True),
    Column("trust_id", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(f"role IN ({', '.join(repr(role) for role in USER_ROLES)})", name="ck_users_role"),
)

#: Browser sessions; the cookie holds a random id, the row holds its CSRF token, so signing out
#: (deleting the row) ends the session everywhere at once.
sessions = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's random value
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
Index("ix_sessions_expires_at", sessions.c.expires_at)

# The platform floor expects an outbox; the gateway publishes nothing, so it stays empty.
add_platform_tables(metadata)
