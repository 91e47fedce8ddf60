"""SQLAlchemy repository of the notify service. It never commits: the unit of work does."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .domain.policy import PENDING, RETRYING, SENDING
from .tables import notification_attempts, notifications

LISTED = (notifications.c.id, notifications.c.to_address, notifications.c.template, notifications.c.subject,
          notifications.c.body, notifications.c.status, notifications.c.attempts, notifications.c.created_at,
          notifications.c.sent_at, notifications.c.failed_at, notifications.c.last_error, notifications.c.reference,
          notifications.c.backend, notifications.c.next_attempt_at)


@dataclass(frozen=True)
class Claimed:
    """A notification this worker has claimed for one attempt (committed before sending)."""

    id: str
    to: str
    subject: str
    body: str
    template: str
    reference: str | None
    attempt: int
    #: The row was found in ``sending`` with its lease run out: an earlier process died mid-send.
    recovered: bool
    command: dict[str, Any]
    correlation_id: str | None


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **row: Any) -> bool:
        """Insert a new notification; False when the id is already known (a duplicate request)."""
        inserted = await self.session.scalar(
            pg_insert(notifications).values(**row).on_conflict_do_nothing().returning(notifications.c.id))
        return inserted is not None

    async def exists(self, notification_id: str) -> bool:
        return await self.session.scalar(
            select(func.count()).where(notifications.c.id == notification_id)) > 0

    async def claim_due(self, *, now: datetime, lease_until: datetime, backend: str, limit: int) -> list[Claimed]:
        """Lock due rows (skipping rows another worker holds) and mark them ``sending``."""
        rows = (await self.session.execute(
            select(notifications).where(
                notifications.c.status.in_((PENDING, RETRYING, SENDING)),
                notifications.c.next_attempt_at <= now)
            .order_by(notifications.c.next_attempt_at).limit(limit)
            .with_for_update(skip_locked=True))).mappings().all()
        claimed = []
        for r in rows:
            attempt = r["attempts"] + 1
            await self.session.execute(update(notifications).where(notifications.c.id == r["id"]).values(
                status=SENDING, attempts=attempt, next_attempt_at=lease_until, backend=backend, updated_at=now))
            if r["status"] == SENDING:  # the previous attempt's process died before recording it
                await self.session.execute(update(notification_attempts).where(
                    notification_attempts.c.notification_id == r["id"],
                    notification_attempts.c.outcome.is_(None)).values(
                    outcome="unknown", finished_at=now,
                    error="the service stopped before recording the outcome of this attempt"))
            await self.session.execute(pg_insert(notification_attempts).values(
                notification_id=r["id"], attempt=attempt, backend=backend, started_at=now))
            claimed.append(Claimed(id=r["id"], to=r["to_address"], subject=r["subject"], body=r["body"],
                                   template=r["template"], reference=r["reference"], attempt=attempt,
                                   recovered=r["status"] == SENDING, command=r["command"],
                                   correlation_id=r["correlation_id"]))
        return claimed

    async def finish(self, claimed: Claimed, *, now: datetime, outcome: str, error: str | None = None,
                     **changes: Any) -> bool:
        """Record the outcome of ``claimed``'s attempt; False when that attempt no longer owns the row
        (its lease ran out and another worker took over)."""
        result = await self.session.execute(update(notifications).where(
            notifications.c.id == claimed.id, notifications.c.status == SENDING,
            notifications.c.attempts == claimed.attempt).values(updated_at=now, **changes))
        if result.rowcount == 0:
            return False
        await self.session.execute(update(notification_attempts).where(
            notification_attempts.c.notification_id == claimed.id,
            notification_attempts.c.attempt == claimed.attempt).values(
            outcome=outcome, error=error, finished_at=now))
        return True

    async def search(self, *, recipient: str | None, reference: str | None, page: int,
                     per_page: int) -> tuple[list[dict[str, Any]], int]:
        where = []
        if recipient:
            where.append(func.lower(notifications.c.to_address) == recipient.strip().lower())
        if reference:
            where.append(notifications.c.reference == reference.strip())
        condition = and_(true(), *where)
        total = await self.session.scalar(select(func.count()).select_from(notifications).where(condition))
        rows = (await self.session.execute(
            select(*LISTED).where(condition)
            .order_by(notifications.c.created_at.desc(), notifications.c.id)
            .limit(per_page).offset((page - 1) * per_page))).mappings().all()
        return [dict(r) for r in rows], total or 0

    async def get(self, notification_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(*LISTED).where(notifications.c.id == notification_id))).mappings().first()
        return dict(row) if row else None

    async def attempts(self, notification_id: str) -> list[dict[str, Any]]:
        rows = (await self.session.execute(
            select(notification_attempts.c.attempt, notification_attempts.c.backend,
                   notification_attempts.c.started_at, notification_attempts.c.finished_at,
                   notification_attempts.c.outcome, notification_attempts.c.error)
            .where(notification_attempts.c.notification_id == notification_id)
            .order_by(notification_attempts.c.attempt))).mappings().all()
        return [dict(r) for r in rows]
