"""Applying many sampling facts at once (a confirmed sample of 100,000 claims arrives as 100,000
``ClaimSampled`` events).

The rule is ``handlers.apply_fact``'s, unchanged: each claim moves by the status machine, under a
row lock, with its history row and a ``ClaimStatusChanged``. Only the SQL is set-based: one
locking read, one UPDATE and one history INSERT for a whole run of consecutive events. If any
event of the run is refused (unknown claim, a transition the machine forbids, a claim twice), the
consumer undoes the run and applies its events one at a time, so the refused one alone is
dead-lettered.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import ClaimSampled, ClaimStatusChanged, NotFound, Refused

from .domain.status import Trigger, next_status
from .tables import status_changes
from .unit_of_work import ClaimsUnitOfWork


class BulkClaims:
    """Set-based reads and writes of claims for bulk fact handlers (never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, references: list[str]) -> dict[str, Any]:
        rows = await self.session.execute(text(
            "SELECT reference, status, provider_id, amount FROM claims WHERE reference = ANY(:refs)"
            " ORDER BY reference FOR UPDATE"), {"refs": references})
        return {r.reference: r for r in rows}

    async def sample(self, references: list[str], statuses: list[str], reasons: list[str]) -> None:
        await self.session.execute(text(
            "UPDATE claims AS c SET status = u.status, sample_reason = u.reason, updated_at = now()"
            " FROM unnest(CAST(:refs AS text[]), CAST(:statuses AS text[]), CAST(:reasons AS text[]))"
            " AS u(ref, status, reason) WHERE c.reference = u.ref"),
            {"refs": references, "statuses": statuses, "reasons": reasons})

    async def add_history(self, rows: list[dict[str, Any]]) -> None:
        await self.session.execute(insert(status_changes), rows)


async def apply_sampled_in_bulk(messages: list[ClaimSampled], uow: ClaimsUnitOfWork) -> None:
    references = [m.reference for m in messages]
    if len(set(references)) != len(references):
        raise Refused("the same claim is sampled twice in one run")
    bulk = BulkClaims(uow.session)
    claims = await bulk.lock(references)
    statuses, history = [], []
    for message in messages:
        claim = claims.get(message.reference)
        if claim is None:
            raise NotFound(f"There is no claim with the reference {message.reference}", field="reference")
        statuses.append(next_status(message.reference, claim.status, Trigger.SAMPLED))
    await bulk.sample(references, statuses, [m.sample_reason for m in messages])
    # One validated event, copied per claim with its own values (every value comes from a
    # validated message or the claims table): a run of thousands costs no validation each.
    first, first_claim = messages[0], claims[messages[0].reference]
    template = ClaimStatusChanged(
        reference=first.reference, from_status=first_claim.status, to_status=statuses[0], caused_by=first.type,
        caused_by_event_id=str(first.event_id), reason=None, provider_id=first_claim.provider_id,
        amount=first_claim.amount, actor=first.actor, correlation_id=first.correlation_id)
    now = datetime.now(timezone.utc)
    for message, to_status in zip(messages, statuses):
        claim = claims[message.reference]
        history.append({"claim_reference": message.reference, "from_status": claim.status, "to_status": to_status,
                        "caused_by": message.type, "event_id": str(message.event_id),
                        "actor_email": message.actor.email if message.actor else None, "reason": None,
                        "changed_at": message.occurred_at})
        uow.emit(template.model_copy(update={
            "event_id": uuid.uuid4(), "occurred_at": now, "reference": message.reference,
            "from_status": claim.status, "to_status": to_status, "caused_by_event_id": str(message.event_id),
            "provider_id": claim.provider_id, "amount": claim.amount, "actor": message.actor,
            "correlation_id": message.correlation_id}))
    await bulk.add_history(history)
