"""Submitting and assigning claims: the rules a school's claim meets before it exists."""
from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, Sequence

from shared.contracts import (ActivityRecorded, Actor, ClaimSubmitted, MentorLine, ProviderSnapshot, Refused,
                              SchoolSnapshot)
from shared.contracts.identifiers import trn_error, urn_error
from shared.contracts.roles import MAT, SCHOOL, SUBMITTERS, SUPPORT

from ..domain.funding import check_hours, claim_amount, hourly_rate, hours_left
from ..domain.reference import new_reference
from ..domain.school import check_school_open
from ..ports import Clock, ClaimsUnitOfWork


@dataclass(frozen=True)
class MentorInput:
    trn: str
    full_name: str
    hours: int


@dataclass(frozen=True)
class SubmitClaim:
    """A claim as a user sends it; ``scope_*`` is who the user is (their school or trust)."""

    actor: Actor
    school_urn: str
    provider_id: str
    mentors: list[MentorInput]
    scope_trust_id: str | None = None
    scope_school_urn: str | None = None
    #: The submitting user's full name when the gateway knows it (the generated sample's mentor rule).
    submitted_by_name: str = ""


@dataclass(frozen=True)
class Scope:
    """Who is acting: the actor and, for school and MAT users, their school or trust."""

    actor: Actor
    school_urn: str | None = None
    trust_id: str | None = None


def check_school_user(scope: Scope, school: dict[str, Any]) -> None:
    """A school user acts for their school, a MAT user for the trust's schools, support for any."""
    role = scope.actor.role
    if role == SCHOOL and scope.school_urn != school["urn"]:
        raise Refused("You can only claim for your own school", field="school_urn")
    if role == MAT and (not scope.trust_id or school["trust_id"] != scope.trust_id):
        raise Refused("You can only claim for schools in your trust", field="school_urn")
    if role not in SUBMITTERS | {SUPPORT}:
        raise Refused("You cannot create claims", field="role")


class MentorLineIn(Protocol):
    """A mentor line as typed (a submitted claim's or a draft's)."""
    @property
    def trn(self) -> str: ...
    @property
    def full_name(self) -> str: ...


def check_mentor_lines(mentors: Sequence[MentorLineIn]) -> None:
    """Each line (row 1 up) a 7-digit TRN, listed once, with the mentor's full name."""
    seen = set()
    for i, m in enumerate(mentors):
        if error := trn_error(m.trn):
            raise Refused(error, field="trn", row=i + 1)
        if m.trn in seen:
            raise Refused(f"Mentor {m.trn} is listed more than once", field="trn", row=i + 1)
        seen.add(m.trn)
        if not m.full_name.strip():
            raise Refused("Enter the mentor’s full name", field="full_name", row=i + 1)


def _check_mentors(mentors: list[MentorInput]) -> None:
    if not mentors:
        raise Refused("Add at least one mentor", field="mentors")
    check_mentor_lines(mentors)


