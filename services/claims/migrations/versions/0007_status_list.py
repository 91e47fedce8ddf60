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
  claim's status or submission time changes (``shared.platform.migrations.create_status_list``).

``fillfactor`` only governs pages written from now on: an existing database gets the free room as
its claims are rewritten (``VACUUM FULL claims`` gives it at once, under an exclusive lock).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 04:00:00
"""
from alembic import op
import sqlalchemy as sa

from shared.platform.migrations import create_status_list, drop_status_list

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claim_statuses',
    sa.Column('reference', sa.String(length=8), primary_key=True),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    )
    create_status_list(table='claims', status_list='claim_statuses', columns=('status', 'submitted_at'))
    op.create_index('ix_claim_statuses_list', 'claim_statuses',
                    ['status', sa.literal_column('submitted_at DESC NULLS LAST'), 'reference'])
    op.drop_index('ix_claims_status_submitted', table_name='claims')
    op.execute("ALTER TABLE claims SET (fillfactor = 50)")
    op.execute("ANALYZE claim_statuses")


def downgrade() -> None:
    op.execute("ALTER TABLE claims RESET (fillfactor)")
    op.create_index('ix_claims_status_submitted', 'claims',
                    ['status', sa.literal_column('submitted_at DESC NULLS LAST'), 'reference'])
    drop_status_list(table='claims', status_list='claim_statuses')
    op.drop_table('claim_statuses')
