"""ECF use cases. Each takes its unit of work, the clock and ids, and commits once.

Deadlines: a statement's deadline passing moves its eligible declarations to payable. The move is
applied in bulk (one UPDATE per statement, marked by ``deadline_applied_at`` so it happens once)
by ``apply_deadlines``, which runs at the start of every use case that reads or changes
declarations or statements (so nothing ever shows an eligible declaration on a statement whose
deadline has passed) and as a background job of the payments process (``ecf.jobs.deadline_job``), so the
move is also made when nobody is looking.

Authorise: payable (and any still eligible) → paid on the statement, awaiting_clawback →
clawed_back on the statement that claws them back, the statement frozen with its authorisation
time, and ``StatementAuthorised`` written to the outbox, all in one transaction.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any, Mapping, Protocol, Sequence

from sqlalchemy.exc import IntegrityError

from shared.contracts import Actor, NotFound, Refused
from shared.contracts.identifiers import is_trn
from shared.contracts.money import Money
from shared.contracts.payments import EcfMentorRegistered, StatementAuthorised

from .domain.calculator import StatementLines, calculate
from .domain.contract import Band, Contract
from .domain.declarations import (BILLABLE_OR_CHANGEABLE, DUPLICATE_MESSAGE, ELIGIBLE, INELIGIBLE, PAID, PAYABLE,
                                  SUBMITTED, Declaration, DeclarationRefused, Participant,
                                  make_eligible, submit, void)
from .domain.rules import pennies
from .domain.schedules import Milestone, Schedule
from .domain.statements import (AUTHORISE_CLAWBACK_TRANSITIONS, AUTHORISE_TRANSITIONS, DEADLINE_TRANSITIONS, UK,
                                 Statement, add_adjustment, authorise, can_authorise,
                                 next_output_statement, nothing_to_pay)
from .lead_providers import (EMAIL_FORMAT, add_lead_provider, lead_provider_email,  # noqa: F401 - re-exported
                             lead_provider_for_token, new_api_token, set_lead_provider_email)
from .unit_of_work import EcfUnitOfWork

#: Courses of ECF participants (ECF API v3 ``course_identifier``).
COURSES = ("ecf-induction", "ecf-mentor")


class Refusals(Refused):
    """Several refusals at once (``errors``); ``message`` and ``field`` are the first's."""

    def __init__(self, errors: Sequence[Refused]) -> None:
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = tuple(errors)


class Clock(Protocol):
    def now(self) -> datetime: ...


def uk_today(now: datetime) -> date:
    """Deadlines and statement states are UK dates."""
    return now.astimezone(UK).date()


# ------------------------------------------------------------------ set-up (finance users)
# Lead providers and their tokens: ``lead_providers.py`` (re-exported here for the callers).
async def add_schedule(uow: EcfUnitOfWork, *, new_id: str, identifier: str, cohort: int,
                       milestones: Sequence[Milestone]) -> dict[str, Any]:
    schedule = Schedule.create(identifier=identifier, cohort=cohort, milestones=milestones)
    if await uow.ecf.schedule(schedule.identifier, cohort) is not None:
        raise Refused(f"There is already a schedule called {schedule.identifier} for the {cohort} cohort",
                      field="identifier")
    await uow.ecf.add_schedule(new_id, schedule)
    await uow.commit()
    return {"id": new_id, "identifier": schedule.identifier, "cohort": cohort}


async def _lead_provider(uow: EcfUnitOfWork, lead_provider_id: str) -> dict[str, Any]:
    lp = await uow.ecf.lead_provider(lead_provider_id)
    if lp is None:
        raise Refused(f"There is no lead provider with the id {lead_provider_id}", field="lead_provider_id")
    return lp


