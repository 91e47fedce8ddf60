"""Claims use cases. Each takes its unit of work and dependencies and commits once.

Status changes arrive as facts from other services (sampling, payments); ``apply_fact`` maps each
fact to a trigger of the status machine, applies it under a row lock (so events of one claim apply
in order and the outbox keeps that order), records history and publishes ``ClaimStatusChanged``.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from shared.contracts import (ActivityRecorded, Actor, ClaimSampled, ClaimSentToPayer, ClaimStatusChanged,
                              ClaimSubmitted, ClaimWindowOpened, ClawbackAssessed, ClawbackDecided,
                              ClawbackSentToPayer, Message, MentorLine, PayerClawbackRecorded,
                              PayerInformationSent, PayerPaymentRecorded, PayerRejected,
                              ProviderRegistered, ProviderResponseRecorded, ProviderSnapshot, Refused,
                              SamplingDecisionRecorded, SchoolSnapshot)
from shared.contracts.identifiers import trn_error, urn_error
from shared.contracts.roles import MAT, SCHOOL, SUBMITTERS, SUPPORT

from .domain.funding import check_hours, claim_amount, hourly_rate, hours_left, region_for
from .domain.reference import new_reference
from .domain.status import Trigger, next_status
from .ports import Deps
from .unit_of_work import ClaimsUnitOfWork


def load_districts(path: str | Path | None = None) -> dict[str, str]:
    source = Path(path) if path else Path(__file__).parent / "domain" / "regions.csv"
    with open(source, newline="", encoding="utf-8") as fh:
        return {r["district_code"].strip().upper(): r["region"].strip() for r in csv.DictReader(fh)}


# ------------------------------------------------------------------ organisations and windows
async def import_schools(uow: ClaimsUnitOfWork, deps: Deps, rows: list[dict[str, str]], *, actor: Actor,
                         districts: dict[str, str], file_name: str) -> dict[str, int]:
    """Create or update schools from GIAS-style rows (already validated)."""
    trusts = {}
    schools = []
    for r in rows:
        group = (r.get("group") or "").strip()
        trust_id = _slug(group) if group else None
        if trust_id:
            trusts[trust_id] = {"id": trust_id, "name": group}
        schools.append({
            "urn": r["urn"].strip(), "name": r["name"].strip(), "postcode": (r.get("postcode") or "").strip(),
            "local_authority": (r.get("local_authority") or "").strip(),
            "type_of_establishment": (r.get("type_of_establishment") or "").strip(),
            "district_code": (r.get("district_code") or "").strip() or None,
            "region": region_for(r.get("region"), r.get("district_code"), districts),
            "trust_id": trust_id, "email": (r.get("email") or "").strip() or None,
        })
    await uow.organisations.upsert_trusts(list(trusts.values()))
    created, updated = await uow.organisations.upsert_schools(schools)
    uow.emit(ActivityRecorded(title=f"Schools imported: {created} added, {updated} updated", action="schools_imported",
                              files=({"name": file_name, "kind": "upload", "rows": len(rows)},),
                              source="claims", actor=actor, occurred_at=deps.clock.now()))
    await uow.commit()
    return {"created": created, "updated": updated}


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")[:64]


async def add_provider(uow: ClaimsUnitOfWork, deps: Deps, *, name: str, code: str, email_addresses: list[str],
                       actor: Actor | None) -> dict[str, Any]:
    if not name.strip():
        raise Refused("Enter the accredited provider’s name", field="name")
    if not code.strip():
        raise Refused("Enter the accredited provider’s code", field="code")
    emails = [e.strip() for e in email_addresses if e.strip()]
    for e in emails:
        if "@" not in e or " " in e:
            raise Refused("Enter an email address in the correct format, like name@example.com",
                          field="email_addresses")
    row = {"id": deps.new_id(), "name": name.strip(), "code": code.strip().upper(), "email_addresses": emails}
    await uow.organisations.add_provider(row)
    uow.emit(ProviderRegistered(provider_id=row["id"], name=row["name"], code=row["code"],
                                email_addresses=tuple(emails), actor=actor, occurred_at=deps.clock.now()))
    await uow.commit()
    return row


async def add_claim_window(uow: ClaimsUnitOfWork, deps: Deps, *, starts_on: date, ends_on: date,
                           academic_year: str, actor: Actor | None) -> dict[str, Any]:
    if ends_on <= starts_on:
        raise Refused("Enter a window closing date that is after the opening date", field="ends_on")
    from .domain.funding import academic_year_start
    academic_year_start(academic_year)
    row = {"id": deps.new_id(), "starts_on": starts_on, "ends_on": ends_on, "academic_year": academic_year.strip()}
    await uow.organisations.add_window(row)
    uow.emit(ClaimWindowOpened(claim_window_id=row["id"], starts_on=starts_on, ends_on=ends_on,
                               academic_year=row["academic_year"], actor=actor))
    await uow.commit()
    return row


# ------------------------------------------------------------------ claims
@dataclass(frozen=True)
class MentorInput:
    trn: str
    full_name: str
    hours: int


def _check_mentors(mentors: list[MentorInput]) -> None:
    if not mentors:
        raise Refused("Add at least one mentor", field="mentors")
    seen = set()
    for i, m in enumerate(mentors):
        if error := trn_error(m.trn):
            raise Refused(error, field="trn", row=i + 1)
        if m.trn in seen:
            raise Refused(f"Mentor {m.trn} is listed more than once", field="trn", row=i + 1)
        seen.add(m.trn)
        if not m.full_name.strip():
            raise Refused("Enter the mentor’s full name", field="full_name", row=i + 1)


async def submit_claim(uow: ClaimsUnitOfWork, deps: Deps, *, actor: Actor, school_urn: str, provider_id: str,
                       mentors: list[MentorInput], scope_trust_id: str | None = None,
                       scope_school_urn: str | None = None) -> dict[str, Any]:
    """A school (or MAT) user submits a claim in the current window; support can only save drafts."""
    if error := urn_error(school_urn):
        raise Refused(error, field="school_urn")
    school = await uow.organisations.school(school_urn)
    if actor.role == SCHOOL and scope_school_urn != school_urn:
        raise Refused("You can only claim for your own school", field="school_urn")
    if actor.role == MAT and (not scope_trust_id or school["trust_id"] != scope_trust_id):
        raise Refused("You can only claim for schools in your trust", field="school_urn")
    if actor.role not in SUBMITTERS | {SUPPORT}:
        raise Refused("You cannot create claims", field="role")
    provider = await uow.organisations.provider(provider_id)
    window = await uow.organisations.window_on(deps.clock.today())
    if window is None:
        raise Refused("You cannot submit a claim because there is no open claim window", field="claim_window_id")
    _check_mentors(mentors)
    prior = await uow.claims.prior_lines(provider_id, [m.trn for m in mentors])
    for i, m in enumerate(mentors):
        _, left = hours_left(academic_year=window["academic_year"], prior=prior.get(m.trn, []))
        check_hours(full_name=m.full_name.strip(), hours=m.hours, left=left, row=i + 1)

    reference = new_reference(deps.rng)
    while await uow.claims.exists(reference):
        reference = new_reference(deps.rng)
    status = "submitted" if actor.role in SUBMITTERS else "draft"
    now = deps.clock.now()
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
        uow.emit(submitted_event(claim, school, provider, mentors, actor))
    uow.emit(ActivityRecorded(
        title=f"Claim {reference} {'submitted' if status == 'submitted' else 'saved as a draft'}",
        action="claim_submitted" if status == "submitted" else "claim_drafted",
        claim_references=(reference,), source="claims", actor=actor, occurred_at=now))
    await uow.commit()
    return claim


def submitted_event(claim: dict[str, Any], school: dict[str, Any], provider: dict[str, Any],
                    mentors: list[MentorInput], actor: Actor | None) -> ClaimSubmitted:
    return ClaimSubmitted(
        reference=claim["reference"], status=claim["status"],
        school=SchoolSnapshot(urn=school["urn"], name=school["name"], postcode=school["postcode"],
                              local_authority=school["local_authority"],
                              type_of_establishment=school["type_of_establishment"], region=school["region"],
                              group=school.get("trust_name") or school.get("trust_id") or "",
                              email=school.get("email") or ""),
        provider=ProviderSnapshot(id=provider["id"], name=provider["name"], code=provider["code"],
                                  email_addresses=tuple(provider["email_addresses"])),
        claim_window_id=claim["claim_window_id"], academic_year=claim["academic_year"],
        hourly_rate=Decimal(claim["hourly_rate"]), amount=Decimal(claim["amount"]),
        mentors=tuple(MentorLine(trn=m.trn, full_name=m.full_name.strip(), hours=m.hours) for m in mentors),
        submitted_at=claim["submitted_at"].isoformat(), actor=actor)


async def assign_claim(uow: ClaimsUnitOfWork, deps: Deps, *, reference: str, user_email: str | None, actor: Actor) -> None:
    claim = await uow.claims.get(reference, for_update=True)
    await uow.claims.update(reference, assigned_to=user_email or None)
    title = (f"Claim {reference} assigned to {user_email}" if user_email else f"Claim {reference} unassigned")
    uow.emit(ActivityRecorded(title=title, action="claim_assigned", claim_references=(claim["reference"],),
                              source="claims", actor=actor, occurred_at=deps.clock.now()))
    await uow.commit()


# ------------------------------------------------------------------ facts from other services
def _trigger(message: Message) -> tuple[Trigger, dict[str, Any]]:
    """The trigger a fact fires, and the claim fields it sets."""
    match message:
        case ClaimSentToPayer():
            return Trigger.SENT_TO_PAYER, {}
        case PayerPaymentRecorded(outcome="paid"):
            return Trigger.PAYER_PAID, {"unpaid_reason": None}
        case PayerPaymentRecorded():
            return Trigger.PAYER_NEEDS_INFORMATION, {"unpaid_reason": message.reason}
        case PayerInformationSent():
            return Trigger.INFORMATION_SENT, {}
        case PayerRejected():
            return Trigger.PAYER_REJECTED, {"unpaid_reason": message.reason or None}
        case ClaimSampled():
            return Trigger.SAMPLED, {"sample_reason": message.sample_reason}
        case ProviderResponseRecorded(assured=True):
            return Trigger.PROVIDER_ASSURED, {"provider_comment": message.comment or None}
        case ProviderResponseRecorded():
            return Trigger.PROVIDER_NOT_ASSURED, {"provider_comment": message.comment}
        case SamplingDecisionRecorded(approved=True):
            return Trigger.SUPPORT_APPROVED, {}
        case SamplingDecisionRecorded():
            return Trigger.SUPPORT_REJECTED, {}
        case ClawbackAssessed() if message.amount == 0:
            return Trigger.CLAWBACK_NOTHING_OWED, {"clawback_amount": Decimal("0.00")}
        case ClawbackAssessed():
            return Trigger.CLAWBACK_ASSESSED, {"clawback_amount": message.amount}
        case ClawbackDecided(approved=True):
            return Trigger.CLAWBACK_APPROVED, {}
        case ClawbackDecided():
            return Trigger.CLAWBACK_REJECTED, {}
        case ClawbackSentToPayer():
            return Trigger.CLAWBACK_SENT, {}
        case PayerClawbackRecorded():
            return Trigger.CLAWBACK_COMPLETED, {}
    raise Refused(f"{message.type} does not change a claim's status")


FACTS: tuple[type[Message], ...] = (
    ClaimSentToPayer, PayerPaymentRecorded, PayerInformationSent, PayerRejected, ClaimSampled,
    ProviderResponseRecorded, SamplingDecisionRecorded, ClawbackAssessed, ClawbackDecided,
    ClawbackSentToPayer, PayerClawbackRecorded)


async def apply_fact(message: Message, uow: ClaimsUnitOfWork) -> None:
    """Apply one fact's status transition (called by the consumer inside its transaction)."""
    reference = getattr(message, "reference")
    trigger, fields = _trigger(message)
    claim = await uow.claims.get(reference, for_update=True)
    to_status = next_status(reference, claim["status"], trigger)
    await uow.claims.update(reference, status=to_status, **fields)
    if isinstance(message, ProviderResponseRecorded):
        for m in message.mentors:
            await uow.claims.update_mentor(reference, m.trn, assured=m.assured, not_assured_reason=m.reason or None)
    if isinstance(message, ClawbackAssessed):
        for m in message.mentors:
            await uow.claims.update_mentor(reference, m.trn, hours_clawed_back=m.hours_clawed_back)
    reason = getattr(message, "reason", None) or getattr(message, "comment", None) or None
    await uow.claims.add_status_change(
        claim_reference=reference, from_status=claim["status"], to_status=to_status, caused_by=message.type,
        event_id=str(message.event_id), actor_email=message.actor.email if message.actor else None,
        reason=reason, changed_at=message.occurred_at)
    uow.emit(ClaimStatusChanged(
        reference=reference, from_status=claim["status"], to_status=to_status, caused_by=message.type,
        caused_by_event_id=str(message.event_id), reason=reason, provider_id=claim["provider_id"],
        amount=claim["amount"], actor=message.actor, correlation_id=message.correlation_id))


async def record_activity(message: ActivityRecorded, uow: ClaimsUnitOfWork) -> None:
    await uow.activity.add_many([message])


async def record_activities(messages: list[ActivityRecorded], uow: ClaimsUnitOfWork) -> None:
    """A run of activity entries in one statement (an upload of many claims logs many lines)."""
    await uow.activity.add_many(messages)


def parse_schools_csv(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]


Handler = Callable[[Message, ClaimsUnitOfWork], Any]
