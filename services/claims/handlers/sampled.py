"""Applying many sampling facts at once: a confirmed sample of 100,000 claims arrives as 100
``ClaimsSampled`` batches of 1,000 claims (or, from older publishers and replayed dead letters, as
single ``ClaimSampled`` events).

The rule is ``handle_fact``'s, unchanged: each claim moves by the status machine (only
``Trigger.SAMPLED``'s from-statuses move), under a row lock, with its history row and a
``ClaimStatusChanged``. Only the SQL is set-based.

- ``handle_claims_sampled``: a run of ``ClaimsSampled`` is one statement, whatever its size, run by
  the unit of work (``ClaimsUnitOfWork.apply_sampled_batches``, ``sampled_sql.py``; a test decodes
  what it writes against the contract): one ``ClaimStatusesChanged`` per batch and partition of the
  claims topic, each change of it the ``ClaimStatusChanged`` it stands for (or, when the partition
  count is unknown, one ``ClaimStatusChanged`` per claim). A claim the machine refuses (unknown, in
  another status, or named twice) changes nothing and is dead-lettered alone, as the
  ``ClaimSampled`` it stands for (``ClaimsSampled.item``): the batch's other claims apply, as they
  would have one event at a time.
- ``handle_sampled_in_bulk``: a run of single ``ClaimSampled`` is one locking read, one UPDATE and
  one history INSERT (``bulk_repository.py``); if any event of the run is refused the consumer
  undoes the run and applies its events one at a time, so the refused one alone is dead-lettered.
"""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from shared.contracts import (ClaimSampled, ClaimsSampled, ClaimStatusChanged, DeadLetter, NotFound, Refused,
                              dead_letter_topic)
from shared.platform.messaging import partitions_for

from ..domain.status import TRANSITIONS, Trigger, next_status
from ..ports import Clock, ClaimsUnitOfWork

log = logging.getLogger(__name__)

#: What every applied claim of a ``ClaimsSampled`` is recorded as, in history and in
#: ``ClaimStatusChanged.caused_by``: the per-claim fact the batch carries.
CAUSED_BY = ClaimSampled.__name__


@dataclass(frozen=True)
class ItemDeadLetters:
    """Where a refused claim of a batch is dead-lettered: the consumer group's dead-letter topic,
    named after the topic the batch came from (``claimflow dlq replay`` publishes the claim's
    ``ClaimSampled`` there). The claim's offset is not its own: partition and offset are -1."""

    group: str
    original_topic: str


async def handle_claims_sampled(messages: list[ClaimsSampled], uow: ClaimsUnitOfWork, clock: Clock, *,
                                dead_letters: ItemDeadLetters,
                                events_partitions: Callable[[], int | None] = lambda: None) -> None:
    """Apply a run of ``ClaimsSampled`` batches in one statement; refused claims are dead-lettered
    one by one and the others apply (module docstring). ``events_partitions`` says how many
    partitions the claims topic has: when it is known, the changes are published as one
    ``ClaimStatusesChanged`` per batch and partition, otherwise one ``ClaimStatusChanged`` each."""
    trigger = Trigger.SAMPLED
    first_seen: set[str] = set()
    items: list[tuple[int, Any]] = []  # (batch position, item), each claim once, in order
    repeats: list[tuple[int, Any]] = []  # a claim named again: refused once the first has applied
    for m, message in enumerate(messages):
        for item in message.claims:
            (repeats if item.reference in first_seen else items).append((m, item))
            first_seen.add(item.reference)
    if not items:
        return
    now = clock.now()
    templates = []
    for message in messages:
        # Every member but the claim's own values, from a validated message: actor, time, ids.
        template = ClaimStatusChanged(
            reference="-", from_status="-", to_status="-", caused_by=CAUSED_BY, caused_by_event_id="-",
            reason=None, provider_id="-", amount=Decimal("0"), actor=message.actor,
            correlation_id=message.correlation_id, occurred_at=now).to_wire()
        templates.append(json.dumps(template))
    references = [item.reference for _, item in items]
    partitions = events_partitions()
    refused_at = await uow.apply_sampled_batches(
        batch_ids=[str(m.event_id) for m in messages],
        actor_emails=[m.actor.email if m.actor else None for m in messages],
        changed_ats=[m.occurred_at for m in messages], templates=templates,
        references=references, reasons=[item.sample_reason for _, item in items],
        batch_of=[m + 1 for m, _ in items],
        partitions=partitions_for(references, partitions) if partitions else None,
        moves=TRANSITIONS[trigger], caused_by=CAUSED_BY, topic=ClaimStatusChanged.topic)
    refused = [items[n - 1] for n in refused_at] + repeats
    if refused:
        await _dead_letter_refused(uow, messages, refused, trigger=trigger, dead_letters=dead_letters)


