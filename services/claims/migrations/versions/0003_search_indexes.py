"""search indexes and exact counts

Support search (docs/design.md §3, §9) over a million claims within 50 ms at p95:

- Each list order the repository asks for, ``ORDER BY <column> [DESC NULLS LAST], reference``, has an
  index whose order is exactly that (NULLS LAST included: the old ``submitted_at DESC`` index put
  nulls first, so the default list sorted the whole table), optionally behind the equality filter
  that most often comes with it (status, trust of a MAT user, provider). Deep pages then read
  ``offset + per_page`` index entries instead of sorting every match.
- ``claim_counts`` keeps the exact number of claims per (status, claim window, academic year, trust)
  as rows of deltas summed on read, so the total of a list filtered by nothing but those columns
  is a sum over a few hundred rows instead of a count over up to a million. Statement-level
  triggers on claims append the deltas in the same transaction; they never update a shared row,
  so writers never wait on each other nor deadlock (a consumer batch applies hundreds of status
  changes in one transaction). Updates that move no claim between groups (assignment, sampling
  fields) append nothing. Every 256th statement compacts the table (one row per group) under a
  try-lock: a compaction deletes only committed or its own rows, which no other writer locks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

DIMENSIONS = "status, claim_window_id, academic_year, trust_id"

# Each branch names only the transition tables its trigger declares (PL/pgSQL plans a statement
# when it first runs it, so the other branches never see tables that do not exist).
_APPEND = f"""
        INSERT INTO claim_counts ({DIMENSIONS}, n)
        SELECT {DIMENSIONS}, sum(delta) FROM (%s) changes GROUP BY {DIMENSIONS} HAVING sum(delta) <> 0;"""
_ADDED = f"SELECT {DIMENSIONS}, 1 AS delta FROM new_rows"
_REMOVED = f"SELECT {DIMENSIONS}, -1 AS delta FROM old_rows"
COUNT_FUNCTION = f"""
CREATE FUNCTION claim_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM claim_counts;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN{_APPEND % _ADDED}
    ELSIF TG_OP = 'DELETE' THEN{_APPEND % _REMOVED}
    ELSE{_APPEND % (_ADDED + ' UNION ALL ' + _REMOVED)}
    END IF;
    IF nextval('claim_counts_compaction') % 256 = 0 AND pg_try_advisory_xact_lock(hashtext('claim_counts')) THEN
        WITH gone AS (DELETE FROM claim_counts RETURNING {DIMENSIONS}, n)
        INSERT INTO claim_counts ({DIMENSIONS}, n)
        SELECT {DIMENSIONS}, sum(n) FROM gone GROUP BY {DIMENSIONS} HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    for name in ('ix_claims_submitted', 'ix_claims_status_submitted', 'ix_claims_trust', 'ix_claims_provider'):
        op.drop_index(name, table_name='claims')
    newest = sa.literal_column('submitted_at DESC NULLS LAST')
    op.create_index('ix_claims_submitted', 'claims', [newest, 'reference'])
    op.create_index('ix_claims_status_submitted', 'claims', ['status', newest, 'reference'])
    op.create_index('ix_claims_trust', 'claims', ['trust_id', newest, 'reference'])
    op.create_index('ix_claims_provider', 'claims', ['provider_id', newest, 'reference'])
    op.create_index('ix_claims_school_name', 'claims', ['school_name', 'reference'])
    op.create_index('ix_claims_provider_name', 'claims', ['provider_name', 'reference'])
    op.create_index('ix_claims_amount', 'claims', ['amount', 'reference'])

    op.create_table('claim_counts',
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('claim_window_id', sa.String(length=64), nullable=False),
    sa.Column('academic_year', sa.String(length=16), nullable=False),
    sa.Column('trust_id', sa.String(length=64), nullable=True),
    sa.Column('n', sa.BigInteger(), nullable=False),
    )
    op.execute("CREATE SEQUENCE claim_counts_compaction")
    op.execute(COUNT_FUNCTION)
    # One trigger per operation, each declaring the transition tables that operation has.
    op.execute("CREATE TRIGGER claim_counts_insert AFTER INSERT ON claims REFERENCING NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION claim_counts_apply()")
    op.execute("CREATE TRIGGER claim_counts_update AFTER UPDATE ON claims "
               "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claim_counts_apply()")
    op.execute("CREATE TRIGGER claim_counts_delete AFTER DELETE ON claims REFERENCING OLD TABLE AS old_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION claim_counts_apply()")
    op.execute("CREATE TRIGGER claim_counts_truncate AFTER TRUNCATE ON claims "
               "FOR EACH STATEMENT EXECUTE FUNCTION claim_counts_apply()")
    op.execute(f"INSERT INTO claim_counts ({DIMENSIONS}, n) SELECT {DIMENSIONS}, count(*) FROM claims GROUP BY {DIMENSIONS}")


def downgrade() -> None:
    for trigger in ('claim_counts_insert', 'claim_counts_update', 'claim_counts_delete', 'claim_counts_truncate'):
        op.execute(f"DROP TRIGGER {trigger} ON claims")
    op.execute("DROP FUNCTION claim_counts_apply()")
    op.execute("DROP SEQUENCE claim_counts_compaction")
    op.drop_table('claim_counts')
    for name in ('ix_claims_amount', 'ix_claims_provider_name', 'ix_claims_school_name', 'ix_claims_provider',
                 'ix_claims_trust', 'ix_claims_status_submitted', 'ix_claims_submitted'):
        op.drop_index(name, table_name='claims')
    op.create_index('ix_claims_provider', 'claims', ['provider_id'])
    op.create_index('ix_claims_trust', 'claims', ['trust_id'])
    op.create_index('ix_claims_status_submitted', 'claims', ['status', sa.literal_column('submitted_at DESC')])
    op.create_index('ix_claims_submitted', 'claims', [sa.literal_column('submitted_at DESC')])
