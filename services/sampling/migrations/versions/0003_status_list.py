"""status list: a status change of the claims projection becomes a HOT update

Sampling's projection of the claims takes every status change claims publishes: 100,000 when a
confirmed sample applies. Each was a new row version with an entry in each index of the projection,
because ``status`` was indexed (``ix_sampling_claims_status``, for the list of claims waiting on a
provider). Now the projection's pages keep half their room (``fillfactor = 50``) and no index of it
names ``status``, so the change (and the ``awaiting`` mark a confirm sets) goes on the same page with
no index entry. The waiting list reads ``claim_statuses (reference, status)`` instead, kept by
statement-level triggers in the same transaction (``shared.platform.migrations.create_status_list``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 05:10:00
"""
from alembic import op
import sqlalchemy as sa

from shared.platform.migrations import create_status_list, drop_status_list

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claim_statuses',
    sa.Column('reference', sa.Text(), primary_key=True),
    sa.Column('status', sa.Text(), nullable=False),
    )
    create_status_list(table='claims', status_list='claim_statuses', columns=('status',))
    op.create_index('ix_sampling_claim_statuses', 'claim_statuses', ['status', 'reference'])
    op.drop_index('ix_sampling_claims_status', table_name='claims')
    op.execute("ALTER TABLE claims SET (fillfactor = 50)")
    op.execute("ANALYZE claim_statuses")


def downgrade() -> None:
    op.execute("ALTER TABLE claims RESET (fillfactor)")
    op.create_index('ix_sampling_claims_status', 'claims', ['status', 'reference'])
    drop_status_list(table='claims', status_list='claim_statuses')
    op.drop_table('claim_statuses')
