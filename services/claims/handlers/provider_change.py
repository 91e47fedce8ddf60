"""Invalid provider (docs/design.md §11): support marks a submitted claim's accredited provider as invalid with a
reason; the school is emailed (through notify) and reminded weekly until it chooses another provider,
which rechecks the hours cap and the amount and submits the claim again. Also: the ECF mentors' TRNs
learnt from payments' ECF module, for the warning on "Check your answers".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.contracts import ActivityRecorded, ClaimStatusChanged, EcfMentorRegistered, Refused, SendNotification
from shared.contracts.claim_status import Trigger

from ..domain.status import next_status
from ..ports import Clock, ClaimsUnitOfWork
from .claims import MentorInput, Scope, submitted_event
from .drafts import DraftMentor, _check_mentors, _own_claim, _priced

REMINDER_EVERY = timedelta(days=7)


def _link(base_url: str, reference: str) -> str:
    return f"{base_url.rstrip('/')}/school/claims/{reference}/provider"


@dataclass(frozen=True)
class MarkInvalidProvider:
    scope: Scope
    reference: str
    reason: str


async def handle_mark_invalid_provider(command: MarkInvalidProvider, uow: ClaimsUnitOfWork, clock: Clock, *,
                                       base_url: str) -> dict[str, Any]:
    reason = " ".join(command.reason.split())
    if not reason:
        raise Refused("Enter why the accredited provider cannot be used for this claim", field="reason")
    if len(reason) > 1000:
        raise Refused("Reason must be 1,000 characters or fewer", field="reason")
    claim = await uow.claims.get(command.reference, for_update=True)
    to_status = next_status(claim["reference"], claim["status"], Trigger.PROVIDER_MARKED_INVALID)
    school = await uow.organisations.school(claim["school_urn"])
    now = clock.now()
    await uow.claims.update(claim["reference"], status=to_status, invalid_provider_reason=reason,
                            reminder_due_at=now + REMINDER_EVERY)
    await uow.claims.add_status_change(claim_reference=claim["reference"], from_status=claim["status"],
                                       to_status=to_status, caused_by="invalid_provider",
                                       actor_email=command.scope.actor.email, reason=reason, changed_at=now)
    uow.emit(ClaimStatusChanged(reference=claim["reference"], from_status=claim["status"], to_status=to_status,
                                caused_by="invalid_provider", reason=reason, provider_id=claim["provider_id"],
                                amount=claim["amount"], actor=command.scope.actor))
    if school.get("email"):
        uow.emit(SendNotification(
            notification_id=f"invalid-provider:{claim['reference']}:{now.isoformat()}",
            template="school_invalid_provider", to=school["email"], reference=claim["reference"],
            personalisation={"school_name": school["name"], "claim_reference": claim["reference"],
                             "provider_name": claim["provider_name"], "reason": reason,
                             "link": _link(base_url, claim["reference"])}))
    uow.emit(ActivityRecorded(title=f"Provider {claim['provider_name']} marked as invalid for claim "
                                    f"{claim['reference']}", action="invalid_provider",
                              claim_references=(claim["reference"],), source="claims", actor=command.scope.actor,
                              occurred_at=now))
    await uow.commit()
    return {**claim, "status": to_status, "invalid_provider_reason": reason}


@dataclass(frozen=True)
class ChangeProvider:
    scope: Scope
    reference: str
    provider_id: str


async def handle_change_provider(command: ChangeProvider, uow: ClaimsUnitOfWork, clock: Clock) -> dict[str, Any]:
    """The school chooses another provider for a claim support marked invalid: the hours cap and the
    amount are checked again with the new provider and the claim is submitted again."""
    claim, school = await _own_claim(uow, command.reference, command.scope)
    to_status = next_status(claim["reference"], claim["status"], Trigger.PROVIDER_CHANGED)
    if command.provider_id == claim["provider_id"]:
        raise Refused("The accredited provider you chose cannot be used for this claim. Select another provider",
                      field="provider_id")
    provider = await uow.organisations.provider(command.provider_id)
    mentors = [DraftMentor(m["trn"], m["full_name"], m["hours"]) for m in await uow.claims.mentors(claim["reference"])]
    await _check_mentors(uow, claim, mentors, provider_id=provider["id"], submitting=True)
    now = clock.now()
    values = {"status": to_status, "provider_id": provider["id"], "provider_name": provider["name"],
              "invalid_provider_reason": None, "reminder_due_at": None, "submitted_at": now,
              **_priced(claim, mentors)}
    await uow.claims.update(claim["reference"], **values)
    await uow.school.replace_mentors(claim["reference"], [
        {"claim_reference": claim["reference"], "trn": m.trn, "full_name": m.full_name, "hours": m.hours,
         "provider_id": provider["id"]} for m in mentors])
    await uow.claims.add_status_change(claim_reference=claim["reference"], from_status=claim["status"],
                                       to_status=to_status, caused_by="provider_changed",
                                       actor_email=command.scope.actor.email, changed_at=now)
    claim = {**claim, **values}
    # A fresh snapshot: the projections of payments and sampling upsert the claim with its new provider.
    uow.emit(submitted_event(claim, school, provider, [MentorInput(m.trn, m.full_name, m.hours or 0)
                                                       for m in mentors], command.scope.actor))
    uow.emit(ActivityRecorded(title=f"Claim {claim['reference']} submitted again with provider {provider['name']}",
                              action="provider_changed", claim_references=(claim["reference"],), source="claims",
                              actor=command.scope.actor, occurred_at=now))
    await uow.commit()
    return claim


@dataclass(frozen=True)
class SendDueReminders:
    """The reminder job's tick: send the invalid-provider reminders due at the clock's time."""


async def handle_send_due_reminders(command: SendDueReminders, uow: ClaimsUnitOfWork, clock: Clock, *,
                                    base_url: str) -> int:
    """Email each school whose invalid-provider claim's reminder is due, once per due time: the
    notification id names the due time (notify sends an id once), and the next due time is written in
    the same transaction, so a restart or a second replica does not send it again."""
    now = clock.now()
    due = await uow.school.due_reminders(now)
    for claim in due:
        school = await uow.organisations.school(claim["school_urn"])
        due_at: datetime = claim["reminder_due_at"]
        if school.get("email"):
            uow.emit(SendNotification(
                notification_id=f"invalid-provider-reminder:{claim['reference']}:{due_at.isoformat()}",
                template="school_invalid_provider_reminder", to=school["email"], reference=claim["reference"],
                personalisation={"school_name": school["name"], "claim_reference": claim["reference"],
                                 "provider_name": claim["provider_name"],
                                 "link": _link(base_url, claim["reference"])}))
        following = due_at + REMINDER_EVERY
        await uow.school.move_reminder(claim["reference"], following if following > now else now + REMINDER_EVERY)
    await uow.commit()
    return len(due)


async def handle_ecf_mentor_registered(message: EcfMentorRegistered, uow: ClaimsUnitOfWork, clock: Clock) -> None:
    """Remember the TRN (the consumer commits its batch)."""
    await uow.school.add_ecf_mentor(message.trn, message.occurred_at or clock.now())
