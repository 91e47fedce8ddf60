"""SQL repository of the ECF engine: rows in, domain objects out. It never commits (the unit of
work does). Counts for the calculator come from one ``GROUP BY`` per contract (``tallies``), never
from loading declarations."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.money import Money

from ..repository import among, arrays, insert_from_arrays

from .domain.calculator import Tally, tally_groups
from .domain.contract import Band, Contract
from .domain.declarations import Declaration
from .domain.schedules import Milestone, Schedule
from .domain.statements import Adjustment, Statement
from .participant_rows import ParticipantRows
from .rows import as_uuid, row_by_id
from .tables import (adjustments, contract_bands, contracts, declarations, lead_providers, milestones, participants,
                     schedules, statements)


# Rows of one statement travel as one array a column (never one parameter a row).
_MILESTONE_COLUMNS = ("schedule_id", "declaration_type", "start_date", "milestone_date")
_INSERT_MILESTONES = insert_from_arrays(milestones, _MILESTONE_COLUMNS)
_BAND_COLUMNS = ("contract_id", "name", "min", "max", "per_participant", "output_fee_percent")
_INSERT_BANDS = insert_from_arrays(contract_bands, _BAND_COLUMNS)


@dataclass(frozen=True)
class DeclarationPage:
    items: list[Declaration]
    total: int


class EcfRepository(ParticipantRows):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---------------------------------------------------------------- lead providers
    async def add_lead_provider(self, *, id: str, name: str, api_token_hash: str, email: str | None = None) -> None:
        await self.session.execute(insert(lead_providers).values(id=id, name=name, api_token_hash=api_token_hash,
                                                                 email=email))

    async def set_lead_provider_email(self, id: str, email: str | None) -> bool:
        key = as_uuid(id)
        if key is None:
            return False
        done = await self.session.execute(update(lead_providers).where(lead_providers.c.id == key)
                                          .values(email=email).returning(lead_providers.c.id))
        return done.first() is not None

    async def lead_provider_by_name(self, name: str) -> dict[str, Any] | None:
        row = (await self.session.execute(
            select(lead_providers.c.id, lead_providers.c.name).where(
                func.lower(lead_providers.c.name) == name.lower()))).mappings().first()
        return dict(row) if row else None

    async def lead_provider_by_token_hash(self, token_hash: str) -> dict[str, Any] | None:
        row = (await self.session.execute(
            select(lead_providers.c.id, lead_providers.c.name).where(
                lead_providers.c.api_token_hash == token_hash))).mappings().first()
        return dict(row) if row else None

    async def lead_provider(self, id: str) -> dict[str, Any] | None:
        key = as_uuid(id)
        if key is None:
            return None
        row = (await self.session.execute(
            select(lead_providers.c.id, lead_providers.c.name).where(lead_providers.c.id == key))).mappings().first()
        return dict(row) if row else None

    async def lead_providers(self) -> list[dict[str, Any]]:
        """Every lead provider: ``id``, ``name`` and ``email`` (None when not recorded)."""
        rows = await self.session.execute(
            select(lead_providers.c.id, lead_providers.c.name, lead_providers.c.email).order_by(lead_providers.c.name))
        return [dict(r) for r in rows.mappings()]

    # ---------------------------------------------------------------- schedules
    async def add_schedule(self, schedule_id: str, schedule: Schedule) -> None:
        await self.session.execute(insert(schedules).values(
            id=schedule_id, identifier=schedule.identifier, cohort=schedule.cohort))
        await self.session.execute(_INSERT_MILESTONES, arrays([
            {"schedule_id": schedule_id, "declaration_type": m.declaration_type, "start_date": m.start_date,
             "milestone_date": m.milestone_date} for m in schedule.milestones], _MILESTONE_COLUMNS))

    async def schedule(self, identifier: str, cohort: int) -> Schedule | None:
        head = (await self.session.execute(select(schedules.c.id).where(
            schedules.c.identifier == identifier, schedules.c.cohort == cohort))).scalar()
        if head is None:
            return None
        rows = await self.session.execute(
            select(milestones).where(milestones.c.schedule_id == head).order_by(milestones.c.start_date))
        return Schedule(identifier=identifier, cohort=cohort, milestones=tuple(
            Milestone(r.declaration_type, r.start_date, r.milestone_date) for r in rows))

    # ---------------------------------------------------------------- contracts
    async def add_contract(self, contract: Contract, bands: Sequence[Band]) -> None:
        await self.session.execute(insert(contracts).values(
            id=contract.id, lead_provider_id=contract.lead_provider_id, cohort=contract.cohort,
            recruitment_target=contract.recruitment_target, set_up_fee=contract.set_up_fee.amount,
            uplift_amount=contract.uplift_amount.amount, vat_chargeable=contract.vat_chargeable,
            monthly_service_fee=None if contract.monthly_service_fee_override is None
            else contract.monthly_service_fee_override.amount,
            service_fee_months=contract.service_fee_months, contract_type=contract.contract_type,
            mentor_fee_per_declaration=None if contract.mentor_fee_per_declaration is None
            else contract.mentor_fee_per_declaration.amount))
        await self._insert_bands(contract.id, bands)

    async def _insert_bands(self, contract_id: str, bands: Sequence[Band]) -> None:
        await self.session.execute(_INSERT_BANDS, arrays([
            {"contract_id": contract_id, "name": b.name, "min": b.min, "max": b.max,
             "per_participant": None if b.per_participant is None else Money(b.per_participant).amount,
             "output_fee_percent": b.output_fee_percent}
            for b in bands], _BAND_COLUMNS))

    async def replace_bands(self, contract: Contract) -> None:
        """A contract's bands as they now are (a band's capacity raised)."""
        await self.session.execute(delete(contract_bands).where(contract_bands.c.contract_id == contract.id))
        await self._insert_bands(contract.id, [
            Band(b.name, b.first, b.last, b.per_participant, b.output_share * 100) for b in contract.bands])

    async def contract(self, lead_provider_id: str, cohort: int) -> Contract | None:
        found = await self.contracts(lead_provider_id=lead_provider_id, cohort=cohort)
        return found[0] if found else None

    async def contracts(self, *, lead_provider_id: str | None = None, cohort: int | None = None) -> list[Contract]:
        query = select(contracts)
        if lead_provider_id is not None:
            query = query.where(contracts.c.lead_provider_id == lead_provider_id)
        if cohort is not None:
            query = query.where(contracts.c.cohort == cohort)
        heads = (await self.session.execute(query)).mappings().all()
        if not heads:
            return []
        band_rows = await self.session.execute(
            select(contract_bands).where(among(contract_bands.c.contract_id, [h["id"] for h in heads]))
            .order_by(contract_bands.c.contract_id, contract_bands.c.name))
        bands: dict[str, list[Band]] = {}
        for b in band_rows.mappings():
            bands.setdefault(b["contract_id"], []).append(Band(
                b["name"], b["min"], b["max"], None if b["per_participant"] is None else Money(b["per_participant"]),
                b["output_fee_percent"]))
        return [Contract.create(
            id=h["id"], lead_provider_id=h["lead_provider_id"], cohort=h["cohort"],
            recruitment_target=h["recruitment_target"], bands=bands.get(h["id"], []),
            set_up_fee=Money(h["set_up_fee"]), uplift_amount=Money(h["uplift_amount"]),
            vat_chargeable=h["vat_chargeable"],
            monthly_service_fee=None if h["monthly_service_fee"] is None else Money(h["monthly_service_fee"]),
            service_fee_months=h["service_fee_months"], contract_type=h["contract_type"],
            mentor_fee_per_declaration=None if h["mentor_fee_per_declaration"] is None
            else Money(h["mentor_fee_per_declaration"])) for h in heads]

    # ---------------------------------------------------------------- statements
    async def add_statement(self, statement: Statement, *, now: datetime) -> None:
        await self.session.execute(insert(statements).values(
            id=statement.id, lead_provider_id=statement.lead_provider_id, cohort=statement.cohort,
            name=statement.name, deadline_date=statement.deadline_date, payment_date=statement.payment_date,
            output_fee=statement.output_fee, created_at=now, updated_at=now))

    async def statement_name_taken(self, lead_provider_id: str, cohort: int, name: str) -> bool:
        found = await self.session.execute(select(statements.c.id).where(
            statements.c.lead_provider_id == lead_provider_id, statements.c.cohort == cohort,
            func.lower(statements.c.name) == name.lower()))
        return found.first() is not None

    async def statement(self, id: str, *, for_update: bool = False) -> Statement | None:
        row = await row_by_id(self.session, statements, id, for_update=for_update)
        if row is None:
            return None
        return (await self._with_adjustments([row]))[0]

    async def statements(self, *, lead_provider_id: str | None = None, cohort: int | None = None) -> list[Statement]:
        """Statements in payment order (deadline, payment date, id)."""
        query = select(statements)
        if lead_provider_id is not None:
            query = query.where(statements.c.lead_provider_id == lead_provider_id)
        if cohort is not None:
            query = query.where(statements.c.cohort == cohort)
        query = query.order_by(statements.c.lead_provider_id, statements.c.cohort, statements.c.deadline_date,
                               statements.c.payment_date, statements.c.id)
        rows = (await self.session.execute(query)).mappings().all()
        return await self._with_adjustments(rows)

    async def statement_times(self, ids: Iterable[str]) -> dict[str, tuple[datetime, datetime]]:
        rows = await self.session.execute(select(statements.c.id, statements.c.created_at, statements.c.updated_at)
                                          .where(among(statements.c.id, ids)))
        return {r.id: (r.created_at, r.updated_at) for r in rows}

    async def _with_adjustments(self, rows: Sequence[Any]) -> list[Statement]:
        if not rows:
            return []
        found: dict[str, list[Adjustment]] = {}
        adj = await self.session.execute(
            select(adjustments.c.statement_id, adjustments.c.payment_type, adjustments.c.amount)
            .where(among(adjustments.c.statement_id, [r["id"] for r in rows])).order_by(adjustments.c.id))
        for a in adj:
            found.setdefault(a.statement_id, []).append(Adjustment(a.payment_type, Money(a.amount)))
        return [Statement(id=r["id"], lead_provider_id=r["lead_provider_id"], cohort=r["cohort"], name=r["name"],
                          deadline_date=r["deadline_date"], payment_date=r["payment_date"],
                          output_fee=r["output_fee"], authorised_at=r["authorised_at"],
                          adjustments=tuple(found.get(r["id"], ()))) for r in rows]

    async def add_adjustment(self, statement_id: str, adjustment: Adjustment, *, by: str | None,
                             now: datetime) -> None:
        await self.session.execute(insert(adjustments).values(
            statement_id=statement_id, payment_type=adjustment.payment_type, amount=adjustment.amount.amount,
            created_by=by, created_at=now))
        await self.session.execute(update(statements).where(statements.c.id == statement_id).values(updated_at=now))

    async def mark_authorised(self, statement_id: str, *, at: datetime, by: str | None) -> None:
        await self.session.execute(update(statements).where(statements.c.id == statement_id).values(
            authorised_at=at, authorised_by=by, updated_at=at))

    # ---------------------------------------------------------------- bulk transitions
    async def claim_passed_deadlines(self, today: date, *, now: datetime) -> list[str]:
        """Mark every statement whose deadline has passed and was not yet processed; returns their ids.
        The row locks make two concurrent callers process each statement once."""
        rows = await self.session.execute(
            update(statements).where(statements.c.deadline_date < today, statements.c.deadline_applied_at.is_(None))
            .values(deadline_applied_at=now).returning(statements.c.id))
        return [r.id for r in rows]

    async def transition(self, *, column: str, statement_ids: Sequence[str], moves: dict[str, str],
                         now: datetime) -> int:
        """Apply ``moves`` (state → state) to the declarations whose ``column`` (statement_id or
        clawback_statement_id) is one of ``statement_ids``, in one UPDATE per move."""
        if not statement_ids:
            return 0
        count = 0
        target = declarations.c[column]
        for before, after in moves.items():
            result = await self.session.execute(
                update(declarations).where(among(target, statement_ids), declarations.c.state == before)
                .values(state=after, updated_at=now))
            count += result.rowcount or 0
        return count

    # ---------------------------------------------------------------- declarations
    async def add_declaration(self, d: Declaration) -> None:
        await self.session.execute(insert(declarations).values(**_declaration_row(d), updated_at=d.submitted_at))

    async def save_declaration(self, d: Declaration, *, now: datetime) -> None:
        """Store a declaration's new state (and statements, participant)."""
        await self.session.execute(update(declarations).where(declarations.c.id == d.id).values(
            state=d.state, statement_id=d.statement_id, clawback_statement_id=d.clawback_statement_id,
            participant_id=d.participant_id, ineligible_reason=d.ineligible_reason, updated_at=now))

    async def declaration(self, id: str, *, lead_provider_id: str | None = None,
                          for_update: bool = False) -> Declaration | None:
        mine = () if lead_provider_id is None else (declarations.c.lead_provider_id == lead_provider_id,)
        row = await row_by_id(self.session, declarations, id, *mine, for_update=for_update)
        return _declaration(row) if row else None

    async def declarations_of(self, participant_ids: Sequence[str], *, for_update: bool = False) -> list[Declaration]:
        query = select(declarations).where(among(declarations.c.participant_id, participant_ids)) \
            .order_by(declarations.c.submitted_at, declarations.c.id)
        if for_update:
            query = query.with_for_update()
        return [_declaration(r) for r in (await self.session.execute(query)).mappings()]

    async def to_pay_count(self, statement_id: str) -> int:
        """Declarations authorising the statement would move: payable (or still eligible) on it, and
        awaiting clawback on it (the index of each column answers)."""
        paid = select(func.count()).select_from(declarations).where(
            declarations.c.statement_id == statement_id, declarations.c.state.in_(("eligible", "payable")))
        clawed = select(func.count()).select_from(declarations).where(
            declarations.c.clawback_statement_id == statement_id, declarations.c.state == "awaiting_clawback")
        return int((await self.session.execute(select(paid.scalar_subquery() + clawed.scalar_subquery()))).scalar())

    async def declarations_on_statement(self, statement_id: str) -> list[Declaration]:
        """Declarations on the statement and those clawed back on it."""
        rows = await self.session.execute(
            select(declarations).where(or_(declarations.c.statement_id == statement_id,
                                           declarations.c.clawback_statement_id == statement_id))
            .order_by(declarations.c.submitted_at, declarations.c.id))
        return [_declaration(r) for r in rows.mappings()]

    async def declaration_page(self, lead_provider_id: str, *, page: int, per_page: int, cohort: int | None = None,
                               participant_id: str | None = None,
                               updated_since: datetime | None = None) -> DeclarationPage:
        where = [declarations.c.lead_provider_id == lead_provider_id]
        if cohort is not None:
            where.append(declarations.c.cohort == cohort)
        if participant_id is not None:
            key = as_uuid(participant_id)
            if key is None:
                return DeclarationPage([], 0)
            where.append(declarations.c.participant_id == key)
        if updated_since is not None:
            where.append(declarations.c.updated_at >= updated_since)
        total = (await self.session.execute(select(func.count()).select_from(declarations).where(and_(*where)))).scalar()
        rows = await self.session.execute(
            select(declarations).where(and_(*where)).order_by(declarations.c.submitted_at, declarations.c.id)
            .limit(per_page).offset((page - 1) * per_page))
        return DeclarationPage([_declaration(r) for r in rows.mappings()], int(total or 0))

    async def declaration_times(self, ids: Sequence[str]) -> dict[str, datetime]:
        rows = await self.session.execute(select(declarations.c.id, declarations.c.updated_at)
                                          .where(among(declarations.c.id, ids)))
        return {r.id: r.updated_at for r in rows}

    # ---------------------------------------------------------------- the calculator's counts
    async def tallies(self, lead_provider_id: str, cohort: int) -> dict[str, Tally]:
        """Counts of one contract's declarations per statement: one GROUP BY (index-only scan)."""
        rows = await self.session.execute(
            select(*_TALLY_COLUMNS, func.count()).where(declarations.c.lead_provider_id == lead_provider_id,
                                                        declarations.c.cohort == cohort)
            .group_by(*_TALLY_COLUMNS))
        return tally_groups(((r[0], r[1], r[2], r[3], r[4], r[5]), r[6]) for r in rows)

    async def all_tallies(self) -> dict[str, Tally]:
        """Counts of every contract's declarations per statement (statement ids are unique across
        contracts, so one dict serves every contract): one GROUP BY over the table."""
        # Grouping by the contract first follows ix_ecf_declarations_tally's order: the groups stream
        # out of an index-only scan with no sort (the five columns alone would sort 1M rows on disk).
        rows = await self.session.execute(
            select(*_TALLY_COLUMNS, func.count())
            .group_by(declarations.c.lead_provider_id, declarations.c.cohort, *_TALLY_COLUMNS))
        return tally_groups(((r[0], r[1], r[2], r[3], r[4], r[5]), r[6]) for r in rows)


