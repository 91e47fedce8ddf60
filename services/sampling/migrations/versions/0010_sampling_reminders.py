"""reminders sent, keyed by (kind, recipient, due day): scheduled reminders go once per due day

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 12:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sampling_reminders",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.Text(), nullable=False, server_default="schedule"),
        sa.Column("claim_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("addresses", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.PrimaryKeyConstraint("kind", "recipient", "due_on", name="sampling_reminders_pkey"),
    )


def downgrade() -> None:
    op.drop_table("sampling_reminders")