async def _dead_letter_refused(uow: ClaimsUnitOfWork, messages: list[ClaimsSampled], refused: list[tuple[int, Any]],
                               *, trigger: Trigger, dead_letters: ItemDeadLetters) -> None:
    """Each refused claim dead-lettered alone, with the status machine's words for why (its
    status now: for a claim named twice, the status the first mention moved it to)."""
    statuses = await uow.bulk.statuses([item.reference for _, item in refused])
    for m, item in refused:
        fact = messages[m].item(item)
        error = refusal(item.reference, statuses.get(item.reference), trigger)
        uow.emit(DeadLetter(
            group=dead_letters.group, original_topic=dead_letters.original_topic, original_partition=-1,
            original_offset=-1, original_key=fact.key, original_value=fact.encode().decode(),
            original_event_id=str(fact.event_id), error=error, correlation_id=fact.correlation_id),
            topic=dead_letter_topic(dead_letters.group))
        await uow.record_dead_letter(consumer_group=dead_letters.group, event_id=str(fact.event_id),
                                     topic=dead_letters.original_topic, partition=-1, offset=-1, error=error)
        log.error("dead-lettered a claim of a ClaimsSampled batch: %s", error,
                  extra={"group": dead_letters.group, "batch_event_id": str(messages[m].event_id),
                         "event_id": str(fact.event_id)})


def refusal(reference: str, status: str | None, trigger: Trigger) -> str:
    """Why the status machine refuses ``trigger`` for this claim, in its own words."""
    if status is None:
        return NotFound(f"There is no claim with the reference {reference}", field="reference").message
    try:
        next_status(reference, status, trigger)
    except Refused as exc:
        return exc.message
    # Reached only if another transaction moved the claim between the UPDATE and this read (a
    # claim the UPDATE left alone is not locked): replaying the dead letter applies it then.
    return f"Claim {reference} could not be {trigger.value}: its status changed while it was applied"


async def handle_sampled_in_bulk(messages: list[ClaimSampled], uow: ClaimsUnitOfWork, clock: Clock) -> None:
    """A run of single ``ClaimSampled`` applied set-based; any refusal refuses the whole run (the
    consumer then applies its events one at a time)."""
    references = [m.reference for m in messages]
    if len(set(references)) != len(references):
        raise Refused("the same claim is sampled twice in one run")
    claims = await uow.bulk.lock(references)
    statuses, history = [], []
    for message in messages:
        claim = claims.get(message.reference)
        if claim is None:
            raise NotFound(f"There is no claim with the reference {message.reference}", field="reference")
        statuses.append(next_status(message.reference, claim.status, Trigger.SAMPLED))
    await uow.bulk.sample(references, statuses, [m.sample_reason for m in messages])
    # One validated event, copied per claim with its own values (every value comes from a
    # validated message or the claims table): a run of thousands costs no validation each.
    first, first_claim = messages[0], claims[messages[0].reference]
    template = ClaimStatusChanged(
        reference=first.reference, from_status=first_claim.status, to_status=statuses[0], caused_by=first.type,
        caused_by_event_id=str(first.event_id), reason=None, provider_id=first_claim.provider_id,
        amount=first_claim.amount, actor=first.actor, correlation_id=first.correlation_id)
    now = clock.now()
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
    await uow.bulk.add_history(history)
