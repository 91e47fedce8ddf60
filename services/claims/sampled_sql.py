"""The set-based statement that applies ``ClaimsSampled`` batches: the UPDATE of the claims (which
locks each row and re-checks its status), the history INSERT and the outbox INSERT of the changes,
in one statement whatever the run's size. It writes outbox rows, so only the unit of work runs it
(``ClaimsUnitOfWork.apply_sampled_batches``); the rule it applies is the handler's
(``handlers/sampled.py``).
"""
from __future__ import annotations

from sqlalchemy import text

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
ONE_EVENT_PER_CLAIM = text(_APPLY % f"""
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
ONE_EVENT_PER_PARTITION = text(_APPLY % f"""
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
PROBE_BY_KEY = text("SELECT set_config('enable_seqscan', 'off', true)")
PROBE_AS_BEFORE = text("RESET enable_seqscan")
