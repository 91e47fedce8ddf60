"""Public download links (provider sampling CSV, payer payment and clawback CSVs).

Rules: a link is unguessable (256 random bits), names its owning service in a prefix so the
gateway can route it (``sampling-...``, ``payments-...``), works until it expires (7 days by
default) and for ONE download, and can be revoked (a resend revokes the older link). Only a
SHA-256 of the token is stored, so the database never holds a usable link. Using a link is one
atomic UPDATE, so two clicks at the same moment download once.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, LargeBinary, MetaData, String, Table, Text, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

LINK_LIFETIME = timedelta(days=7)


def add_links_table(metadata: MetaData) -> Table:
    return Table(
        "download_links", metadata,
        Column("token_hash", String(64), primary_key=True),
        Column("kind", String(40), nullable=False),  # provider_sampling | payer_payment | payer_clawback
        Column("subject_id", String(64), nullable=False, index=True),  # e.g. provider sampling id, payment id
        Column("recipient", String(320), nullable=True),
        Column("file_name", String(200), nullable=False),
        Column("content", LargeBinary, nullable=True),  # the CSV, frozen when the link is made
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Column("used_at", DateTime(timezone=True), nullable=True),
        Column("revoked_at", DateTime(timezone=True), nullable=True),
        Column("note", Text, nullable=True),
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(service: str) -> str:
    return f"{service}-{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class LinkOutcome:
    """``status`` is ok, expired, used, revoked or unknown; ``row`` is the link when ok."""

    status: str
    row: dict[str, Any] | None = None


async def create_link(session: AsyncSession, table: Table, *, service: str, kind: str, subject_id: str,
                      file_name: str, content: bytes | None, now: datetime, recipient: str | None = None,
                      lifetime: timedelta = LINK_LIFETIME) -> tuple[str, datetime]:
    """Store a new link; returns the token (to put in the email, never stored) and its expiry."""
    token = new_token(service)
    expires = now + lifetime
    await session.execute(table.insert().values(token_hash=hash_token(token), kind=kind, subject_id=subject_id,
                                                recipient=recipient, file_name=file_name, content=content,
                                                created_at=now, expires_at=expires))
    return token, expires


async def revoke_links(session: AsyncSession, table: Table, *, kind: str, subject_id: str, now: datetime) -> None:
    await session.execute(update(table).where(table.c.kind == kind, table.c.subject_id == subject_id,
                                              table.c.used_at.is_(None), table.c.revoked_at.is_(None))
                          .values(revoked_at=now))


async def use_link(session: AsyncSession, table: Table, token: str, *, now: datetime) -> LinkOutcome:
    """Spend the link: succeeds once, atomically; otherwise says why not."""
    token_hash = hash_token(token)
    row = (await session.execute(
        update(table).where(table.c.token_hash == token_hash, table.c.used_at.is_(None),
                            table.c.revoked_at.is_(None), table.c.expires_at > now)
        .values(used_at=now).returning(*table.c))).mappings().first()
    if row is not None:
        return LinkOutcome("ok", dict(row))
    existing = (await session.execute(select(table).where(table.c.token_hash == token_hash))).mappings().first()
    if existing is None:
        return LinkOutcome("unknown")
    if existing["revoked_at"] is not None:
        return LinkOutcome("revoked")
    if existing["used_at"] is not None:
        return LinkOutcome("used")
    return LinkOutcome("expired")


async def link_status(session: AsyncSession, table: Table, token: str, *, now: datetime) -> str:
    """What ``use_link`` would say, without spending the link: ok, expired, used, revoked or unknown
    (the gateway shows the page that fits before anyone presses the download button)."""
    row = (await session.execute(select(table.c.expires_at, table.c.used_at, table.c.revoked_at)
                                 .where(table.c.token_hash == hash_token(token)))).first()
    if row is None:
        return "unknown"
    if row.revoked_at is not None:
        return "revoked"
    if row.used_at is not None:
        return "used"
    return "ok" if row.expires_at > now else "expired"


def download_response(status: str, *, file_name: str | None, content: bytes | None, gone: dict[str, str]):
    """The internal API's answer to a link: the CSV once (``status == "ok"``), otherwise 410 with the
    audience's words for why (``gone`` maps used/expired/revoked/unknown to a message)."""
    from fastapi.responses import JSONResponse, Response

    if status != "ok":
        return JSONResponse({"errors": [{"message": gone[status]}], "reason": status}, status_code=410,
                            headers={"Cache-Control": "no-store"})
    return Response(content or b"", media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file_name}"', "Cache-Control": "no-store"})
