"""Steps 2 to 4 of sending an email (``handlers/__init__.py``): claim what is due (committed before
any backend is called), attempt the delivery (no database), record the outcome."""
from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import timedelta

from shared.contracts import NotificationDelivered

from ..domain.policy import FAILED, RETRYING, SENT, RetryPolicy
from ..ports import Clock, Email, NotifyUnitOfWork, PermanentSendError, Sender, SendError, TransientSendError
from ..repository import Claimed
from .failures import emit_failure


# ------------------------------------------------------------------------------ 2. claim
@dataclass(frozen=True)
class ClaimDue:
    """The dispatcher's tick: up to ``limit`` due emails for ``backend``, each leased ``lease_s``."""

    backend: str
    lease_s: float
    limit: int


async def handle_claim_due(command: ClaimDue, uow: NotifyUnitOfWork, clock: Clock) -> list[Claimed]:
    """Due rows become ``sending`` with ``attempts + 1`` and a lease, committed before any send."""
    now = clock.now()
    claimed = await uow.notifications.claim_due(now=now, lease_until=now + timedelta(seconds=command.lease_s),
                                                backend=command.backend, limit=command.limit)
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
@dataclass(frozen=True)
class Attempted:
    """One delivery attempt and what came of it."""

    claimed: Claimed
    outcome: Outcome


async def handle_attempted(command: Attempted, uow: NotifyUnitOfWork, clock: Clock, *, backend: str,
                           policy: RetryPolicy, rng: random.Random) -> bool:
    """Store what happened to one attempt and publish the resulting fact. False when the attempt had
    lost the row to another worker (nothing is changed then)."""
    claimed, outcome, now = command.claimed, command.outcome, clock.now()
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
            emit_failure(uow, notification_id=claimed.id, template=claimed.template, reference=claimed.reference,
                         command=claimed.command, correlation_id=claimed.correlation_id, error=error,
                         permanent=permanent, attempts=claimed.attempt)
    await uow.commit()
    return done
