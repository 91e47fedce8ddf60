"""Facts from other services that move a claim, and the activity log they all write to.

Status changes arrive as facts from sampling and payments; ``handle_fact`` maps each fact to a
trigger of the status machine, applies it under a row lock (so events of one claim apply in order
and the outbox keeps that order), records history and publishes ``ClaimStatusChanged``. A fact the
machine refuses raises before anything is written (the consumer dead-letters it).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.contracts import (ActivityRecorded, ClaimSampled, ClaimSentToPayer, ClaimStatusChanged,
                              ClawbackAssessed, ClawbackDecided, ClawbackSentToPayer, Message, PayerClawbackRecorded,
                              PayerInformationSent, PayerPaymentRecorded, PayerRejected, ProviderResponseRecorded,
                              Refused, SamplingDecisionRecorded)

from ..domain.status import Trigger, next_status
from ..ports import Clock, ClaimsUnitOfWork


def trigger_of(message: Message) -> tuple[Trigger, dict[str, Any]]:
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


async def handle_fact(message: Message, uow: ClaimsUnitOfWork, clock: Clock | None = None) -> None:
    """Apply one fact's status transition (inside the consumer's transaction, which commits). The
    history keeps the fact's own time, so the clock is not read."""
    reference = getattr(message, "reference")
    trigger, fields = trigger_of(message)
    claim = await uow.claims.get(reference, for_update=True)
    to_status = next_status(reference, claim["status"], trigger)
    await uow.claims.update(reference, status=to_status, **fields)
    if isinstance(message, ProviderResponseRecorded):
        for m in message.mentors:
            await uow.claims.update_mentor(reference, m.trn, assured=m.assured, not_assured_reason=m.reason or None,
                                           hours_confirmed=m.hours_confirmed)
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


async def handle_activity(message: ActivityRecorded, uow: ClaimsUnitOfWork, clock: Clock | None = None) -> None:
    """Log one entry (with its own time: the clock is not read)."""
    await uow.activity.add_many([message])


async def handle_activities(messages: list[ActivityRecorded], uow: ClaimsUnitOfWork,
                            clock: Clock | None = None) -> None:
    """A run of activity entries in one statement (an upload of many claims logs many lines)."""
    await uow.activity.add_many(messages)
