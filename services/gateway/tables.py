"""The gateway's own tables: people who sign in, their browser sessions, their invitations and
pending user imports. Nothing else — claims, providers and everything else live in the services
that own them."""
from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index, MetaData,
                        String, Table, func, true)
from sqlalchemy.dialects.postgresql import ARRAY

from shared.contracts.roles import USER_ROLES
from shared.platform.db import add_platform_tables

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    # None until an invited user sets a password through their invitation link (docs/design.md §14).
    Column("password_hash", String(255), nullable=True),
    Column("role", String(20), nullable=False),
    Column("school_urn", String(20), nullable=True),
    Column("trust_id", String(64), nullable=True),
    Column("first_name", String(100), nullable=True),
    Column("last_name", String(100), nullable=True),
    #: A provider user's accredited provider ids (docs/design.md §12); empty for every other role.
    Column("provider_ids", ARRAY(String(64)), nullable=False, server_default="{}"),
    #: A deactivated user cannot sign in; their sessions are deleted and their API tokens refused.
    Column("active", Boolean, nullable=False, server_default=true()),
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

#: Set-password links sent by email (single use, 72 hours). Only a SHA-256 of the token is kept,
#: so the table never holds a usable link; a new invitation revokes the user's older ones.
invitations = Table(
    "invitations", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

#: A validated users CSV waiting for support to confirm it (nothing is created before).
user_imports = Table(
    "user_imports", metadata,
    Column("id", String(36), primary_key=True),
    Column("file_name", String(200), nullable=False),
    Column("rows", JSON, nullable=False),  # the validated users, as POST /api/v1/users bodies
    Column("created_by", String(320), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
)

# The outbox carries the invitation emails (SendNotification) to notify, written in the same
# transaction as the user and the invitation.
platform = add_platform_tables(metadata)
