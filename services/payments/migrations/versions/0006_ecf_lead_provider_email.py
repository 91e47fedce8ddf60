"""ecf: a lead provider's email address (optional), for the reminders before each output statement's
deadline (docs/design.md §15)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 12:20:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('ecf_lead_providers', sa.Column('email', sa.String(320), nullable=True))


def downgrade() -> None:
    op.drop_column('ecf_lead_providers', 'email')
