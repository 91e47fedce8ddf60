"""Set-based reads and writes of claims for the bulk fact handlers (``handlers/sampled.py``): one
locking read, one UPDATE and one history INSERT for a whole run. Like every repository here it
never commits and never writes the outbox: the unit of work does both."""
from __future__ import annotations

from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import status_changes


class BulkClaims:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, references: list[str]) -> dict[str, Any]:
        rows = await self.session.execute(text(
            "SELECT reference, status, provider_id, amount FROM claims WHERE reference = ANY(:refs)"
            " ORDER BY reference FOR UPDATE"), {"refs": references})
        return {r.reference: r for r in rows}

    async def sample(self, references: list[str], statuses: list[str], reasons: list[str]) -> None:
        await self.session.execute(text(
            "UPDATE claims AS c SET status = u.status, sample_reason = u.reason, updated_at = now()"
            " FROM unnest(CAST(:refs AS text[]), CAST(:statuses AS text[]), CAST(:reasons AS text[]))"
            " AS u(ref, status, reason) WHERE c.reference = u.ref"),
            {"refs": references, "statuses": statuses, "reasons": reasons})

    async def add_history(self, rows: list[dict[str, Any]]) -> None:
        await self.session.execute(insert(status_changes), rows)

    async def statuses(self, references: list[str]) -> dict[str, str]:
        return dict((await self.session.execute(
            text("SELECT reference, status FROM claims WHERE reference = ANY(CAST(:refs AS text[]))"),
            {"refs": references})).all())
