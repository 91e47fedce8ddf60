"""Reminders (docs/design.md §12): on schedule, providers with claims they have not answered (Mondays
10:00) and schools with a claim the provider did not approve (Tuesdays 10:00), moved off weekends and
bank holidays (``domain.reminders``); by hand, a provider when support presses "Send reminder".

Once per due day, across restarts and replicas: a run claims its due day, then records each
recipient's reminder (kind, recipient, due day) with ON CONFLICT DO NOTHING in the transaction that
writes the emails to the outbox, and emails only the recipients it recorded. A second run or replica
finds the due day claimed (or waits on the first's uncommitted row, then finds it) and sends nothing.
The notification ids name the due day and the address, so a redelivered command is not sent twice
either. A reminder by hand is due the day it is sent: the schedule skips that provider that day, and
a second one the same day is refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.contracts import ActivityRecorded, Actor, NotFound, Refused, SendNotification
from shared.contracts import roles

from ..domain import reminders as schedule
from ..domain.wording import claims_phrase
from ..ports import Clock, SamplingUnitOfWork
from .activity import MAX_ACTIVITY_REFERENCES, SERVICE

SCHEDULE_ACTOR = Actor(email="system@claimflow", role=roles.SYSTEM)
PROVIDER_TEMPLATE = "provider_sampling_reminder"
SCHOOL_TEMPLATE = "school_sampling_reminder"


@dataclass(frozen=True)
class SendReminders:
    """The reminder job's tick: send what is due at the clock's time."""


@dataclass(frozen=True)
class RemindProvider:
    provider_id: str
    actor: Actor


def notification_id(kind: str, recipient: str, due_on: Any, address: str) -> str:
    return f"sampling-reminder:{kind}:{recipient}:{due_on.isoformat()}:{address}"


async def handle_send_reminders(command: SendReminders, uow: SamplingUnitOfWork, clock: Clock) -> int:
    """Send the reminders due at ``clock.now()`` that no run has sent; how many recipients were reminded."""
    now = clock.now()
    sent = 0
    for plan in schedule.SCHEDULES:
        due = plan.latest_due(now)
        if due is None or not await uow.rounds.claim_due_day(plan.kind, due, now=now):
            continue
        if plan.kind == schedule.PROVIDER:
            sent += await _remind_providers(uow, due=due, sampled_before=plan.due_at(due), now=now,
                                            actor=SCHEDULE_ACTOR)
        else:
            sent += await _remind_schools(uow, due=due, now=now)
    await uow.commit()
    return sent


async def handle_remind_provider(command: RemindProvider, uow: SamplingUnitOfWork, clock: Clock) -> dict[str, Any]:
    """Support's "Send reminder": the provider's reminder now, once a day."""
    now = clock.now()
    provider = await uow.projection.provider(command.provider_id)
    if provider is None:
        raise NotFound("There is no such accredited provider", field="provider_id")
    if not await uow.rounds.providers_to_remind(sampled_before=now, provider_id=command.provider_id):
        raise Refused(f"{provider['name']} has no claims waiting for an answer", field="provider_id")
    if not provider["email_addresses"]:
        raise Refused(f"{provider['name']} has no email address: add one to the accredited provider first",
                      field="provider_id")
    today = schedule.uk_today(now)
    sent = await _remind_providers(uow, due=today, sampled_before=now, now=now, actor=command.actor,
                                   provider_id=command.provider_id)
    if not sent:
        raise Refused(f"A reminder has already been sent to {provider['name']} today", field="provider_id")
    await uow.commit()
    return {"provider_id": command.provider_id, "sent_to": list(provider["email_addresses"]),
            "due_on": today.isoformat()}


async def _remind_providers(uow: SamplingUnitOfWork, *, due, sampled_before, now, actor: Actor,
                            provider_id: str | None = None) -> int:
    waiting = await uow.rounds.providers_to_remind(sampled_before=sampled_before, provider_id=provider_id)
    providers = await uow.projection.providers(w["provider_id"] for w in waiting)
    rows = []
    for w in waiting:
        provider = providers.get(w["provider_id"]) or {"name": w["provider_id"], "email_addresses": []}
        if provider["email_addresses"]:
            rows.append({"recipient": w["provider_id"], "claim_count": w["open_count"],
                         "addresses": list(provider["email_addresses"]), "provider": provider,
                         "completion_date": w["completion_date"]})
    by = "schedule" if actor is SCHEDULE_ACTOR else actor.email
    recorded = await uow.rounds.record_reminders(schedule.PROVIDER, due, rows, now=now, sent_by=by)
    for row in rows:
        if row["recipient"] not in recorded:
            continue
        provider = row["provider"]
        for address in row["addresses"]:
            uow.emit(SendNotification(
                notification_id=notification_id(schedule.PROVIDER, row["recipient"], due, address),
                template=PROVIDER_TEMPLATE, to=address, reference=row["recipient"],
                personalisation={"provider_name": provider["name"], "claim_count": str(row["claim_count"]),
                                 "completion_date": row["completion_date"].isoformat()},
                actor=actor, occurred_at=now))
        how = "" if actor is SCHEDULE_ACTOR else " by hand"
        uow.emit(ActivityRecorded(
            title=f"Sampling reminder sent{how} to {provider['name']} for {claims_phrase(row['claim_count'])} "
                  f"waiting for an answer", action="sampling_reminder_sent", source=SERVICE, actor=actor,
            occurred_at=now))
    return len(recorded)


async def _remind_schools(uow: SamplingUnitOfWork, *, due, now) -> int:
    waiting = await uow.rounds.schools_to_remind()
    rows = [{"recipient": w["school_urn"], "claim_count": len(w["claim_refs"]), "addresses": [w["school_email"]],
             **w} for w in waiting]
    recorded = await uow.rounds.record_reminders(schedule.SCHOOL, due, rows, now=now, sent_by="schedule")
    for row in rows:
        if row["recipient"] not in recorded:
            continue
        references = list(row["claim_refs"])
        providers = " and ".join(sorted(p for p in row["provider_names"] if p)) or "your accredited provider"
        uow.emit(SendNotification(
            notification_id=notification_id(schedule.SCHOOL, row["recipient"], due, row["school_email"]),
            template=SCHOOL_TEMPLATE, to=row["school_email"], reference=references[0],
            personalisation={"school_name": row["school_name"], "claim_count": str(len(references)),
                             "claim_references": ", ".join(references), "provider_name": providers},
            actor=SCHEDULE_ACTOR, occurred_at=now))
        uow.emit(ActivityRecorded(
            title=f"Sampling reminder sent to {row['school_name']} about {claims_phrase(len(references))} "
                  f"the provider did not approve", action="sampling_school_reminder_sent",
            claim_references=tuple(references[:MAX_ACTIVITY_REFERENCES]), source=SERVICE, actor=SCHEDULE_ACTOR,
            occurred_at=now))
    return len(recorded)
