"""The activity log (DESIGN §3): every action with who, when, what and the files involved. Like
every repository here it never commits: the unit of work does."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import activity


_INSERT_ACTIVITY = text(
    "INSERT INTO activity (event_id, occurred_at, actor_email, actor_role, title, action, source,"
    " claim_references, files)"
    " SELECT u.event_id, u.occurred_at, u.actor_email, u.actor_role, u.title, u.action, u.source,"
    "  ARRAY(SELECT jsonb_array_elements_text(CAST(u.refs AS jsonb))), CAST(u.files AS jsonb)"
    " FROM unnest(CAST(:event_ids AS text[]), CAST(:occurred_ats AS timestamptz[]), CAST(:actor_emails AS text[]),"
    "  CAST(:actor_roles AS text[]), CAST(:titles AS text[]), CAST(:actions AS text[]), CAST(:sources AS text[]),"
    "  CAST(:references AS text[]), CAST(:files AS text[]))"
    "  AS u(event_id, occurred_at, actor_email, actor_role, title, action, source, refs, files)"
    " ON CONFLICT (event_id) DO NOTHING")


class ActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_many(self, rows: list[dict[str, Any]]) -> None:
        """Store entries once each (an entry delivered again is ignored by its event id).

        One INSERT ... SELECT FROM unnest of column arrays for the whole run: an executemany would
        run one statement per entry on the server, and a multi-row VALUES costs SQLAlchemy a fresh
        compile per run length. The claim references and files travel as JSON text per entry."""
        if not rows:
            return
        await self.session.execute(_INSERT_ACTIVITY, {
            "event_ids": [r["event_id"] for r in rows], "occurred_ats": [r["occurred_at"] for r in rows],
            "actor_emails": [r["actor_email"] for r in rows], "actor_roles": [r["actor_role"] for r in rows],
            "titles": [r["title"] for r in rows], "actions": [r["action"] for r in rows],
            "sources": [r["source"] for r in rows],
            "references": [json.dumps(list(r["claim_references"])) for r in rows],
            "files": [json.dumps(r["files"]) for r in rows]})

    async def page(self, *, page: int = 1, per_page: int = 25, reference: str | None = None
                   ) -> tuple[list[dict[str, Any]], int]:
        where = [activity.c.claim_references.contains([reference])] if reference else []
        rows = await self.session.execute(select(activity).where(and_(True, *where))
                                          .order_by(activity.c.occurred_at.desc(), activity.c.id.desc())
                                          .limit(per_page).offset((page - 1) * per_page))
        total = await self.session.scalar(select(func.count()).select_from(activity).where(and_(True, *where)))
        return [dict(r) for r in rows.mappings()], total or 0
