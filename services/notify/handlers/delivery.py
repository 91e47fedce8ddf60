"""Notify use cases. Each takes its unit of work and dependencies and commits once (or, for the
consumer handler, lets the consumer commit the batch).

Never twice, the order of things:
1. ``accept_notification`` (consumer): the command becomes a ``pending`` row keyed by its
   notification id, rendered there and then; a known id is a duplicate and changes nothing.
2. ``claim_due`` (dispatcher): due rows become ``sending`` with ``attempts + 1`` and a lease, and
   that is **committed before** any backend is called.
3. ``attempt_delivery``: no database. A row that was tried before (a retry, or a ``sending`` row
   whose process died) first asks the backend whether an earlier attempt got through
   (``Sender.find_sent``); only then does it send.
4. ``record_outcome``: ``sent`` (publishes ``NotificationDelivered``), ``retrying`` at a backed-off
   time, or ``failed`` (publishes ``NotificationFailed`` and a dead letter to ``dlq.notify.send``).
"""
from __future__ import annotations

import asyncio
import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from shared.contracts import DeadLetter, NotificationDelivered, NotificationFailed, SendNotification
from shared.contracts.topics import NOTIFY_COMMANDS, dead_letter_topic

from .domain.policy import FAILED, PENDING, RETRYING, SENT, RetryPolicy
from .domain.templates import Catalogue, TemplateError
from .ports import Email, PermanentSendError, Sender, SendError, TransientSendError
from .repository import Claimed
from .unit_of_work import NotifyUnitOfWork

SEND_GROUP = "notify.send"
DLQ_TOPIC = dead_letter_topic(SEND_GROUP)
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


# ------------------------------------------------------------------------------ 1. accept
async def accept_notification(message: SendNotification, uow: NotifyUnitOfWork, *, catalogue: Catalogue,
                              service_wide: Mapping[str, str], now: datetime) -> None:
    """Record a requested email once; a request that cannot be rendered fails permanently here."""
    if await uow.notifications.exists(message.notification_id):
        return  # the same notification asked for again: it is (or was) handled under that id
    row = dict(id=message.notification_id, to_address=message.to.strip(), template=message.template,
               reference=message.reference, personalisation=dict(message.personalisation),
               command=message.to_wire(), correlation_id=message.correlation_id, created_at=now, updated_at=now)
    try:
        if not _ADDRESS.fullmatch(message.to.strip()):
            raise TemplateError(f"{message.to!r} is not an email address")
        rendered = catalogue.render(message.template, message.personalisation, service_wide)
    except TemplateError as exc:
        await uow.notifications.add(**row, status=FAILED, last_error=str(exc), failed_at=now)
        _emit_failure(uow, notification_id=message.notification_id, template=message.template,
                      reference=message.reference, command=row["command"], correlation_id=message.correlation_id,
                      error=str(exc), permanent=True, attempts=0)
        return
    await uow.notifications.add(**row, status=PENDING, subject=rendered.subject, body=rendered.body,
                                next_attempt_at=now)


# ------------------------------------------------------------------------------ 2. claim
async def claim_due(uow: NotifyUnitOfWork, *, backend: str, now: datetime, lease_s: float,
                    limit: int) -> list[Claimed]:
    claimed = await uow.notifications.claim_due(now=now, lease_until=now + timedelta(seconds=lease_s),
                                                backend=backend, limit=limit)
    await uow.commit()
    return claimed


# ------------------------------------------------------------------------------ 3. send
@dataclass(frozen=True)
class Outcome:
    kind: str  # "sent" | "already_sent" | "transient" | "permanent"
    provider_id: str | None = None
    error: str | None = None


