"""Applying many sampling facts at once: a confirmed sample of 100,000 claims arrives as 100
``ClaimsSampled`` batches of 1,000 claims (or, from older publishers and replayed dead letters, as
single ``ClaimSampled`` events).

The rule is ``handlers.apply_fact``'s, unchanged: each claim moves by the status machine (only
``Trigger.SAMPLED``'s from-statuses move), under a row lock, with its history row and a
``ClaimStatusChanged``. Only the SQL is set-based.

- ``apply_claims_sampled``: a run of ``ClaimsSampled`` is one statement, whatever its size: the
  UPDATE (which locks each row and re-checks its status), the history INSERT and the outbox INSERT
  of the changes, built by the database from a validated template (``_APPLY``; a test decodes what
  it writes against the contract): one ``ClaimStatusesChanged`` per batch and partition of the
  claims topic, each change of it the ``ClaimStatusChanged`` it stands for (or, when the partition
  count is unknown, one ``ClaimStatusChanged`` per claim). A claim the
  machine refuses (unknown, in another status, or named twice) changes nothing and is
  dead-lettered alone, as the ``ClaimSampled`` it stands for (``ClaimsSampled.item``): the
  batch's other claims apply, as they would have one event at a time.
- ``apply_sampled_in_bulk``: a run of single ``ClaimSampled`` is one locking read, one UPDATE and
  one history INSERT; if any event of the run is refused the consumer undoes the run and applies
  its events one at a time, so the refused one alone is dead-lettered.
"""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import (ClaimSampled, ClaimsSampled, ClaimStatusChanged, DeadLetter, NotFound, Refused,
                              dead_letter_topic)

from shared.platform.messaging import partitions_for

from .domain.status import TRANSITIONS, Trigger, next_status
from .tables import status_changes
from .unit_of_work import ClaimsUnitOfWork

log = logging.getLogger(__name__)

#: What every applied claim of a ``ClaimsSampled`` is recorded as, in history and in
#: ``ClaimStatusChanged.caused_by``: the per-claim fact the batch carries.
CAUSED_BY = ClaimSampled.__name__

# One statement for a whole run of batches. ``items``: one row per claim (its batch's position
# ``m`` in ``batches``); ``batches``: per message its event id, actor, time and the wire form of
# its ClaimStatusChanged (every member but the claim's own). The UPDATE locks each claim and only
# moves those in a from-status of the trigger (``moves``), re-checked on the latest row version.
# Event ids are derived, not drawn: the item's id is md5(batch id || reference) as
# ``ClaimsSampled.item_event_id`` computes it, its ClaimStatusChanged's md5(item id ||
# 'ClaimStatusChanged'). The payload is built as json (in the members' order, no key sorting) and
# stored as it is built (the outbox keeps json text: a cast to jsonb here parsed every payload once
# more, and the column turned it back into text), with every member ClaimStatusChanged.to_wire() writes.
_APPLY = """
WITH batches AS (
    SELECT b.m, b.event_id, b.actor_email, b.changed_at, b.template::jsonb AS template
    FROM unnest(CAST(:batch_ids AS text[]), CAST(:actor_emails AS text[]), CAST(:changed_ats AS timestamptz[]),
                CAST(:templates AS text[])) WITH ORDINALITY AS b(event_id, actor_email, changed_at, template, m)
), items AS (
    SELECT i.reference, i.sample_reason, i.m, i.part, i.n
    FROM unnest(CAST(:refs AS text[]), CAST(:reasons AS text[]), CAST(:batch_of AS bigint[]), CAST(:parts AS int[]))
         WITH ORDINALITY AS i(reference, sample_reason, m, part, n)
), moves AS (
    SELECT * FROM unnest(CAST(:froms AS text[]), CAST(:tos AS text[])) AS t(from_status, to_status)
), changed AS (
    UPDATE claims c SET status = t.to_status, sample_reason = i.sample_reason, updated_at = now()
    FROM items i JOIN moves t ON true
    WHERE c.reference = i.reference AND c.status = t.from_status
    RETURNING c.reference, t.from_status, t.to_status, c.provider_id, c.amount, i.m, i.part, i.n
), applied AS (
    SELECT ch.*, md5(b.event_id || ch.reference)::uuid AS item_id, b.actor_email, b.changed_at
    FROM changed ch JOIN batches b ON b.m = ch.m
), history AS (
    INSERT INTO status_changes (claim_reference, from_status, to_status, caused_by, event_id, actor_email, reason,
                                changed_at)
    SELECT reference, from_status, to_status, :caused_by, item_id::text, actor_email, NULL, changed_at
    FROM applied ORDER BY n
), events AS (%s
)
SELECT coalesce(array_agg(i.n ORDER BY i.n) FILTER (WHERE ch.reference IS NULL), '{}') AS refused
FROM items i LEFT JOIN changed ch ON ch.reference = i.reference
"""


