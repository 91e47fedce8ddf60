"""Paying schools' claims: send to the payer, the payer's response, manual payer actions (docs/design.md §4)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Sequence

from shared.contracts import (Actor, ClaimSentToPayer, FileRef, PayerInformationSent, PayerPaymentRecorded,
                              PayerRejected, Refused)
from shared.contracts.money import Money
from shared.csvfiles import CsvRejected, read_csv_upload

from ..domain.payer_files import (PAYMENT_RESPONSE_COLUMNS, VALID_REFERENCE, PayerRow, payment_csv,
                                  read_payment_response)
from ..domain.status import WITH_PAYER, next_status, outcome
from ..ports import CatchUp, Clock, Payer, UnitOfWork
from .activity import claims_phrase, record_activity
from .payer import email_payer, require_payer

NOTHING_TO_SEND = "You cannot send claims to the payer as there are no submitted claims"


@dataclass(frozen=True)
class SendToPayer:
    """Send the window's submitted claims to the payer. ``submitted_references``: the references
    claims showed as submitted in the window when the support user pressed the button."""

    claim_window_id: str
    actor: Actor | None
    submitted_references: Sequence[str] = ()


@dataclass(frozen=True)
class PayerResponseFile:
    """A payer's response file (payment or clawback) as a support user uploads it."""

    data: bytes | None
    file_name: str | None
    actor: Actor | None


@dataclass(frozen=True)
class DecideResponse:
    """A support user confirms or cancels a pending payer's response file."""

    upload_id: str
    actor: Actor | None


@dataclass(frozen=True)
class MarkInformationSent:
    reference: str
    actor: Actor | None


@dataclass(frozen=True)
class MarkPaid:
    reference: str
    actor: Actor | None


@dataclass(frozen=True)
class RejectPayment:
    reference: str
    reason: str
    actor: Actor | None


def payer_row(claim: dict[str, Any], clawback_amount: Decimal | None = None) -> PayerRow:
    return PayerRow(reference=claim["reference"], school_urn=claim["school_urn"], school_name=claim["school_name"],
                    school_local_authority=claim["school_local_authority"], provider_name=claim["provider_name"],
                    amount=claim["amount"], school_type_of_establishment=claim["school_type_of_establishment"],
                    school_group=claim["school_group"], submitted_at=claim["submitted_at"],
                    clawback_amount=clawback_amount)


def still_arriving(count: int) -> str:
    return (f"You cannot send claims to the payer yet as {claims_phrase(count)} submitted a moment ago "
            f"{'is' if count == 1 else 'are'} still arriving. Try again in a minute")


async def wait_for_submitted(uow: UnitOfWork, waiting: CatchUp, references: Sequence[str]) -> list[str]:
    """Wait, at most ``waiting.within``, until payments' projection has seen every claim of
    ``references`` submitted; returns those it still has not seen."""
    unseen = await uow.claims.unknown(list(dict.fromkeys(references)))
    polls = int(waiting.within / waiting.poll)
    while unseen and polls > 0:
        await waiting.sleep(waiting.poll.total_seconds())
        unseen = await uow.claims.unknown(unseen)
        polls -= 1
    return unseen


async def handle_send_to_payer(command: SendToPayer, uow: UnitOfWork, clock: Clock, *,
                               new_id: Callable[[], str], payer: Payer, catch_up: CatchUp) -> dict[str, Any]:
    """Every submitted claim of the window → one payment: facts, the CSV behind a link per payer address.

    A claim of ``submitted_references`` submitted a moment before may not have reached payments
    yet: it is waited for (``catch_up``), and any still missing are counted in
    ``claims_still_arriving`` so the page never says "N claims sent" while one more shows as submitted."""
    claim_window_id, actor = command.claim_window_id, command.actor
    require_payer(payer)
    unseen = await wait_for_submitted(uow, catch_up, command.submitted_references)
    now = clock.now()
    payment_id = new_id()
    claims = await uow.claims.take_submitted(claim_window_id, payment_id)
    if not claims:
        if unseen:
            raise Refused(still_arriving(len(unseen)), field="claim_window_id")
        raise Refused(NOTHING_TO_SEND, field="claim_window_id")
    total = sum((Decimal(c["amount"]) for c in claims), Decimal("0"))
    file_name = f"claims-for-payment-{now:%Y-%m-%d-%H%M%S}.csv"
    content = payment_csv(payer_row(c) for c in claims)
    await uow.payments.add_batch(
        {"id": payment_id, "claim_window_id": claim_window_id, "claim_count": len(claims), "total_amount": total,
         "file_name": file_name, "created_at": now, "created_by": actor.email if actor else None},
        [{"payment_id": payment_id, "claim_reference": c["reference"], "amount": c["amount"]} for c in claims])
    for c in claims:
        uow.emit(ClaimSentToPayer(reference=c["reference"], payment_id=payment_id, actor=actor, occurred_at=now))
    await email_payer(uow, clock, payer=payer, kind="payer_payment", subject_id=payment_id, file_name=file_name,
                      content=content, template="payer_claims_ready_for_payment", claim_count=len(claims), actor=actor)
    record_activity(uow, clock, title=f"{claims_phrase(len(claims))} sent to payer for payment",
                    action="payment_sent", actor=actor, references=[c["reference"] for c in claims],
                    files=[FileRef(name=file_name, kind="download", id=payment_id, rows=len(claims))])
    await uow.commit()
    return {"payment_id": payment_id, "claim_count": len(claims), "total_amount": str(Money(total)),
            "claims_still_arriving": len(unseen)}