async def add_contract(uow: EcfUnitOfWork, *, new_id: str, lead_provider_id: str, cohort: int,
                       recruitment_target: int, bands: Sequence[Band], set_up_fee: Money, uplift_amount: Money,
                       vat_chargeable: bool, monthly_service_fee: Money | None,
                       service_fee_months: int, contract_type: str = "ecf",
                       mentor_fee_per_declaration: Money | None = None) -> dict[str, Any]:
    lp = await _lead_provider(uow, lead_provider_id)
    contract = Contract.create(id=new_id, lead_provider_id=lp["id"], cohort=cohort,
                               recruitment_target=recruitment_target, bands=list(bands), set_up_fee=set_up_fee,
                               uplift_amount=uplift_amount, vat_chargeable=vat_chargeable,
                               monthly_service_fee=monthly_service_fee, service_fee_months=service_fee_months,
                               contract_type=contract_type, mentor_fee_per_declaration=mentor_fee_per_declaration)
    if await uow.ecf.contract(lp["id"], cohort) is not None:
        raise Refused(f"{lp['name']} already has a contract for the {cohort} cohort", field="cohort")
    await uow.ecf.add_contract(contract, bands)
    await uow.commit()
    return {"id": new_id}


async def add_statement(uow: EcfUnitOfWork, clock: Clock, *, new_id: str, lead_provider_id: str, cohort: int,
                        name: str, deadline_date: date, payment_date: date, output_fee: bool) -> dict[str, Any]:
    lp = await _lead_provider(uow, lead_provider_id)
    statement = Statement.create(id=new_id, lead_provider_id=lp["id"], cohort=cohort, name=name,
                                 deadline_date=deadline_date, payment_date=payment_date, output_fee=output_fee)
    if await uow.ecf.contract(lp["id"], cohort) is None:
        raise Refused(f"Set up {lp['name']}’s contract for the {cohort} cohort before its statements",
                      field="cohort")
    if await uow.ecf.statement_name_taken(lp["id"], cohort, statement.name):
        raise Refused(f"{lp['name']} already has a statement called {statement.name} for the {cohort} cohort",
                      field="name")
    await uow.ecf.add_statement(statement, now=clock.now())
    await uow.commit()
    return {"id": new_id}


async def add_participant(uow: EcfUnitOfWork, clock: Clock, *, new_id: str, lead_provider_id: str, cohort: int,
                          schedule: str, trn: str, full_name: str, course_identifier: str,
                          pupil_premium_uplift: bool, sparsity_uplift: bool, funding_eligible: bool,
                          date_of_birth: date | None = None, induction_start_date: date | None = None,
                          temporary_cohort: bool = False) -> dict[str, Any]:
    errors: list[Refused] = []
    lp = await uow.ecf.lead_provider(lead_provider_id)
    if lp is None:
        errors.append(Refused(f"There is no lead provider with the id {lead_provider_id}", field="lead_provider_id"))
    if await uow.ecf.schedule(schedule.strip(), cohort) is None:
        errors.append(Refused(f"There is no schedule called {schedule} for the {cohort} cohort", field="schedule"))
    if not is_trn(trn.strip()):
        errors.append(Refused("Enter a TRN of 7 digits", field="trn"))
    if not full_name.strip():
        errors.append(Refused("Enter the participant’s full name", field="full_name"))
    if course_identifier not in COURSES:
        errors.append(Refused(f"Enter a course identifier: {' or '.join(COURSES)}", field="course_identifier"))
    if errors:
        raise Refusals(errors)
    participant = Participant(id=new_id, lead_provider_id=lp["id"], cohort=cohort, schedule_identifier=schedule.strip(),
                              course_identifier=course_identifier, funding_eligible=funding_eligible,
                              pupil_premium_uplift=pupil_premium_uplift, sparsity_uplift=sparsity_uplift,
                              cohort_confirmed=not temporary_cohort)
    await uow.ecf.add_participant(participant, trn=trn.strip(), full_name=full_name.strip(), now=clock.now(),
                                  date_of_birth=date_of_birth, induction_start_date=induction_start_date)
    if course_identifier == "ecf-mentor":  # claims warns a school claiming ITT hours for this mentor
        uow.emit(EcfMentorRegistered(trn=trn.strip()))
    await uow.commit()
    return {"id": new_id}


