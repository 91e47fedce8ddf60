"""What the school journey needs beyond the claims repository (docs/design.md §11): a draft's mentors replaced
and the draft deleted, mentors already claimed in a window, a school's earlier mentors, the ECF mentors'
TRNs, and the claims whose invalid-provider reminder is due. It never commits: the unit of work does."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.claim_status import ClaimStatus

from .tables import claim_mentors, claims, ecf_mentors, schools


class SchoolClaimsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replace_mentors(self, reference: str, mentors: list[dict[str, Any]]) -> None:
        await self.session.execute(delete(claim_mentors).where(claim_mentors.c.claim_reference == reference))
        if mentors:
            await self.session.execute(claim_mentors.insert(), mentors)

    async def delete(self, reference: str) -> None:
        await self.session.execute(delete(claims).where(claims.c.reference == reference))

    async def claimed_in_window(self, *, school_urn: str, claim_window_id: str, provider_id: str,
                                trns: Iterable[str], excluding: str | None) -> set[str]:
        """The TRNs among ``trns`` on another claim of the school, window and provider that left draft."""
        query = (select(claim_mentors.c.trn).join(claims, claims.c.reference == claim_mentors.c.claim_reference)
                 .where(claims.c.school_urn == school_urn, claims.c.claim_window_id == claim_window_id,
                        claim_mentors.c.provider_id == provider_id, claim_mentors.c.trn.in_(list(trns)),
                        claims.c.status != ClaimStatus.DRAFT.value))
        if excluding:
            query = query.where(claims.c.reference != excluding)
        return set((await self.session.execute(query)).scalars())

    async def school_mentors(self, school_urn: str) -> list[dict[str, str]]:
        """The mentors of the school's earlier claims (each TRN once, with its latest name), by name."""
        rows = await self.session.execute(
            select(claim_mentors.c.trn, claim_mentors.c.full_name)
            .join(claims, claims.c.reference == claim_mentors.c.claim_reference)
            .where(claims.c.school_urn == school_urn)
            .order_by(claims.c.created_at.desc()))
        latest: dict[str, str] = {}
        for r in rows:
            latest.setdefault(r.trn, r.full_name)
        return sorted(({"trn": t, "full_name": n} for t, n in latest.items()),
                      key=lambda m: (m["full_name"].lower(), m["trn"]))

    async def ecf_trns(self, trns: Iterable[str]) -> set[str]:
        wanted = list(trns)
        if not wanted:
            return set()
        return set((await self.session.execute(select(ecf_mentors.c.trn).where(ecf_mentors.c.trn.in_(wanted))))
                   .scalars())

    async def add_ecf_mentor(self, trn: str, at: datetime) -> None:
        await self.session.execute(pg_insert(ecf_mentors).values(trn=trn, registered_at=at)
                                   .on_conflict_do_nothing(index_elements=[ecf_mentors.c.trn]))

    async def due_reminders(self, now: datetime, *, limit: int = 100) -> list[dict[str, Any]]:
        """Claims whose invalid-provider reminder is due, locked (others running the same sweep skip them)."""
        rows = await self.session.execute(
            select(claims).where(claims.c.reminder_due_at <= now,
                                 claims.c.status == ClaimStatus.INVALID_PROVIDER.value)
            .order_by(claims.c.reminder_due_at).limit(limit).with_for_update(skip_locked=True))
        return [dict(r) for r in rows.mappings()]

    async def move_reminder(self, reference: str, due_at: datetime | None) -> None:
        await self.session.execute(update(claims).where(claims.c.reference == reference)
                                   .values(reminder_due_at=due_at, updated_at=func.now()))

    async def trust_schools(self, trust_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(select(schools.c.urn, schools.c.name, schools.c.region)
                                          .where(schools.c.trust_id == trust_id).order_by(schools.c.name))
        return [dict(r) for r in rows.mappings()]