# ------------------------------------------------------------------ the payer's response
async def handle_upload_payment_response(command: PayerResponseFile, uow: UnitOfWork, clock: Clock, *,
                                         new_id: Callable[[], str]) -> dict[str, Any]:
    """Validate the whole file, then keep it pending until a support user confirms it."""
    upload_id, answers = await hold_response(
        command, uow, clock, new_id=new_id, kind="payment", columns=PAYMENT_RESPONSE_COLUMNS,
        statuses=WITH_PAYER, read=read_payment_response, default_name="payer-response.csv",
        answer_fields=("reference", "outcome", "reason", "row"))
    return {"upload_id": upload_id, "claim_count": len(answers), **_counts(answers)}


async def hold_response(command: PayerResponseFile, uow: UnitOfWork, clock: Clock, *, new_id: Callable[[], str],
                        kind: str, columns: dict[str, Any], statuses: Any, read: Callable,
                        default_name: str, answer_fields: Sequence[str]) -> tuple[str, list[Any]]:
    """A payer's response file of ``kind`` (payment or clawback), validated as a whole against the
    claims in ``statuses`` by ``read``, kept pending until a support user confirms it (each answer
    stored as its ``answer_fields``): its upload id and answers. Refused files raise ``CsvRejected``."""
    data, file_name, actor = command.data, command.file_name, command.actor
    upload = read_csv_upload(data, file_name, **columns)
    in_progress = await uow.claims.references_in((r["claim_reference"] for r in upload.rows), statuses)
    answers = read(upload, in_progress=in_progress)
    upload_id = new_id()
    await uow.uploads.add({
        "id": upload_id, "kind": kind, "status": "pending", "file_name": file_name or default_name,
        "answers": [{name: getattr(a, name) for name in answer_fields} for a in answers],
        "claim_count": len(answers), "created_at": clock.now(), "created_by": actor.email if actor else None})
    await uow.commit()
    return upload_id, answers


def _counts(answers) -> dict[str, int]:
    counts = {"paid": 0, "information_requested": 0, "unchanged": 0}
    for a in answers:
        outcome = a["outcome"] if isinstance(a, dict) else a.outcome
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


async def pending_upload(uow: UnitOfWork, upload_id: str, kind: str) -> tuple[dict[str, Any] | None,
                                                                                 dict[str, Any] | None]:
    """The upload to apply, locked, and None; or, when it was already confirmed, None and the answer
    to the repeated confirm (confirming twice applies once)."""
    upload = await uow.uploads.get(upload_id, kind, for_update=True)
    if upload["status"] == "cancelled":
        raise Refused("This upload was cancelled. Upload the file again", field="upload_id")
    if upload["status"] == "pending":
        return upload, None
    done = await uow.uploads.get(upload_id, kind)
    return None, {"upload_id": upload_id, "status": "confirmed", "claim_count": done["claim_count"], "applied": False}


async def still_in(uow: UnitOfWork, answers: list[dict[str, Any]], status: str) -> None:
    """Claims may have moved since the upload was checked: lock them and refuse rows that did."""
    refs = [a["reference"] for a in answers]
    current = await uow.claims.references_in(refs, status, for_update=True)
    stale = [a for a in answers if a["reference"] not in current]
    if stale:
        raise CsvRejected([Refused(VALID_REFERENCE, field="claim_reference", row=a["row"]) for a in stale])


