"""ECF use cases of docs/design.md §15 beside ``handlers``: lead providers' participant statuses and schedule
changes (v3), and finance's cohorts (freeze and move, temporary cohorts), duplicates, band
capacity and statement notes. Each takes its unit of work and the clock, and commits once."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from shared.contracts import Actor, NotFound, Refused
from shared.contracts.identifiers import is_ascii_digits

from .domain.declarations import ELIGIBLE, PAYABLE, SUBMITTED, make_eligible
from .domain.participants import STANDING, StatusChange, change_status, schedule_change_refusals, status_of
from .handlers import Clock, Refusals, apply_deadlines, uk_today
from .unit_of_work import EcfUnitOfWork

UNPAID = frozenset({SUBMITTED, ELIGIBLE, PAYABLE})


async def _own_participant(uow: EcfUnitOfWork, lead_provider_id: str, participant_id: str):
    participant = await uow.ecf.participant(participant_id, for_update=True)
    if participant is None or participant.lead_provider_id != lead_provider_id:
        raise NotFound("Nothing could be found for your query", field="id")
    return participant


async def change_participant_status(uow: EcfUnitOfWork, clock: Clock, *, lead_provider_id: str,
                                    participant_id: str, action: str, attributes: dict[str, Any]) -> str:
    """withdraw (``reason``, ``course_identifier``), defer (``reason``, ``course_identifier``) or
    resume (``course_identifier``); returns the participant's id."""
    now = clock.now()
    participant = await _own_participant(uow, lead_provider_id, participant_id)
    course = attributes.get("course_identifier")
    if course != participant.course_identifier:
        raise Refusals([Refused("The entered '#/course_identifier' is not recognised for the given participant. "
                                "Check details and try again.", field="course_identifier")])
    history = change_status(participant.status_changes, action, reason=attributes.get("reason"), at=now)
    await uow.ecf.add_status_change(participant.id, history[-1], status=status_of(history))
    await uow.commit()
    return participant.id


async def change_schedule(uow: EcfUnitOfWork, clock: Clock, *, lead_provider_id: str, participant_id: str,
                          attributes: dict[str, Any]) -> str:
    """Move a participant to another schedule (and cohort); refused while a standing declaration
    would fall outside it ("void them first"), or for a frozen cohort."""
    now = clock.now()
    participant = await _own_participant(uow, lead_provider_id, participant_id)
    identifier = attributes.get("schedule_identifier")
    cohort = attributes.get("cohort", participant.cohort)
    if isinstance(cohort, str) and is_ascii_digits(cohort):
        cohort = int(cohort)
    if not isinstance(identifier, str) or not identifier.strip():
        raise Refusals([Refused("Enter a '#/schedule_identifier'.", field="schedule_identifier")])
    if isinstance(cohort, bool) or not isinstance(cohort, int):
        raise Refusals([Refused("The '#/cohort' must be a year, like 2026.", field="cohort")])
    schedule = await uow.ecf.schedule(identifier.strip(), cohort)
    if schedule is None:
        raise Refusals([Refused("The property '#/schedule_identifier' does not exist for this cohort.",
                                field="schedule_identifier")])
    if cohort != participant.cohort and cohort in await uow.ecf.frozen_cohorts():
        raise Refusals([Refused("This cohort is closed for payments", field="cohort")])
    existing = await uow.ecf.declarations_of([participant.id])
    errors = schedule_change_refusals(existing=existing, schedule=schedule, cohort_changes=cohort != participant.cohort)
    if errors:
        raise Refusals(errors)
    await uow.ecf.set_schedule(participant.id, schedule_identifier=schedule.identifier, cohort=cohort, now=now)
    if cohort != participant.cohort:
        await uow.ecf.move_declarations_cohort(participant.id, cohort=cohort, now=now)
    await uow.commit()
    return participant.id