def _envelope(type_: str, event_id: str) -> str:
    """The members every message's wire form starts with, for ``json_build_object``: its type and
    id, and the rest of the envelope from the validated template ``t``."""
    return (f"'type', '{type_}', 'event_id', {event_id}::text, 'occurred_at', t->'occurred_at', "
            "'schema_version', t->'schema_version', 'correlation_id', t->'correlation_id', 'actor', t->'actor'")


# One ClaimStatusChanged per claim (the claims topic's partition count is not known).
_ONE_EVENT_PER_CLAIM = text(_APPLY % f"""
    INSERT INTO outbox (event_id, topic, key, type, payload)
    SELECT a.changed_id, :topic, a.reference, 'ClaimStatusChanged',
           json_build_object(
               {_envelope('ClaimStatusChanged', 'a.changed_id')},
               'reference', a.reference, 'from_status', a.from_status, 'to_status', a.to_status,
               'caused_by', t->'caused_by', 'caused_by_event_id', a.item_id::text, 'reason', NULL,
               'provider_id', a.provider_id, 'amount', a.amount::text)
    FROM (SELECT ap.*, md5(ap.item_id::text || 'ClaimStatusChanged')::uuid AS changed_id, b.template AS t
          FROM applied ap JOIN batches b ON b.m = ap.m) a ORDER BY a.n""")
# One ClaimStatusesChanged per batch and partition of the claims topic (``part``: the partition of
# the claim's reference, computed by the caller as the relay will): keyed by its first claim, so it
# travels where each of its claims' other events do. Its id: md5(batch id || type || partition).
# Grouped by batch and partition alone, the batch's values joined after: a sort keyed by the batch's
# template too compared jsonb 30,000 times for 3,000 claims (25 ms).
_ONE_EVENT_PER_PARTITION = text(_APPLY % f"""
    INSERT INTO outbox (event_id, topic, key, type, payload)
    SELECT g.event_id, :topic, g.first_reference, 'ClaimStatusesChanged',
           json_build_object(
               {_envelope('ClaimStatusesChanged', 'g.event_id')},
               'caused_by', t->'caused_by', 'reason', NULL, 'changes', g.changes)
    FROM (SELECT a.m, a.part, md5(b.event_id || 'ClaimStatusesChanged' || a.part)::uuid AS event_id,
                 a.first_reference, b.template AS t, a.changes
          FROM (SELECT m, part, (array_agg(reference ORDER BY n))[1] AS first_reference,
                       json_agg(json_build_object(
                           'reference', reference, 'from_status', from_status, 'to_status', to_status,
                           'caused_by_event_id', item_id::text, 'provider_id', provider_id,
                           'amount', amount::text) ORDER BY n) AS changes
                FROM applied GROUP BY m, part) a
          JOIN batches b ON b.m = a.m) g
    ORDER BY g.m, g.part""")


# The statement above is planned for a few thousand claims at a time. With the default costs the
# planner finds each of them by hashing the whole claims table (a sequential scan of every claim,
# 15-30 ms at 100,000 claims for each statement of 3,000, and ten times that at a million) rather
# than by 3,000 primary-key probes; with sequential scans off for that statement alone it probes,
# and the statement's run went from 112-158 to 84-88 ms (EXPLAIN ANALYZE, alternately, 100,000 paid
# claims). The setting is put back for the rest of the consumer's transaction.
_PROBE_BY_KEY = text("SELECT set_config('enable_seqscan', 'off', true)")
_PROBE_AS_BEFORE = text("RESET enable_seqscan")


