"""SQL rows of participants (statuses, cohorts, duplicates), frozen cohorts, statement notes and
deadline reminders: a part of ``EcfRepository`` (it never commits)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.platform.db import containing

from ..repository import among

from .domain.declarations import Participant
from .domain.participants import StatusChange, status_of
from .rows import as_uuid, row_by_id
from .tables import (deadline_reminders, declarations, frozen_cohorts, milestones, participant_status_changes,
                     participants, schedules, statement_notes)


class ParticipantRows:
    session: AsyncSession

    # ---------------------------------------------------------------- participants
    async def add_participant(self, participant: Participant, *, trn: str, full_name: str, now: datetime,
                              date_of_birth: date | None = None, induction_start_date: date | None = None) -> None:
        await self.session.execute(insert(participants).values(
            id=participant.id, lead_provider_id=participant.lead_provider_id, cohort=participant.cohort,
            schedule_identifier=participant.schedule_identifier, trn=trn, full_name=full_name,
            course_identifier=participant.course_identifier, pupil_premium_uplift=participant.pupil_premium_uplift,
            sparsity_uplift=participant.sparsity_uplift, funding_eligible=participant.funding_eligible,
            date_of_birth=date_of_birth, induction_start_date=induction_start_date,
            cohort_confirmed=participant.cohort_confirmed, created_at=now, updated_at=now))

    async def participant(self, id: object, *, for_update: bool = False) -> Participant | None:
        r = await row_by_id(self.session, participants, id, for_update=for_update)
        if r is None:
            return None
        changes = await self.status_changes([r["id"]])
        return _participant(r, changes.get(r["id"], ()))

    async def status_changes(self, ids: Sequence[str]) -> dict[str, tuple[StatusChange, ...]]:
        if not ids:
            return {}
        rows = await self.session.execute(
            select(participant_status_changes).where(among(participant_status_changes.c.participant_id, ids))
            .order_by(participant_status_changes.c.at, participant_status_changes.c.id))
        out: dict[str, list[StatusChange]] = {}
        for r in rows.mappings():
            out.setdefault(r["participant_id"], []).append(StatusChange(r["status"], r["at"], r["reason"]))
        return {k: tuple(v) for k, v in out.items()}

    async def participant_rows(self, *, lead_provider_id: str | None = None, q: str | None = None,
                               ids: Sequence[str] | None = None, cohort: int | None = None,
                               updated_since: datetime | None = None, page: int = 1,
                               per_page: int = 100) -> tuple[list[dict[str, Any]], int]:
        """Participants as rows (for the v3 list and finance's search), oldest first, with their
        status changes under ``"changes"``."""
        where = []
        if lead_provider_id is not None:
            where.append(participants.c.lead_provider_id == lead_provider_id)
        if ids is not None:
            where.append(among(participants.c.id, ids))
        if cohort is not None:
            where.append(participants.c.cohort == cohort)
        if updated_since is not None:
            where.append(participants.c.updated_at >= updated_since)
        if q:
            text = q.strip()
            key = as_uuid(text)
            like = containing(text.lower())
            where.append(or_(participants.c.trn == text, func.lower(participants.c.full_name).like(like),
                             *([participants.c.id == key] if key else [])))
        condition = and_(*where) if where else True
        total = (await self.session.execute(select(func.count()).select_from(participants).where(condition))).scalar()
        rows = (await self.session.execute(
            select(participants).where(condition).order_by(participants.c.created_at, participants.c.id)
            .limit(per_page).offset((page - 1) * per_page))).mappings().all()
        changes = await self.status_changes([r["id"] for r in rows])
        return [{**dict(r), "changes": changes.get(r["id"], ())} for r in rows], int(total or 0)

    async def set_funding_eligible(self, participant_id: str, *, now: datetime) -> None:
        await self.session.execute(update(participants).where(participants.c.id == participant_id)
                                   .values(funding_eligible=True, updated_at=now))

    async def retire_participant(self, participant_id: str, *, into: str, now: datetime) -> int:
        """Point the duplicate at the participant kept and move every declaration to it."""
        await self.session.execute(update(participants).where(participants.c.id == participant_id)
                                   .values(retired_into=into, updated_at=now))
        moved = await self.session.execute(update(declarations).where(declarations.c.participant_id == participant_id)
                                           .values(participant_id=into, updated_at=now))
        return moved.rowcount or 0

    async def add_status_change(self, participant_id: str, change: StatusChange, *, status: str) -> None:
        await self.session.execute(insert(participant_status_changes).values(
            participant_id=participant_id, status=change.status, reason=change.reason, at=change.at))
        await self.session.execute(update(participants).where(participants.c.id == participant_id)
                                   .values(status=status, updated_at=change.at))

    async def set_schedule(self, participant_id: str, *, schedule_identifier: str, cohort: int, now: datetime,
                           cohort_confirmed: bool | None = None, induction_start_date: date | None = None) -> None:
        values: dict[str, Any] = {"schedule_identifier": schedule_identifier, "cohort": cohort, "updated_at": now}
        if cohort_confirmed is not None:
            values["cohort_confirmed"] = cohort_confirmed
        if induction_start_date is not None:
            values["induction_start_date"] = induction_start_date
        await self.session.execute(update(participants).where(participants.c.id == participant_id).values(**values))

    async def move_declarations_cohort(self, participant_id: str, *, cohort: int, now: datetime) -> None:
        """A participant's voided declarations follow it to its new cohort (they are history only)."""
        await self.session.execute(update(declarations).where(declarations.c.participant_id == participant_id)
                                   .values(cohort=cohort, updated_at=now))

    async def participant_ids_of_cohort(self, cohort: int) -> list[str]:
        rows = await self.session.execute(select(participants.c.id).where(
            participants.c.cohort == cohort, participants.c.retired_into.is_(None)).order_by(participants.c.id))
        return [r.id for r in rows]

    async def duplicate_candidates(self) -> list[dict[str, Any]]:
        """Pairs of participants not yet retired sharing a TRN, or a full name and date of birth."""
        a, b = participants.alias("a"), participants.alias("b")
        same = or_(a.c.trn == b.c.trn, and_(func.lower(a.c.full_name) == func.lower(b.c.full_name),
                                            a.c.date_of_birth.is_not(None), a.c.date_of_birth == b.c.date_of_birth))
        rows = await self.session.execute(
            select(a.c.id.label("id"), b.c.id.label("other_id"),
                   (a.c.trn == b.c.trn).label("same_trn"))
            .where(a.c.id < b.c.id, a.c.retired_into.is_(None), b.c.retired_into.is_(None), same)
            .order_by(a.c.id, b.c.id).limit(500))
        return [dict(r) for r in rows.mappings()]

    async def mentor_funded_types(self, trn: str | None, *, other_than: str) -> frozenset[str]:
        """Mentor declaration types funded (eligible, payable or paid) for this TRN on other participant
        records, with any lead provider."""
        if not trn:
            return frozenset()
        rows = await self.session.execute(
            select(declarations.c.declaration_type).distinct()
            .join(participants, participants.c.id == declarations.c.participant_id)
            .where(participants.c.trn == trn, participants.c.id != other_than,
                   declarations.c.course_identifier == "ecf-mentor",
                   declarations.c.state.in_(("eligible", "payable", "paid"))))
        return frozenset(r.declaration_type for r in rows)

    async def trn_of(self, participant_id: str) -> str | None:
        return (await self.session.execute(select(participants.c.trn).where(participants.c.id == participant_id))).scalar()

    async def all_schedules(self) -> list[dict[str, Any]]:
        """Every schedule with its milestones, by cohort and identifier."""
        heads = (await self.session.execute(select(schedules.c.id, schedules.c.identifier, schedules.c.cohort)
                                            .order_by(schedules.c.cohort, schedules.c.identifier))).mappings().all()
        rows = await self.session.execute(select(milestones).order_by(milestones.c.start_date))
        by_schedule: dict[str, list[dict[str, Any]]] = {}
        for m in rows.mappings():
            by_schedule.setdefault(m["schedule_id"], []).append({
                "declaration_type": m["declaration_type"], "start_date": m["start_date"].isoformat(),
                "milestone_date": m["milestone_date"].isoformat() if m["milestone_date"] else None})
        return [{"identifier": h["identifier"], "cohort": h["cohort"], "milestones": by_schedule.get(h["id"], [])}
                for h in heads]

    # ---------------------------------------------------------------- frozen cohorts
    async def frozen_cohorts(self) -> frozenset[int]:
        return frozenset(r.cohort for r in await self.session.execute(select(frozen_cohorts.c.cohort)))

    async def freeze_cohort(self, cohort: int, *, now: datetime, by: str | None) -> bool:
        done = await self.session.execute(pg_insert(frozen_cohorts).values(cohort=cohort, frozen_at=now, frozen_by=by)
                                          .on_conflict_do_nothing().returning(frozen_cohorts.c.cohort))
        return done.first() is not None

    # ---------------------------------------------------------------- statement notes
    async def add_note(self, statement_id: str, *, text: str, by: str | None, now: datetime) -> None:
        await self.session.execute(insert(statement_notes).values(statement_id=statement_id, text=text,
                                                                  created_by=by, created_at=now))

    async def notes(self, statement_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(select(statement_notes.c.text, statement_notes.c.created_by,
                                                 statement_notes.c.created_at)
                                          .where(statement_notes.c.statement_id == statement_id)
                                          .order_by(statement_notes.c.created_at, statement_notes.c.id))
        return [dict(r) for r in rows.mappings()]

    # ---------------------------------------------------------------- deadline reminders
    async def claim_reminder(self, statement_id: str, kind: str, *, now: datetime) -> bool:
        """True for the one caller that records this reminder first (restarts and replicas included)."""
        done = await self.session.execute(pg_insert(deadline_reminders)
                                          .values(statement_id=statement_id, kind=kind, sent_at=now)
                                          .on_conflict_do_nothing().returning(deadline_reminders.c.kind))
        return done.first() is not None


def _participant(r: Any, changes: tuple[StatusChange, ...]) -> Participant:
    return Participant(id=r["id"], lead_provider_id=r["lead_provider_id"], cohort=r["cohort"],
                       schedule_identifier=r["schedule_identifier"], course_identifier=r["course_identifier"],
                       funding_eligible=r["funding_eligible"], pupil_premium_uplift=r["pupil_premium_uplift"],
                       sparsity_uplift=r["sparsity_uplift"], retired_into_id=r["retired_into"],
                       status_changes=changes, cohort_confirmed=r["cohort_confirmed"])


__all__ = ["ParticipantRows", "status_of"]
