"""the hours an accredited provider confirms for a mentor it did not assure (docs/design.md §12):
proposed as the hours worked when support requests the clawback

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claim_mentors", sa.Column("hours_confirmed", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("claim_mentors", "hours_confirmed")