async def make_participant_eligible(uow: EcfUnitOfWork, clock: Clock, *, participant_id: str) -> dict[str, Any]:
    """A participant becomes eligible for funding: their submitted declarations become eligible on
    the next output statement."""
    now = clock.now()
    await apply_deadlines(uow, clock)
    participant = await uow.ecf.participant(participant_id, for_update=True)
    if participant is None:
        raise NotFound(f"There is no participant with the id {participant_id}", field="participant_id")
    await uow.ecf.set_funding_eligible(participant.id, now=now)
    moved = 0
    for d in await uow.ecf.declarations_of([participant.id], for_update=True):
        if d.state == SUBMITTED and participant.cohort_confirmed:
            statements = await uow.ecf.statements(lead_provider_id=d.lead_provider_id, cohort=d.cohort)
            await uow.ecf.save_declaration(make_eligible(d, statements=statements, today=uk_today(now)), now=now)
            moved += 1
    await uow.commit()
    return {"id": participant.id, "declarations_made_eligible": moved}


_RANK = {PAID: 4, PAYABLE: 3, ELIGIBLE: 2, SUBMITTED: 1}


async def retire_participant(uow: EcfUnitOfWork, clock: Clock, *, participant_id: str,
                             into_participant_id: str) -> dict[str, Any]:
    """A duplicate participant record is retired into the one kept: every declaration moves to the
    kept participant, and the duplicate's later declarations are ineligible (reason duplicate).

    Where both records have a declaration of one type that will be, or has been, paid, the most
    advanced one is kept (paid, then payable, eligible, submitted; on a tie the kept participant's);
    each other one is voided the way a lead provider's void would (a paid one is clawed back on the
    next output statement) and an unpaid one becomes ineligible as a duplicate.
    """
    now = clock.now()
    today = uk_today(now)
    await apply_deadlines(uow, clock)
    if participant_id == into_participant_id:
        raise Refused("Choose a different participant to retire this one into", field="into_participant_id")
    dup = await uow.ecf.participant(participant_id, for_update=True)
    if dup is None:
        raise NotFound(f"There is no participant with the id {participant_id}", field="participant_id")
    kept = await uow.ecf.participant(into_participant_id, for_update=True)
    if kept is None:
        raise Refused(f"There is no participant with the id {into_participant_id}", field="into_participant_id")
    if dup.retired_into_id is not None:
        raise Refused(f"Participant {dup.id} has already been retired into {dup.retired_into_id}",
                      field="participant_id")
    if kept.retired_into_id is not None:
        raise Refused(f"Participant {kept.id} has been retired into {kept.retired_into_id}: retire into that one",
                      field="into_participant_id")
    if kept.cohort != dup.cohort:
        raise Refused(f"Participant {kept.id} is in the {kept.cohort} cohort, not {dup.cohort}",
                      field="into_participant_id")
    found = await uow.ecf.declarations_of([dup.id, kept.id], for_update=True)
    by_type: dict[str, list[Declaration]] = {}
    for d in found:
        if d.state in BILLABLE_OR_CHANGEABLE:
            by_type.setdefault(d.declaration_type, []).append(d)
    superseded = 0
    for group in by_type.values():
        group.sort(key=lambda d: (_RANK[d.state], d.participant_id == kept.id), reverse=True)
        for d in group[1:]:
            if d.state == PAID:
                statements = await uow.ecf.statements(lead_provider_id=d.lead_provider_id, cohort=d.cohort)
                replaced = void(d, statements=statements, today=today)
            else:
                replaced = replace(d, state=INELIGIBLE, ineligible_reason="duplicate")
            await uow.ecf.save_declaration(replaced, now=now)
            superseded += 1
    moved = await uow.ecf.retire_participant(dup.id, into=kept.id, now=now)
    await uow.commit()
    return {"id": dup.id, "retired_into": kept.id, "declarations_moved": moved, "duplicates_superseded": superseded}