async def freeze_cohort(uow: EcfUnitOfWork, clock: Clock, *, cohort: int, move_to: int | None,
                        actor: Actor | None) -> dict[str, Any]:
    """Close a cohort for payments; with ``move_to``, every participant moves to that open cohort
    (on the schedule of the same name there) and their unpaid declarations are voided, to be
    declared again. Paid declarations stay where they were paid."""
    now = clock.now()
    await apply_deadlines(uow, clock)
    frozen = await uow.ecf.frozen_cohorts()
    if move_to is not None and (move_to == cohort or move_to in frozen):
        raise Refused(f"Choose an open cohort to move the {cohort} participants to", field="move_to_cohort")
    newly = await uow.ecf.freeze_cohort(cohort, now=now, by=actor.email if actor else None)
    moved = voided = 0
    if move_to is not None:
        for participant_id in await uow.ecf.participant_ids_of_cohort(cohort):
            participant = await uow.ecf.participant(participant_id, for_update=True)
            if await uow.ecf.schedule(participant.schedule_identifier, move_to) is None:
                raise Refused(f"There is no {participant.schedule_identifier} schedule for the {move_to} cohort: "
                              "add it before moving the participants", field="move_to_cohort")
            for d in await uow.ecf.declarations_of([participant.id], for_update=True):
                if d.state in UNPAID:
                    await uow.ecf.save_declaration(replace(d, state="voided"), now=now)
                    voided += 1
            await uow.ecf.set_schedule(participant.id, schedule_identifier=participant.schedule_identifier,
                                       cohort=move_to, now=now)
            moved += 1
    await uow.commit()
    return {"cohort": cohort, "frozen": True, "newly_frozen": newly, "participants_moved": moved,
            "declarations_voided": voided, "moved_to_cohort": move_to}


async def record_induction_start(uow: EcfUnitOfWork, clock: Clock, *, participant_id: str, induction_start_date: date,
                                 cohort: int | None) -> dict[str, Any]:
    """The induction start date of an early career teacher in a temporary cohort: the cohort is
    confirmed (or changed, when it has no declarations that stand) and its unpayable declarations
    become eligible for the next output statement."""
    now = clock.now()
    await apply_deadlines(uow, clock)
    participant = await uow.ecf.participant(participant_id, for_update=True)
    if participant is None:
        raise NotFound(f"There is no participant with the id {participant_id}", field="participant_id")
    target = participant.cohort if cohort is None else cohort
    existing = await uow.ecf.declarations_of([participant.id], for_update=True)
    if target != participant.cohort:
        if await uow.ecf.schedule(participant.schedule_identifier, target) is None:
            raise Refused(f"There is no {participant.schedule_identifier} schedule for the {target} cohort",
                          field="cohort")
        if any(d.state in STANDING for d in existing):
            raise Refused("The participant has declarations in its temporary cohort. Void them first.",
                          field="cohort")
    await uow.ecf.set_schedule(participant.id, schedule_identifier=participant.schedule_identifier, cohort=target,
                               now=now, cohort_confirmed=True, induction_start_date=induction_start_date)
    made = 0
    if participant.funding_eligible and participant.retired_into_id is None:
        for d in existing:
            if d.state == SUBMITTED:
                statements = await uow.ecf.statements(lead_provider_id=d.lead_provider_id, cohort=d.cohort)
                await uow.ecf.save_declaration(make_eligible(d, statements=statements, today=uk_today(now)), now=now)
                made += 1
    await uow.commit()
    return {"id": participant.id, "cohort": target, "declarations_made_eligible": made}


async def duplicates(uow: EcfUnitOfWork) -> list[dict[str, Any]]:
    pairs = await uow.ecf.duplicate_candidates()
    ids = sorted({p["id"] for p in pairs} | {p["other_id"] for p in pairs})
    rows, _ = await uow.ecf.participant_rows(ids=ids, per_page=max(len(ids), 1)) if ids else ([], 0)
    by_id = {r["id"]: r for r in rows}
    return [{"participant": by_id[p["id"]], "duplicate_of": by_id[p["other_id"]],
             "reason": "same TRN" if p["same_trn"] else "same name and date of birth"} for p in pairs
            if p["id"] in by_id and p["other_id"] in by_id]


async def raise_band_capacity(uow: EcfUnitOfWork, *, contract_id: str, band: str, new_max: Any) -> dict[str, Any]:
    found = [c for c in await uow.ecf.contracts() if c.id == contract_id]
    if not found:
        raise NotFound(f"There is no contract with the id {contract_id}", field="id")
    raised = found[0].with_band_capacity(band, new_max)
    await uow.ecf.replace_bands(raised)
    await uow.commit()
    return {"id": raised.id, "band": band, "max": new_max}


async def add_note(uow: EcfUnitOfWork, clock: Clock, *, statement_id: str, text: Any, actor: Actor | None) -> None:
    if await uow.ecf.statement(statement_id) is None:
        raise NotFound(f"There is no statement with the id {statement_id}", field="id")
    if not isinstance(text, str) or not text.strip():
        raise Refused("Enter a note", field="text")
    if len(text) > 5000:
        raise Refused("A note must be 5,000 characters or fewer", field="text")
    await uow.ecf.add_note(statement_id, text=text.strip(), by=actor.email if actor else None, now=clock.now())
    await uow.commit()


__all__ = ["change_participant_status", "change_schedule", "freeze_cohort", "record_induction_start", "duplicates",
           "raise_band_capacity", "add_note", "StatusChange"]