async def attempt_delivery(claimed: Claimed, sender: Sender, *, timeout_s: float) -> Outcome:
    email = Email(notification_id=claimed.id, to=claimed.to, subject=claimed.subject, body=claimed.body,
                  reference=claimed.reference)
    try:
        if claimed.attempt > 1:
            # An earlier attempt may have reached the backend (timed out, or died before recording).
            earlier = await asyncio.wait_for(sender.find_sent(email), timeout_s)
            if earlier is not None:
                return Outcome("already_sent", provider_id=earlier.provider_id)
        receipt = await asyncio.wait_for(sender.send(email), timeout_s)
    except PermanentSendError as exc:
        return Outcome("permanent", error=exc.message)
    except (TransientSendError, SendError) as exc:
        return Outcome("transient", error=exc.message)
    except asyncio.TimeoutError:
        return Outcome("transient", error=f"{sender.name} did not answer within {timeout_s:g}s "
                                          "(it may have accepted the email; the next attempt checks first)")
    except Exception as exc:  # noqa: BLE001 - an unexpected backend error is recorded and retried, then failed
        return Outcome("transient", error=f"{type(exc).__name__}: {exc}")
    return Outcome("sent", provider_id=receipt.provider_id)


# ------------------------------------------------------------------------------ 4. record
async def record_outcome(uow: NotifyUnitOfWork, claimed: Claimed, outcome: Outcome, *, backend: str,
                         policy: RetryPolicy, now: datetime, rng: random.Random) -> bool:
    """Store what happened to one attempt and publish the resulting fact. False when the attempt had
    lost the row to another worker (nothing is changed then)."""
    repo = uow.notifications
    if outcome.kind in ("sent", "already_sent"):
        done = await repo.finish(claimed, now=now, outcome=outcome.kind, status=SENT, sent_at=now,
                                 next_attempt_at=None, provider_message_id=outcome.provider_id, last_error=None)
        if done:
            uow.emit(NotificationDelivered(notification_id=claimed.id, backend=backend, template=claimed.template,
                                           reference=claimed.reference, attempts=claimed.attempt,
                                           correlation_id=claimed.correlation_id or claimed.id))
    elif outcome.kind == "transient" and not policy.gives_up_after(claimed.attempt):
        due = now + timedelta(seconds=policy.delay(claimed.attempt, rng))
        done = await repo.finish(claimed, now=now, outcome="transient", error=outcome.error, status=RETRYING,
                                 next_attempt_at=due, last_error=outcome.error)
    else:
        permanent = outcome.kind == "permanent"
        error = outcome.error or "unknown error"
        if not permanent:
            error = f"gave up after {claimed.attempt} attempts: {error}"
        done = await repo.finish(claimed, now=now, outcome=outcome.kind, error=outcome.error, status=FAILED,
                                 failed_at=now, next_attempt_at=None, last_error=error)
        if done:
            _emit_failure(uow, notification_id=claimed.id, template=claimed.template, reference=claimed.reference,
                          command=claimed.command, correlation_id=claimed.correlation_id, error=error,
                          permanent=permanent, attempts=claimed.attempt)
    await uow.commit()
    return done


def _emit_failure(uow: NotifyUnitOfWork, *, notification_id: str, template: str, reference: str | None,
                  command: dict, correlation_id: str | None, error: str, permanent: bool, attempts: int) -> None:
    correlation = correlation_id or notification_id
    uow.emit(NotificationFailed(notification_id=notification_id, error=error, permanent=permanent,
                                template=template, reference=reference, attempts=attempts,
                                correlation_id=correlation))
    # Not tied to one Kafka record (the failure may come long after the command was consumed), so
    # partition and offset are -1; the original command travels whole in ``original_value``.
    uow.emit(DeadLetter(group=SEND_GROUP, original_topic=NOTIFY_COMMANDS.name, original_partition=-1,
                        original_offset=-1, original_key=notification_id,
                        original_value=json.dumps(command, separators=(",", ":")),
                        original_event_id=str(command.get("event_id") or "") or None, error=error[:4000],
                        correlation_id=correlation), topic=DLQ_TOPIC)