# ------------------------------------------------------------------ declarations (lead providers)
async def submit_declaration(uow: EcfUnitOfWork, clock: Clock, *, new_id: str, lead_provider_id: str,
                             attributes: Mapping[str, object]) -> Declaration:
    """Validate and store a lead provider's declaration; refused requests store nothing."""
    now = clock.now()
    await apply_deadlines(uow, clock)
    participant = await uow.ecf.participant(attributes.get("participant_id"), for_update=True)
    schedule, existing, statements, contract, funded = None, [], [], None, frozenset()
    if participant is not None:
        schedule = await uow.ecf.schedule(participant.schedule_identifier, participant.cohort)
        existing = await uow.ecf.declarations_of([participant.id])
        statements = await uow.ecf.statements(lead_provider_id=lead_provider_id, cohort=participant.cohort)
        contract = await uow.ecf.contract(participant.lead_provider_id, participant.cohort)
        if participant.course_identifier == "ecf-mentor":
            funded = await uow.ecf.mentor_funded_types(await uow.ecf.trn_of(participant.id), other_than=participant.id)
    declaration = submit(id=new_id, lead_provider_id=lead_provider_id, attributes=attributes,
                         participant=participant, schedule=schedule, existing=existing, statements=statements,
                         now=now, frozen_cohorts=await uow.ecf.frozen_cohorts(), mentor_funded_types=funded,
                         flat_rate_mentors=contract is not None and contract.flat_rate_mentors)
    try:
        await uow.ecf.add_declaration(declaration)
    except IntegrityError:  # a concurrent request recorded the same event first
        await uow.rollback()
        raise DeclarationRefused([Refused(DUPLICATE_MESSAGE)]) from None
    await uow.commit()
    return declaration


async def void_declaration(uow: EcfUnitOfWork, clock: Clock, *, lead_provider_id: str,
                           declaration_id: str) -> Declaration:
    now = clock.now()
    await apply_deadlines(uow, clock)
    declaration = await uow.ecf.declaration(declaration_id, lead_provider_id=lead_provider_id, for_update=True)
    if declaration is None:
        raise NotFound("Nothing could be found for your query", field="id")
    statements = await uow.ecf.statements(lead_provider_id=lead_provider_id, cohort=declaration.cohort)
    voided = void(declaration, statements=statements, today=uk_today(now))
    await uow.ecf.save_declaration(voided, now=now)
    await uow.commit()
    return voided


# ------------------------------------------------------------------ statements
async def apply_deadlines(uow: EcfUnitOfWork, clock: Clock) -> int:
    """Eligible → payable on every statement whose deadline has passed since the last run (no commit:
    it joins the caller's transaction)."""
    now = clock.now()
    passed = await uow.ecf.claim_passed_deadlines(uk_today(now), now=now)
    return await uow.ecf.transition(column="statement_id", statement_ids=passed, moves=DEADLINE_TRANSITIONS, now=now)


async def run_deadlines(uow: EcfUnitOfWork, clock: Clock) -> int:
    moved = await apply_deadlines(uow, clock)
    await uow.commit()
    return moved


async def _lines(uow: EcfUnitOfWork, statements: Sequence[Statement]) -> dict[str, StatementLines]:
    """Lines of the given statements: each contract's statements are calculated from the first."""
    out: dict[str, StatementLines] = {}
    keys = {(s.lead_provider_id, s.cohort) for s in statements}
    for lead_provider_id, cohort in sorted(keys):
        contract = await uow.ecf.contract(lead_provider_id, cohort)
        if contract is None:
            continue
        every = await uow.ecf.statements(lead_provider_id=lead_provider_id, cohort=cohort)
        tallies = await uow.ecf.tallies(lead_provider_id, cohort)
        for lines in calculate(contract, every, tallies):
            out[lines.statement_id] = lines
    return out


async def statement_with_lines(uow: EcfUnitOfWork, clock: Clock, statement_id: str, *,
                               lead_provider_id: str | None = None) -> tuple[Statement, StatementLines]:
    await apply_deadlines(uow, clock)
    statement = await uow.ecf.statement(statement_id)
    if statement is None or (lead_provider_id is not None and statement.lead_provider_id != lead_provider_id):
        raise NotFound(f"There is no statement with the id {statement_id}", field="id")
    lines = (await _lines(uow, [statement]))[statement.id]
    await uow.commit()
    return statement, lines


