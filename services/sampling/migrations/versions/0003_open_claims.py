"""open claims list and status counts: a projected status change becomes a HOT update

When claims applies a confirmed sample, sampling projects 100,000 status changes (paid → Sampling
in progress). Each was a new version of the projected claim with a new entry in every index,
because ``ix_sampling_claims_status`` named ``status``: 26–35 µs of the database's CPU per claim,
the largest part of sampling's share of the apply (measured at 100,000 claims).

Now no index of ``claims`` names ``status`` or ``awaiting``, and its pages keep half their room
free (``fillfactor = 50``), so a status change is a HOT update: 13 µs. What the index served moves
to two small tables kept by statement-level triggers in the same transaction as every write:

- ``open_claims (reference, status, awaiting)``: the claims the Sampling section lists, those
  waiting for a provider response or a support decision (``sampling_in_progress``,
  ``sampling_provider_not_approved``), read in reference order by its primary key. A claim enters
  when it reaches one of those statuses and leaves when it moves on. With the HOT update, a claim
  entering the list costs 15–17 µs of CPU in all, instead of 26–31 (A/B in one run, 100,000
  claims, statements of 2,000).
- ``claim_status_counts (status, awaiting, n)``: the number of claims per status and awaiting
  state, as rows of deltas summed on read (the "cannot upload" states and the summary), like the
  claims service's ``claim_counts``: writers only append, so they never wait on each other; every
  256th statement compacts it under a try-lock.

``fillfactor`` only governs pages written from now on (``VACUUM FULL claims`` gives existing ones
the room at once).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 07:15:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

#: The statuses of ``open_claims`` (``wording.WAITING`` when this migration was written).
OPEN = "('sampling_in_progress', 'sampling_provider_not_approved')"

_COUNT = """
        INSERT INTO claim_status_counts (status, awaiting, n)
        SELECT status, awaiting, sum(delta) FROM (%s) changes GROUP BY status, awaiting HAVING sum(delta) <> 0;"""
_ADDED = "SELECT status, awaiting, 1 AS delta FROM new_rows"
_REMOVED = "SELECT status, awaiting, -1 AS delta FROM old_rows"
# A claim's move as the update's transition tables tell it (each claim is once in each).
_MOVES = "new_rows n JOIN old_rows o ON o.reference = n.reference"

# Each branch names only the transition tables its trigger declares (PL/pgSQL plans a statement
# when it first runs it). The two transition tables are joined to each other (a hash join of a
# few thousand rows); ``open_claims`` is only ever reached through its primary key, one probe per
# claim (``enable_seqscan = off``: with the statistics of a new, empty list the planner scanned the
# whole list once per statement, 4 ms for 2,000 claims at 40,000 open ones). Only claims that enter,
# leave or change within the list touch it; the rest of an update (a payment run) reads nothing.
FUNCTION = f"""
CREATE FUNCTION sampling_claims_lists() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM open_claims;
        DELETE FROM claim_status_counts;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO open_claims (reference, status, awaiting)
        SELECT reference, status, awaiting FROM new_rows WHERE status IN {OPEN};{_COUNT % _ADDED}
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM open_claims WHERE reference = ANY(ARRAY(SELECT reference FROM old_rows WHERE status IN {OPEN}));{
            _COUNT % _REMOVED}
    ELSE
        DELETE FROM open_claims WHERE reference = ANY(ARRAY(
            SELECT n.reference FROM {_MOVES} WHERE o.status IN {OPEN} AND n.status NOT IN {OPEN}));
        UPDATE open_claims l SET status = m.status, awaiting = m.awaiting
        FROM (SELECT n.reference, n.status, n.awaiting FROM {_MOVES}
              WHERE o.status IN {OPEN} AND n.status IN {OPEN}
                AND (n.status, n.awaiting) IS DISTINCT FROM (o.status, o.awaiting)) m
        WHERE l.reference = m.reference;
        INSERT INTO open_claims (reference, status, awaiting)
        SELECT n.reference, n.status, n.awaiting FROM {_MOVES} WHERE o.status NOT IN {OPEN} AND n.status IN {OPEN};{
            _COUNT % (_ADDED + ' UNION ALL ' + _REMOVED)}
    END IF;
    IF nextval('claim_status_counts_compaction') % 256 = 0
       AND pg_try_advisory_xact_lock(hashtext('claim_status_counts')) THEN
        WITH gone AS (DELETE FROM claim_status_counts RETURNING status, awaiting, n)
        INSERT INTO claim_status_counts (status, awaiting, n)
        SELECT status, awaiting, sum(n) FROM gone GROUP BY status, awaiting HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END
$$"""

TRIGGERS = {"insert": "AFTER INSERT ON claims REFERENCING NEW TABLE AS new_rows",
            "update": "AFTER UPDATE ON claims REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "delete": "AFTER DELETE ON claims REFERENCING OLD TABLE AS old_rows",
            "truncate": "AFTER TRUNCATE ON claims"}


def upgrade() -> None:
    op.create_table('open_claims',
    sa.Column('reference', sa.Text(), primary_key=True),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('awaiting', sa.Text(), nullable=True),
    )
    op.create_table('claim_status_counts',
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('awaiting', sa.Text(), nullable=True),
    sa.Column('n', sa.BigInteger(), nullable=False),
    )
    op.execute("CREATE SEQUENCE claim_status_counts_compaction")
    op.execute(FUNCTION)
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER sampling_claims_lists_{name} {when} FOR EACH STATEMENT "
                   "EXECUTE FUNCTION sampling_claims_lists()")
    op.execute(f"INSERT INTO open_claims (reference, status, awaiting) "
               f"SELECT reference, status, awaiting FROM claims WHERE status IN {OPEN}")
    op.execute("INSERT INTO claim_status_counts (status, awaiting, n) "
               "SELECT status, awaiting, count(*) FROM claims GROUP BY status, awaiting")
    op.drop_index('ix_sampling_claims_status', table_name='claims')
    op.execute("ALTER TABLE claims SET (fillfactor = 50)")
    op.execute("ANALYZE open_claims")


def downgrade() -> None:
    op.execute("ALTER TABLE claims RESET (fillfactor)")
    op.create_index('ix_sampling_claims_status', 'claims', ['status', 'reference'])
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER sampling_claims_lists_{name} ON claims")
    op.execute("DROP FUNCTION sampling_claims_lists()")
    op.execute("DROP SEQUENCE claim_status_counts_compaction")
    op.drop_table('claim_status_counts')
    op.drop_table('open_claims')
