"""status list: a claim's status change becomes a HOT update

A confirmed sample moves 100,000 claims to Sampling in progress in one apply, and payments move as
many. Each move was a new version of the claim's row with a new entry in every one of its 11
secondary indexes, because ``status`` was in one of them (``ix_claims_status_submitted``): about
90 µs of the claims database's CPU per claim, most of the apply.

Now nothing on ``claims`` indexes ``status``, and its pages keep half their room free
(``fillfactor = 50``), so the new version of a claim whose status (or sample reason, assignment...)
changes goes on the same page without any index entry: a HOT update. The one index that needed the
status moves to a narrow table of its own:

- ``claim_statuses (reference, status, submitted_at)``, one row per claim, with the index the status
  filter of the support list reads, ``(status, submitted_at DESC NULLS LAST, reference)``;
- kept by statement-level triggers on ``claims`` in the same transaction (every writer: the
  repository, the set-based SQL of bulk applies, the seed, COPY), which write a row only when a
  claim's status or submission time changes. A claim's reference is its primary key and never
  changes.

``fillfactor`` only governs pages written from now on: an existing database gets the free room as
its claims are rewritten (``VACUUM FULL claims`` gives it at once, under an exclusive lock).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 04:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Each branch names only the transition tables its trigger declares (as claim_counts_apply does).
# The changed claims are found by their primary key, one probe each: without the settings the planner
# hashes the whole table for a statement of a few thousand claims (38 ms of 82 for 3,000 claims among
# 100,000; ten times that at a million).
STATUS_FUNCTION = """
CREATE FUNCTION claim_statuses_apply() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM claim_statuses;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO claim_statuses (reference, status, submitted_at)
        SELECT reference, status, submitted_at FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM claim_statuses s USING old_rows o WHERE s.reference = o.reference;
    ELSE
        UPDATE claim_statuses s SET status = n.status, submitted_at = n.submitted_at
        FROM new_rows n
        WHERE s.reference = n.reference
          AND (s.status IS DISTINCT FROM n.status OR s.submitted_at IS DISTINCT FROM n.submitted_at);
    END IF;
    RETURN NULL;
END
$$
"""
TRIGGERS = {
    'claim_statuses_insert': "AFTER INSERT ON claims REFERENCING NEW TABLE AS new_rows",
    'claim_statuses_update': "AFTER UPDATE ON claims REFERENCING NEW TABLE AS new_rows",
    'claim_statuses_delete': "AFTER DELETE ON claims REFERENCING OLD TABLE AS old_rows",
    'claim_statuses_truncate': "AFTER TRUNCATE ON claims",
}


def upgrade() -> None:
    op.create_table('claim_statuses',
    sa.Column('reference', sa.String(length=8), primary_key=True),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.execute("INSERT INTO claim_statuses (reference, status, submitted_at) "
               "SELECT reference, status, submitted_at FROM claims")
    op.create_index('ix_claim_statuses_list', 'claim_statuses',
                    ['status', sa.literal_column('submitted_at DESC NULLS LAST'), 'reference'])
    op.execute(STATUS_FUNCTION)
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION claim_statuses_apply()")
    op.drop_index('ix_claims_status_submitted', table_name='claims')
    op.execute("ALTER TABLE claims SET (fillfactor = 50)")
    op.execute("ANALYZE claim_statuses")


def downgrade() -> None:
    op.execute("ALTER TABLE claims RESET (fillfactor)")
    op.create_index('ix_claims_status_submitted', 'claims',
                    ['status', sa.literal_column('submitted_at DESC NULLS LAST'), 'reference'])
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON claims")
    op.execute("DROP FUNCTION claim_statuses_apply()")
    op.drop_table('claim_statuses')