async def statements_with_lines(uow: EcfUnitOfWork, clock: Clock, *, lead_provider_id: str | None = None,
                                cohort: int | None = None) -> list[tuple[Statement, StatementLines]]:
    await apply_deadlines(uow, clock)
    statements = await uow.ecf.statements(lead_provider_id=lead_provider_id, cohort=cohort)
    lines = await _lines(uow, statements)
    await uow.commit()
    return [(s, lines[s.id]) for s in statements if s.id in lines]


async def current_statements(uow: EcfUnitOfWork, today: date) -> list[tuple[Statement, StatementLines]]:
    """Every contract's current statement (its next output statement not yet authorised, else its
    latest) with its lines: one GROUP BY over all declarations, then the calculator per contract.
    Read-only (the deadline transition does not change any amount)."""
    contracts = await uow.ecf.contracts()
    every = await uow.ecf.statements()
    tallies = await uow.ecf.all_tallies()
    by_contract: dict[tuple[str, int], list[Statement]] = {}
    for s in every:  # already in payment order per contract
        by_contract.setdefault((s.lead_provider_id, s.cohort), []).append(s)
    out = []
    for contract in contracts:
        statements = by_contract.get((contract.lead_provider_id, contract.cohort), [])
        if not statements:
            continue
        current = next_output_statement(statements, today) or statements[-1]
        lines = calculate(contract, statements, tallies)
        out.append((current, next(x for x in lines if x.statement_id == current.id)))
    return out


async def statement_declarations(uow: EcfUnitOfWork, clock: Clock, statement_id: str) -> list[Declaration]:
    await apply_deadlines(uow, clock)
    if await uow.ecf.statement(statement_id) is None:
        raise NotFound(f"There is no statement with the id {statement_id}", field="id")
    found = await uow.ecf.declarations_on_statement(statement_id)
    await uow.commit()
    return found


async def authorise_statement(uow: EcfUnitOfWork, clock: Clock, *, statement_id: str, assurance_checks_done: bool,
                              actor: Actor | None) -> Statement:
    now = clock.now()
    await apply_deadlines(uow, clock)
    statement = await uow.ecf.statement(statement_id, for_update=True)
    if statement is None:
        raise NotFound(f"There is no statement with the id {statement_id}", field="id")
    authorised = authorise(statement, assurance_checks_done=assurance_checks_done, at=now)
    if not can_authorise(statement, today=uk_today(now), to_pay=await uow.ecf.to_pay_count(statement.id)):
        raise nothing_to_pay(statement)
    await uow.ecf.transition(column="statement_id", statement_ids=[statement.id], moves=AUTHORISE_TRANSITIONS, now=now)
    await uow.ecf.transition(column="clawback_statement_id", statement_ids=[statement.id],
                             moves=AUTHORISE_CLAWBACK_TRANSITIONS, now=now)
    await uow.ecf.mark_authorised(statement.id, at=now, by=actor.email if actor else None)
    lines = (await _lines(uow, [authorised]))[statement.id]
    uow.emit(StatementAuthorised(statement_id=statement.id, lead_provider_id=statement.lead_provider_id,
                                 total=pennies(lines.total), actor=actor))
    await uow.commit()
    return authorised


async def add_statement_adjustment(uow: EcfUnitOfWork, clock: Clock, *, statement_id: str, payment_type: str,
                                   amount: Money, actor: Actor | None) -> Statement:
    now = clock.now()
    statement = await uow.ecf.statement(statement_id, for_update=True)
    if statement is None:
        raise NotFound(f"There is no statement with the id {statement_id}", field="id")
    adjusted = add_adjustment(statement, payment_type=payment_type, amount=amount)
    await uow.ecf.add_adjustment(statement.id, adjusted.adjustments[-1], by=actor.email if actor else None, now=now)
    await uow.commit()
    return adjusted
