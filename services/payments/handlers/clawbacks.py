"""Clawbacks: request per mentor, four-eyes approval, send to the payer, the payer's response (docs/design.md §4)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable, Sequence

from shared.contracts import (Actor, ClawbackAssessed, ClawbackDecided, ClawbackMentor, ClawbackSentToPayer,
                              FileRef, PayerClawbackRecorded, Refused, SendNotification)
from shared.contracts.money import Money

from ..domain.clawback import ClaimedMentor, ClawbackAssessment, HoursWorked, assess, mentors_to_enter, rejection_reasons
from ..domain.payer_files import CLAWBACK_RESPONSE_COLUMNS, clawback_csv, read_clawback_response
from ..domain.status import CLAWBACK_WITH_PAYER, label, next_status, outcome
from ..ports import Clock, Payer, UnitOfWork
from .activity import claims_phrase, record_activity
from .payer import email_payer, require_payer
from .payments import (DecideResponse, PayerResponseFile, cancel_response, hold_response, payer_row, pending_upload,
                       still_in)

NOTHING_TO_CLAW_BACK = "You cannot send claims to the payer for clawback as there are no claims with a clawback requested"


@dataclass(frozen=True)
class ViewClawback:
    """What the clawback pages of one claim show (read only)."""

    reference: str


@dataclass(frozen=True)
class CheckClawback:
    """The hours each mentor worked, checked as a request would be, nothing stored."""

    reference: str
    entries: Sequence[HoursWorked]


@dataclass(frozen=True)
class RequestClawback:
    reference: str
    entries: Sequence[HoursWorked]
    actor: Actor


@dataclass(frozen=True)
class ApproveClawback:
    reference: str
    actor: Actor


@dataclass(frozen=True)
class RejectClawback:
    reference: str
    reasons: dict[str, str]
    actor: Actor


@dataclass(frozen=True)
class SendClawbacks:
    actor: Actor | None


def _money(value: Any) -> str | None:
    return None if value is None else str(Money(value))


def _claimed(rows: list[dict[str, Any]]) -> list[ClaimedMentor]:
    return [ClaimedMentor(trn=m["trn"], full_name=m["full_name"], hours=m["hours"], assured=m["assured"])
            for m in rows]


def assessment_view(a: ClawbackAssessment) -> dict[str, Any]:
    return {"hourly_rate": _money(a.hourly_rate), "hours_clawed_back": a.hours_clawed_back,
            "amount": _money(a.amount), "nothing_owed": a.nothing_owed,
            "mentors": [{"trn": m.trn, "full_name": m.full_name, "hours_claimed": m.hours_claimed,
                         "hours_worked": m.hours_worked, "hours_clawed_back": m.hours_clawed_back,
                         "hourly_rate": _money(a.hourly_rate), "amount": _money(m.amount), "notes": m.notes}
                        for m in a.mentors]}


def stored_view(cb: dict[str, Any]) -> dict[str, Any]:
    return {"id": cb["id"], "claim_reference": cb["claim_reference"], "status": cb["status"],
            "hourly_rate": _money(cb["hourly_rate"]), "amount": _money(cb["amount"]),
            "hours_clawed_back": sum(m["hours_clawed_back"] for m in cb["mentors"]),
            "mentors": [{**m, "hourly_rate": _money(cb["hourly_rate"])} for m in cb["mentors"]],
            "requested_by": cb["requested_by"], "requested_at": cb["requested_at"].isoformat(),
            "decided_by": cb["decided_by"], "decided_at": cb["decided_at"].isoformat() if cb["decided_at"] else None,
            "reasons": cb["reasons"], "batch_id": cb["batch_id"]}


async def handle_view_clawback(command: ViewClawback, uow: UnitOfWork, clock: Clock) -> dict[str, Any]:
    """What the clawback pages show: the claim, the mentors to enter, and the latest clawback."""
    reference = command.reference
    claim = await uow.claims.get(reference)
    mentors = await uow.claims.mentors(reference)
    to_enter = {m.trn for m in mentors_to_enter(_claimed(mentors))}
    latest = await uow.clawbacks.latest(reference)
    return {"reference": reference, "status": claim["effective_status"],
            "status_label": label(claim["effective_status"]), "school_name": claim["school_name"],
            "provider_name": claim["provider_name"], "claim_amount": _money(claim["amount"]),
            "hourly_rate": _money(claim["hourly_rate"]),
            "mentors": [{"trn": m["trn"], "full_name": m["full_name"], "hours": m["hours"], "assured": m["assured"],
                         "not_assured_reason": m["not_assured_reason"] or None, "to_enter": m["trn"] in to_enter}
                        for m in mentors],
            "clawback": stored_view(latest) if latest else None}


async def _assess(uow: UnitOfWork, reference: str, entries: Iterable[HoursWorked], *,
                  for_update: bool) -> tuple[dict[str, Any], ClawbackAssessment, str]:
    claim = await uow.claims.get(reference, for_update=for_update)
    status = claim["effective_status"]
    assessment = assess(reference=reference, hourly_rate=claim["hourly_rate"],
                        mentors=_claimed(await uow.claims.mentors(reference)), entries=entries)
    action = "closed with nothing to claw back" if assessment.nothing_owed else "assessed for clawback"
    return claim, assessment, next_status(reference, status, action)


async def handle_check_clawback(command: CheckClawback, uow: UnitOfWork, clock: Clock) -> dict[str, Any]:
    """The check-answers page: the same rules as the request, nothing stored."""
    reference = command.reference
    _, assessment, to_status = await _assess(uow, reference, command.entries, for_update=False)
    return {"reference": reference, "next_status": to_status, **assessment_view(assessment)}


async def handle_request_clawback(command: RequestClawback, uow: UnitOfWork, clock: Clock, *,
                                  new_id: Callable[[], str]) -> dict[str, Any]:
    reference, actor = command.reference, command.actor
    claim, assessment, to_status = await _assess(uow, reference, command.entries, for_update=True)
    now = clock.now()
    clawback_id = new_id()
    mentors = [{"trn": m.trn, "full_name": m.full_name, "hours_claimed": m.hours_claimed,
                "hours_worked": m.hours_worked, "hours_clawed_back": m.hours_clawed_back,
                "amount": _money(m.amount), "notes": m.notes} for m in assessment.mentors]
    await uow.clawbacks.add({
        "id": clawback_id, "claim_reference": reference,
        "status": "nothing_owed" if assessment.nothing_owed else "awaiting_approval",
        "hourly_rate": claim["hourly_rate"], "amount": assessment.amount, "mentors": mentors,
        "requested_by": actor.email, "requested_at": now})
    uow.emit(ClawbackAssessed(
        reference=reference, clawback_id=clawback_id, amount=assessment.amount, hourly_rate=assessment.hourly_rate,
        mentors=tuple(ClawbackMentor(trn=m.trn, hours_claimed=m.hours_claimed, hours_worked=m.hours_worked,
                                     hours_clawed_back=m.hours_clawed_back, amount=m.amount, notes=m.notes)
                      for m in assessment.mentors), actor=actor, occurred_at=now))
    await uow.claims.expect([reference], to_status)
    title = (f"No clawback needed for claim {reference}" if assessment.nothing_owed
             else f"Clawback of {Money(assessment.amount).display()} sent for approval for claim {reference}")
    record_activity(uow, clock, title=title, action="clawback_assessed", actor=actor, references=[reference])
    await uow.commit()
    return {"clawback_id": clawback_id, "reference": reference, "status": to_status, **assessment_view(assessment)}


async def _awaiting(uow: UnitOfWork, reference: str, actor: Actor, verb: str) -> dict[str, Any]:
    claim = await uow.claims.get(reference, for_update=True)
    clawback = await uow.clawbacks.open_for_update(reference, "awaiting_approval")
    if clawback is None:
        raise Refused(f"Claim {reference} has no clawback awaiting approval: it is ‘{label(claim['effective_status'])}’",
                      field="reference")
    if clawback["requested_by"].strip().lower() == actor.email.strip().lower():
        raise Refused(f"You cannot {verb} a clawback you requested. Another support user must {verb} it",
                      field="reference")
    return {**clawback, "claim": claim}


async def handle_approve_clawback(command: ApproveClawback, uow: UnitOfWork, clock: Clock) -> dict[str, Any]:
    """Four eyes: only a support user other than the requester approves; two approvals at once apply once."""
    reference, actor = command.reference, command.actor
    clawback = await _awaiting(uow, reference, actor, "approve")
    claim = clawback["claim"]
    to_status = next_status(reference, claim["effective_status"], "approved for clawback")
    now = clock.now()
    await uow.clawbacks.update(clawback["id"], status="approved", decided_by=actor.email, decided_at=now)
    uow.emit(ClawbackDecided(reference=reference, clawback_id=clawback["id"], approved=True,
                             amount=clawback["amount"], actor=actor, occurred_at=now))
    await uow.claims.expect([reference], to_status)
    if claim["school_email"]:
        uow.emit(SendNotification(
            notification_id=f"school_clawback_requested:{clawback['id']}", template="school_clawback_requested",
            to=claim["school_email"], reference=reference, actor=actor, occurred_at=now,
            personalisation={"school_name": claim["school_name"], "claim_reference": reference,
                             "clawback_amount": _money(clawback["amount"])}))
    record_activity(uow, clock, title=f"Clawback requested for claim {reference}", action="clawback_approved",
                    actor=actor, references=[reference])
    await uow.commit()
    return {"clawback_id": clawback["id"], "reference": reference, "status": to_status,
            "amount": _money(clawback["amount"]), "school_emailed": bool(claim["school_email"])}


async def handle_reject_clawback(command: RejectClawback, uow: UnitOfWork, clock: Clock) -> dict[str, Any]:
    reference, reasons, actor = command.reference, command.reasons, command.actor
    clawback = await _awaiting(uow, reference, actor, "reject")
    to_status = next_status(reference, clawback["claim"]["effective_status"], "rejected for clawback")
    mentors = clawback["mentors"]
    cleaned = rejection_reasons(trns=[m["trn"] for m in mentors], names={m["trn"]: m["full_name"] for m in mentors},
                                reasons=reasons)
    now = clock.now()
    await uow.clawbacks.update(clawback["id"], status="rejected", decided_by=actor.email, decided_at=now,
                               reasons=cleaned)
    uow.emit(ClawbackDecided(reference=reference, clawback_id=clawback["id"], approved=False,
                             amount=clawback["amount"], reasons=cleaned, actor=actor, occurred_at=now))
    await uow.claims.expect([reference], to_status)
    record_activity(uow, clock, title=f"Clawback rejected for claim {reference}", action="clawback_rejected",
                    actor=actor, references=[reference])
    await uow.commit()
    return {"clawback_id": clawback["id"], "reference": reference, "status": to_status, "reasons": cleaned}


async def handle_send_clawbacks(command: SendClawbacks, uow: UnitOfWork, clock: Clock, *,
                               new_id: Callable[[], str], payer: Payer) -> dict[str, Any]:
    """Every approved (Clawback requested) claim → one clawback batch and a CSV link per payer address."""
    actor = command.actor
    require_payer(payer)
    now = clock.now()
    batch_id = new_id()
    file_name = f"claims-for-clawback-{now:%Y-%m-%d-%H%M%S}.csv"
    # The batch row comes first (the clawbacks point at it); its totals are set once they are known.
    await uow.clawbacks.add_batch({"id": batch_id, "claim_count": 0, "total_amount": 0, "file_name": file_name,
                                   "created_at": now, "created_by": actor.email if actor else None})
    taken = await uow.clawbacks.take_approved(batch_id)
    if not taken:
        raise Refused(NOTHING_TO_CLAW_BACK)
    claims = await uow.claims.by_references([c["claim_reference"] for c in taken])
    total = sum((Decimal(c["amount"]) for c in taken), Decimal("0"))
    content = clawback_csv(payer_row(claims[c["claim_reference"]], c["amount"]) for c in taken)
    await uow.clawbacks.finish_batch(batch_id, claim_count=len(taken), total_amount=total)
    references = [c["claim_reference"] for c in taken]
    for reference in references:
        uow.emit(ClawbackSentToPayer(reference=reference, clawback_batch_id=batch_id, actor=actor, occurred_at=now))
    await uow.claims.expect(references, outcome("sent to the payer for clawback"))
    await email_payer(uow, clock, payer=payer, kind="payer_clawback", subject_id=batch_id, file_name=file_name,
                      content=content, template="payer_claims_ready_for_clawback", claim_count=len(taken), actor=actor)
    record_activity(uow, clock, title=f"{claims_phrase(len(taken))} sent to payer for clawback",
                    action="clawback_sent", actor=actor, references=references,
                    files=[FileRef(name=file_name, kind="download", id=batch_id, rows=len(taken))])
    await uow.commit()
    return {"clawback_id": batch_id, "claim_count": len(taken), "total_amount": _money(total)}


async def handle_upload_clawback_response(command: PayerResponseFile, uow: UnitOfWork, clock: Clock, *,
                                          new_id: Callable[[], str]) -> dict[str, Any]:
    upload_id, answers = await hold_response(
        command, uow, clock, new_id=new_id, kind="clawback", columns=CLAWBACK_RESPONSE_COLUMNS,
        statuses=CLAWBACK_WITH_PAYER, read=read_clawback_response, default_name="payer-clawback.csv",
        answer_fields=("reference", "outcome", "row"))
    return {"upload_id": upload_id, "claim_count": len(answers),
            "complete": sum(a.outcome == "complete" for a in answers),
            "unchanged": sum(a.outcome == "unchanged" for a in answers)}


async def handle_confirm_clawback_response(command: DecideResponse, uow: UnitOfWork, clock: Clock
                                           ) -> dict[str, Any]:
    upload_id, actor = command.upload_id, command.actor
    upload, repeated = await pending_upload(uow, upload_id, "clawback")
    if upload is None:
        return repeated
    complete = [a for a in upload["answers"] if a["outcome"] == "complete"]
    await still_in(uow, complete, CLAWBACK_WITH_PAYER)
    now = clock.now()
    references = [a["reference"] for a in complete]
    for reference in references:
        uow.emit(PayerClawbackRecorded(reference=reference, upload_id=upload_id, actor=actor, occurred_at=now))
    await uow.claims.expect(references, outcome("marked as clawback complete"))
    await uow.clawbacks.set_status(references, from_status="sent", to_status="complete")
    await uow.uploads.decide(upload_id, status="confirmed", by=actor.email if actor else None, at=now)
    count = upload["claim_count"]
    record_activity(uow, clock, title=f"Payer clawback response uploaded for {claims_phrase(count)}",
                    action="clawback_response_uploaded", actor=actor,
                    references=[a["reference"] for a in upload["answers"]],
                    files=[FileRef(name=upload["file_name"], kind="upload", id=upload_id, rows=count)])
    await uow.commit()
    return {"upload_id": upload_id, "status": "confirmed", "claim_count": count, "applied": True,
            "complete": len(complete)}


async def handle_cancel_clawback_response(command: DecideResponse, uow: UnitOfWork, clock: Clock
                                          ) -> dict[str, Any]:
    return await cancel_response(command, uow, clock, kind="clawback")