async def handle_submit_claim(command: SubmitClaim, uow: ClaimsUnitOfWork, clock: Clock, *,
                              rng: random.Random) -> dict[str, Any]:
    """A school (or MAT) user submits a claim for their own school (or a school of their trust) in
    the window open today, each mentor within their hours cap; support can only save drafts. A
    refusal raises before anything is written."""
    actor, school_urn, provider_id, mentors = command.actor, command.school_urn, command.provider_id, command.mentors
    if error := urn_error(school_urn):
        raise Refused(error, field="school_urn")
    school = await uow.organisations.school(school_urn)
    check_school_user(Scope(actor, command.scope_school_urn, command.scope_trust_id), school)
    check_school_open(school)
    provider = await uow.organisations.provider(provider_id)
    window = await uow.organisations.window_on(clock.today())
    if window is None:
        raise Refused("You cannot submit a claim because there is no open claim window", field="claim_window_id")
    _check_mentors(mentors)
    prior = await uow.claims.prior_lines(provider_id, [m.trn for m in mentors])
    for i, m in enumerate(mentors):
        _, left = hours_left(academic_year=window["academic_year"], prior=prior.get(m.trn, []))
        check_hours(full_name=m.full_name.strip(), hours=m.hours, left=left, row=i + 1)

    reference = new_reference(rng)
    while await uow.claims.exists(reference):
        reference = new_reference(rng)
    status = "submitted" if actor.role in SUBMITTERS else "draft"
    now = clock.now()
    rate = hourly_rate(school["region"])
    amount = claim_amount(school["region"], [m.hours for m in mentors]).rounded()
    claim = {
        "reference": reference, "school_urn": school_urn, "school_name": school["name"],
        "trust_id": school["trust_id"], "provider_id": provider_id, "provider_name": provider["name"],
        "claim_window_id": window["id"], "academic_year": window["academic_year"], "status": status,
        "region": school["region"], "hourly_rate": rate, "total_hours": sum(m.hours for m in mentors),
        "amount": amount, "mentor_names": "; ".join(f"{m.trn} {m.full_name.strip()}" for m in mentors),
        "created_by": actor.email, "created_at": now, "submitted_at": now if status == "submitted" else None,
    }
    await uow.claims.add(claim, [{"claim_reference": reference, "trn": m.trn, "full_name": m.full_name.strip(),
                                  "hours": m.hours, "provider_id": provider_id} for m in mentors])
    await uow.claims.add_status_change(claim_reference=reference, from_status=None, to_status=status,
                                       caused_by="submit" if status == "submitted" else "draft",
                                       actor_email=actor.email, changed_at=now)
    if status == "submitted":
        uow.emit(submitted_event(claim, school, provider, mentors, actor,
                                 submitted_by_name=command.submitted_by_name))
    uow.emit(ActivityRecorded(
        title=f"Claim {reference} {'submitted' if status == 'submitted' else 'saved as a draft'}",
        action="claim_submitted" if status == "submitted" else "claim_drafted",
        claim_references=(reference,), source="claims", actor=actor, occurred_at=now))
    await uow.commit()
    return claim


def submitted_event(claim: dict[str, Any], school: dict[str, Any], provider: dict[str, Any],
                    mentors: list[MentorInput], actor: Actor | None, *, submitted_by_name: str = "") -> ClaimSubmitted:
    return ClaimSubmitted(
        reference=claim["reference"], status=claim["status"],
        school=SchoolSnapshot(urn=school["urn"], name=school["name"], postcode=school["postcode"],
                              local_authority=school["local_authority"],
                              type_of_establishment=school["type_of_establishment"], region=school["region"],
                              group=school.get("trust_name") or school.get("trust_id") or "",
                              email=school.get("email") or "",
                              # Filled by the GIAS import where it ran ("" is "Unknown" in the strata).
                              phase_of_education=school.get("phase_of_education") or "",
                              urban_rural=school.get("urban_rural") or ""),
        provider=ProviderSnapshot(id=provider["id"], name=provider["name"], code=provider["code"],
                                  email_addresses=tuple(provider["email_addresses"])),
        claim_window_id=claim["claim_window_id"], academic_year=claim["academic_year"],
        hourly_rate=Decimal(claim["hourly_rate"]), amount=Decimal(claim["amount"]),
        mentors=tuple(MentorLine(trn=m.trn, full_name=m.full_name.strip(), hours=m.hours) for m in mentors),
        submitted_at=claim["submitted_at"].isoformat(), submitted_by_name=submitted_by_name.strip(), actor=actor)


@dataclass(frozen=True)
class AssignClaim:
    reference: str
    user_email: str | None
    actor: Actor


async def handle_assign_claim(command: AssignClaim, uow: ClaimsUnitOfWork, clock: Clock) -> None:
    """Assign a claim to a support user (or nobody); ``NotFound`` for an unknown claim."""
    reference, user_email = command.reference, command.user_email
    claim = await uow.claims.get(reference, for_update=True)
    await uow.claims.update(reference, assigned_to=user_email or None)
    title = (f"Claim {reference} assigned to {user_email}" if user_email else f"Claim {reference} unassigned")
    uow.emit(ActivityRecorded(title=title, action="claim_assigned", claim_references=(claim["reference"],),
                              source="claims", actor=command.actor, occurred_at=clock.now()))
    await uow.commit()