@dataclass(frozen=True)
class ItemDeadLetters:
    """Where a refused claim of a batch is dead-lettered: the consumer group's dead-letter topic,
    named after the topic the batch came from (``claimflow dlq replay`` publishes the claim's
    ``ClaimSampled`` there). The claim's offset is not its own: partition and offset are -1."""

    group: str
    original_topic: str


async def apply_claims_sampled(messages: list[ClaimsSampled], uow: ClaimsUnitOfWork, *,
                               dead_letters: ItemDeadLetters,
                               events_partitions: Callable[[], int | None] = lambda: None) -> None:
    """Apply a run of ``ClaimsSampled`` batches in one statement; refused claims are dead-lettered
    one by one and the others apply (module docstring). ``events_partitions`` says how many
    partitions the claims topic has: when it is known, the changes are published as one
    ``ClaimStatusesChanged`` per batch and partition, otherwise one ``ClaimStatusChanged`` each."""
    trigger = Trigger.SAMPLED
    moves = TRANSITIONS[trigger]
    first_seen: set[str] = set()
    items: list[tuple[int, Any]] = []  # (batch position, item), each claim once, in order
    repeats: list[tuple[int, Any]] = []  # a claim named again: refused once the first has applied
    for m, message in enumerate(messages):
        for item in message.claims:
            (repeats if item.reference in first_seen else items).append((m, item))
            first_seen.add(item.reference)
    if not items:
        return
    now = datetime.now(timezone.utc)
    templates = []
    for message in messages:
        # Every member but the claim's own values, from a validated message: actor, time, ids.
        template = ClaimStatusChanged(
            reference="-", from_status="-", to_status="-", caused_by=CAUSED_BY, caused_by_event_id="-",
            reason=None, provider_id="-", amount=Decimal("0"), actor=message.actor,
            correlation_id=message.correlation_id, occurred_at=now).to_wire()
        templates.append(json.dumps(template))
    # Outbox rows are written here, before the events other handlers of this consumer batch queue
    # for commit. Per claim that keeps the order: an event of a claim sampled here was published
    # (sampling saw it paid) so none of its events can still be waiting in this transaction.
    partitions = events_partitions()
    statement = _ONE_EVENT_PER_PARTITION if partitions else _ONE_EVENT_PER_CLAIM
    await uow.session.execute(_PROBE_BY_KEY)
    row = (await uow.session.execute(statement, {
        "batch_ids": [str(m.event_id) for m in messages],
        "actor_emails": [m.actor.email if m.actor else None for m in messages],
        "changed_ats": [m.occurred_at for m in messages], "templates": templates,
        "refs": [item.reference for _, item in items], "reasons": [item.sample_reason for _, item in items],
        "batch_of": [m + 1 for m, _ in items],
        "parts": partitions_for([item.reference for _, item in items], partitions) if partitions else [0] * len(items),
        "froms": list(moves), "tos": list(moves.values()), "caused_by": CAUSED_BY,
        "topic": ClaimStatusChanged.topic})).one()
    await uow.session.execute(_PROBE_AS_BEFORE)
    uow.events_written()  # the commit wakes the relay for the ClaimStatusChanged rows written above
    refused = [items[n - 1] for n in row.refused] + repeats
    if refused:
        await _dead_letter_refused(uow, messages, refused, trigger=trigger, dead_letters=dead_letters)


async def _dead_letter_refused(uow: ClaimsUnitOfWork, messages: list[ClaimsSampled], refused: list[tuple[int, Any]],
                               *, trigger: Trigger, dead_letters: ItemDeadLetters) -> None:
    """Each refused claim dead-lettered alone, with the status machine's words for why (its
    status now: for a claim named twice, the status the first mention moved it to)."""
    statuses = dict((await uow.session.execute(
        text("SELECT reference, status FROM claims WHERE reference = ANY(CAST(:refs AS text[]))"),
        {"refs": [item.reference for _, item in refused]})).all())
    for m, item in refused:
        fact = messages[m].item(item)
        error = _refusal(item.reference, statuses.get(item.reference), trigger)
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


def _refusal(reference: str, status: str | None, trigger: Trigger) -> str:
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


# --------------------------------------------------------------------------------------------
# Single ClaimSampled events (older publishers, replayed dead letters)
# --------------------------------------------------------------------------------------------
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