_TALLY_COLUMNS = (declarations.c.statement_id, declarations.c.clawback_statement_id, declarations.c.declaration_type,
                  declarations.c.state, declarations.c.uplift, declarations.c.course_identifier)


def _declaration_row(d: Declaration) -> dict[str, Any]:
    return {"id": d.id, "lead_provider_id": d.lead_provider_id, "participant_id": d.participant_id, "cohort": d.cohort,
            "declaration_type": d.declaration_type, "declaration_date": d.declaration_date,
            "course_identifier": d.course_identifier, "evidence_held": d.evidence_held, "state": d.state,
            "statement_id": d.statement_id, "clawback_statement_id": d.clawback_statement_id, "uplift": d.uplift,
            "ineligible_reason": d.ineligible_reason, "submitted_at": d.submitted_at}


def _declaration(r: Any) -> Declaration:
    return Declaration(id=r["id"], lead_provider_id=r["lead_provider_id"], participant_id=r["participant_id"],
                       cohort=r["cohort"], declaration_type=r["declaration_type"],
                       declaration_date=r["declaration_date"], course_identifier=r["course_identifier"],
                       state=r["state"], submitted_at=r["submitted_at"], evidence_held=r["evidence_held"],
                       statement_id=r["statement_id"], clawback_statement_id=r["clawback_statement_id"],
                       uplift=r["uplift"], ineligible_reason=r["ineligible_reason"])