async def handle_confirm_payment_response(command: DecideResponse, uow: UnitOfWork, clock: Clock
                                          ) -> dict[str, Any]:
    upload_id, actor = command.upload_id, command.actor
    upload, repeated = await pending_upload(uow, upload_id, "payment")
    if upload is None:
        return repeated
    changing = [a for a in upload["answers"] if a["outcome"] != "unchanged"]
    await still_in(uow, changing, WITH_PAYER)
    now = clock.now()
    for a in changing:
        uow.emit(PayerPaymentRecorded(reference=a["reference"], outcome=a["outcome"], reason=a["reason"],
                                      upload_id=upload_id, actor=actor, occurred_at=now))
    await uow.claims.expect([a["reference"] for a in changing if a["outcome"] == "paid"], outcome("marked as paid"))
    await uow.claims.expect([a["reference"] for a in changing if a["outcome"] == "information_requested"],
                            outcome("marked as needing information"))
    await uow.uploads.decide(upload_id, status="confirmed", by=actor.email if actor else None, at=now)
    record_activity(uow, clock, title="Payer payment response uploaded", action="payment_response_uploaded",
                    actor=actor, references=[a["reference"] for a in upload["answers"]],
                    files=[FileRef(name=upload["file_name"], kind="upload", id=upload_id,
                                   rows=upload["claim_count"])])
    await uow.commit()
    return {"upload_id": upload_id, "status": "confirmed", "claim_count": upload["claim_count"], "applied": True,
            **_counts(upload["answers"])}


async def handle_cancel_payment_response(command: DecideResponse, uow: UnitOfWork, clock: Clock
                                         ) -> dict[str, Any]:
    return await cancel_response(command, uow, clock, kind="payment")


async def cancel_response(command: DecideResponse, uow: UnitOfWork, clock: Clock, *, kind: str) -> dict[str, Any]:
    """Cancel a pending response file of ``kind``; cancelling twice answers the same."""
    upload_id, actor = command.upload_id, command.actor
    upload = await uow.uploads.get(upload_id, kind, for_update=True)
    if upload["status"] == "confirmed":
        raise Refused("This upload has already been confirmed and cannot be cancelled", field="upload_id")
    if upload["status"] == "pending":
        await uow.uploads.decide(upload_id, status="cancelled", by=actor.email if actor else None,
                                 at=clock.now())
        await uow.commit()
    return {"upload_id": upload_id, "status": "cancelled"}


# ------------------------------------------------------------------ manual payer actions
async def _manual(uow: UnitOfWork, clock: Clock, *, reference: str, action: str, fact, title: str,
                  code: str, actor: Actor | None) -> dict[str, Any]:
    claim = await uow.claims.get(reference, for_update=True)
    to_status = next_status(reference, claim["effective_status"], action)
    uow.emit(fact)
    await uow.claims.expect([reference], to_status)
    record_activity(uow, clock, title=title, action=code, actor=actor, references=[reference])
    await uow.commit()
    return {"reference": reference, "status": to_status}


async def handle_mark_information_sent(command: MarkInformationSent, uow: UnitOfWork, clock: Clock
                                        ) -> dict[str, Any]:
    reference, actor = command.reference, command.actor
    return await _manual(uow, clock, reference=reference, action="marked as information sent to the payer",
                         fact=PayerInformationSent(reference=reference, actor=actor, occurred_at=clock.now()),
                         title=f"Information sent to payer for claim {reference}", code="payment_information_sent",
                         actor=actor)


async def handle_mark_paid(command: MarkPaid, uow: UnitOfWork, clock: Clock) -> dict[str, Any]:
    reference, actor = command.reference, command.actor
    return await _manual(uow, clock, reference=reference, action="marked as paid",
                         fact=PayerPaymentRecorded(reference=reference, outcome="paid", actor=actor,
                                                   occurred_at=clock.now()),
                         title=f"Payer paid claim {reference}", code="payment_paid", actor=actor)


async def handle_reject_payment(command: RejectPayment, uow: UnitOfWork, clock: Clock) -> dict[str, Any]:
    reference, actor = command.reference, command.actor
    return await _manual(uow, clock, reference=reference, action="rejected by the payer",
                         fact=PayerRejected(reference=reference, reason=command.reason.strip(), actor=actor,
                                            occurred_at=clock.now()),
                         title=f"Payer rejected claim {reference}", code="payment_rejected", actor=actor)
