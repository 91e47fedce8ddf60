"""Drafts a school (or trust, or support for a school) saves, changes, deletes and submits (docs/design.md §11,
§9b). A draft is a claim in status ``draft``: it may lack mentors or hours, and its hours do not count
towards any allowance. Submitting checks everything again (open window, hours left, a mentor claimed
twice in the window) and moves it to ``submitted``; after that nothing of it can change here.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.contracts import ActivityRecorded, Refused
from shared.contracts.claim_status import CHANGEABLE_BY_SCHOOL, ClaimStatus, school_label
from shared.contracts.identifiers import urn_error
from shared.contracts.roles import SUBMITTERS

from ..domain.funding import Allowance, allowance, check_hours, claim_amount, hourly_rate
from ..domain.reference import new_reference
from ..domain.school import check_school_open
from ..ports import Clock, ClaimsUnitOfWork
from .claims import MentorInput, Scope, check_mentor_lines, check_school_user, submitted_event

DRAFT = ClaimStatus.DRAFT.value
SUBMITTED = ClaimStatus.SUBMITTED.value
ALREADY_CLAIMED = "You have already claimed for this mentor with this provider in this claim window"
NO_WINDOW = "You cannot submit a claim because claims are closed: there is no open claim window"
DECLARATION = "Confirm that the information is correct and that the mentors completed this training"


@dataclass(frozen=True)
class DraftMentor:
    trn: str
    full_name: str
    hours: int | None = None


async def _draft_window(uow: ClaimsUnitOfWork, today: date) -> dict[str, Any]:
    """The open window, else the next one (a draft can be started before a window opens)."""
    window = await uow.organisations.window_on(today)
    if window is None:
        later = [w for w in await uow.organisations.list_windows() if w["starts_on"] > today]
        window = min(later, key=lambda w: w["starts_on"]) if later else None
    if window is None:
        raise Refused("You cannot start a claim because there is no claim window open or planned",
                      field="claim_window_id")
    return window


async def allowances_for(uow: ClaimsUnitOfWork, *, provider_id: str, academic_year: str, trns: list[str],
                         editing: str | None = None) -> dict[str, Allowance]:
    prior = await uow.claims.prior_lines(provider_id, trns)
    return {t: allowance(academic_year=academic_year, prior=prior.get(t, []), editing=editing) for t in trns}


async def _check_mentors(uow: ClaimsUnitOfWork, claim: dict[str, Any], mentors: list[DraftMentor], *,
                         provider_id: str, submitting: bool) -> None:
    """Lines well formed, no mentor already claimed in the window with the provider, hours within what
    is left (hours may be missing until the claim is submitted)."""
    check_mentor_lines(mentors)
    if submitting and not mentors:
        raise Refused("Add at least one mentor", field="mentors")
    trns = [m.trn for m in mentors]
    twice = await uow.school.claimed_in_window(school_urn=claim["school_urn"],
                                               claim_window_id=claim["claim_window_id"], provider_id=provider_id,
                                               trns=trns, excluding=claim.get("reference"))
    for i, m in enumerate(mentors):
        if m.trn in twice:
            raise Refused(ALREADY_CLAIMED, field="trn", row=i + 1)
    left = await allowances_for(uow, provider_id=provider_id, academic_year=claim["academic_year"], trns=trns,
                                editing=claim.get("reference"))
    for i, m in enumerate(mentors):
        if m.hours is None:
            if submitting:
                raise Refused(f"Enter the number of hours for {m.full_name.strip()}", field="hours", row=i + 1)
            continue
        check_hours(full_name=m.full_name.strip(), hours=m.hours, left=left[m.trn].remaining, row=i + 1)


def _priced(claim: dict[str, Any], mentors: list[DraftMentor]) -> dict[str, Any]:
    hours = [m.hours for m in mentors if m.hours is not None]
    return {"total_hours": sum(hours), "amount": claim_amount(claim["region"], hours).rounded(),
            "mentor_names": "; ".join(f"{m.trn} {m.full_name.strip()}" for m in mentors)}


def _mentor_rows(reference: str, provider_id: str, mentors: list[DraftMentor]) -> list[dict[str, Any]]:
    return [{"claim_reference": reference, "trn": m.trn, "full_name": m.full_name.strip(), "hours": m.hours,
             "provider_id": provider_id} for m in mentors]


@dataclass(frozen=True)
class CreateDraft:
    scope: Scope
    school_urn: str
    provider_id: str
    mentors: list[DraftMentor]


async def handle_create_draft(command: CreateDraft, uow: ClaimsUnitOfWork, clock: Clock, *,
                              rng: random.Random) -> dict[str, Any]:
    if error := urn_error(command.school_urn):
        raise Refused(error, field="school_urn")
    school = await uow.organisations.school(command.school_urn)
    check_school_user(command.scope, school)
    check_school_open(school)
    provider = await uow.organisations.provider(command.provider_id)
    window = await _draft_window(uow, clock.today())
    reference = new_reference(rng)
    while await uow.claims.exists(reference):
        reference = new_reference(rng)
    now = clock.now()
    claim = {"reference": reference, "school_urn": school["urn"], "school_name": school["name"],
             "trust_id": school["trust_id"], "provider_id": provider["id"], "provider_name": provider["name"],
             "claim_window_id": window["id"], "academic_year": window["academic_year"], "status": DRAFT,
             "region": school["region"], "hourly_rate": hourly_rate(school["region"]),
             "created_by": command.scope.actor.email, "created_at": now, "submitted_at": None}
    await _check_mentors(uow, {**claim, "reference": None}, command.mentors, provider_id=provider["id"],
                         submitting=False)
    claim.update(_priced(claim, command.mentors))
    await uow.claims.add(claim, _mentor_rows(reference, provider["id"], command.mentors))
    await uow.claims.add_status_change(claim_reference=reference, from_status=None, to_status=DRAFT,
                                       caused_by="draft", actor_email=command.scope.actor.email, changed_at=now)
    uow.emit(ActivityRecorded(title=f"Claim {reference} saved as a draft", action="claim_drafted",
                              claim_references=(reference,), source="claims", actor=command.scope.actor,
                              occurred_at=now))
    await uow.commit()
    return claim


async def _own_claim(uow: ClaimsUnitOfWork, reference: str, scope: Scope) -> tuple[dict[str, Any], dict[str, Any]]:
    claim = await uow.claims.get(reference, for_update=True)
    school = await uow.organisations.school(claim["school_urn"])
    check_school_user(scope, school)
    return claim, school


def _check_changeable(claim: dict[str, Any]) -> None:
    if claim["status"] not in CHANGEABLE_BY_SCHOOL:
        raise Refused(f"Claim {claim['reference']} has been submitted ({school_label(claim['status'])}): "
                      "it cannot be changed", field="reference")


@dataclass(frozen=True)
class UpdateDraft:
    scope: Scope
    reference: str
    provider_id: str | None = None
    mentors: list[DraftMentor] | None = None


async def handle_update_draft(command: UpdateDraft, uow: ClaimsUnitOfWork, clock: Clock) -> dict[str, Any]:
    claim, school = await _own_claim(uow, command.reference, command.scope)
    _check_changeable(claim)
    provider = await uow.organisations.provider(command.provider_id or claim["provider_id"])
    if command.mentors is None:
        mentors = [DraftMentor(m["trn"], m["full_name"], m["hours"]) for m in await uow.claims.mentors(claim["reference"])]
    else:
        mentors = command.mentors
    await _check_mentors(uow, claim, mentors, provider_id=provider["id"], submitting=False)
    values = {"provider_id": provider["id"], "provider_name": provider["name"], **_priced(claim, mentors)}
    await uow.claims.update(claim["reference"], **values)
    await uow.school.replace_mentors(claim["reference"], _mentor_rows(claim["reference"], provider["id"], mentors))
    await uow.commit()
    return {**claim, **values}


@dataclass(frozen=True)
class DeleteDraft:
    scope: Scope
    reference: str


async def handle_delete_draft(command: DeleteDraft, uow: ClaimsUnitOfWork, clock: Clock) -> None:
    claim, _ = await _own_claim(uow, command.reference, command.scope)
    if claim["status"] != DRAFT:
        raise Refused(f"Claim {claim['reference']} has been submitted: only a draft can be deleted",
                      field="reference")
    await uow.school.delete(claim["reference"])
    uow.emit(ActivityRecorded(title=f"Draft claim {claim['reference']} deleted", action="claim_draft_deleted",
                              claim_references=(claim["reference"],), source="claims", actor=command.scope.actor,
                              occurred_at=clock.now()))
    await uow.commit()


@dataclass(frozen=True)
class SubmitDraft:
    scope: Scope
    reference: str
    declaration: bool
    #: Who submits, by name (docs/design.md §13: a claim submitted by one of its own mentors).
    submitted_by_name: str = ""


async def handle_submit_draft(command: SubmitDraft, uow: ClaimsUnitOfWork, clock: Clock) -> dict[str, Any]:
    """The school (or trust) accepts the declaration and submits its draft in the open window."""
    claim, school = await _own_claim(uow, command.reference, command.scope)
    _check_changeable(claim)
    if command.scope.actor.role not in SUBMITTERS:
        raise Refused("Only a school or trust user can submit a claim", field="role")
    if command.declaration is not True:
        raise Refused(DECLARATION, field="declaration")
    check_school_open(school)
    window = await uow.organisations.window_on(clock.today())
    if window is None:
        raise Refused(NO_WINDOW, field="claim_window_id")
    claim = {**claim, "claim_window_id": window["id"], "academic_year": window["academic_year"]}
    provider = await uow.organisations.provider(claim["provider_id"])
    mentors = [DraftMentor(m["trn"], m["full_name"], m["hours"]) for m in await uow.claims.mentors(claim["reference"])]
    await _check_mentors(uow, claim, mentors, provider_id=provider["id"], submitting=True)
    now = clock.now()
    values = {"status": SUBMITTED, "submitted_at": now, "claim_window_id": window["id"],
              "academic_year": window["academic_year"], **_priced(claim, mentors)}
    await uow.claims.update(claim["reference"], **values)
    await uow.claims.add_status_change(claim_reference=claim["reference"], from_status=DRAFT, to_status=SUBMITTED,
                                       caused_by="submit", actor_email=command.scope.actor.email, changed_at=now)
    claim = {**claim, **values}
    uow.emit(submitted_event(claim, school, provider, [MentorInput(m.trn, m.full_name, m.hours or 0)
                                                       for m in mentors], command.scope.actor,
                             submitted_by_name=command.submitted_by_name))
    uow.emit(ActivityRecorded(title=f"Claim {claim['reference']} submitted", action="claim_submitted",
                              claim_references=(claim["reference"],), source="claims", actor=command.scope.actor,
                              occurred_at=now))
    await uow.commit()
    return claim
