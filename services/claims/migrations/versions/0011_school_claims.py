"""schools and trusts claim in the browser (docs/design.md §11): drafts may hold a mentor without hours yet;
a claim whose provider support marked invalid keeps the reason and when its next weekly reminder is
due; the TRNs of mentors the ECF engine knows (from EcfMentorRegistered)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("claim_mentors", "hours", nullable=True)
    op.add_column("claims", sa.Column("invalid_provider_reason", sa.Text(), nullable=True))
    op.add_column("claims", sa.Column("reminder_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_claims_reminder_due", "claims", ["reminder_due_at"],
                    postgresql_where=sa.text("reminder_due_at IS NOT NULL"))
    op.create_table(
        "ecf_mentors",
        sa.Column("trn", sa.String(7), primary_key=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("ecf_mentors")
    op.drop_index("ix_claims_reminder_due", table_name="claims")
    op.drop_column("claims", "reminder_due_at")
    op.drop_column("claims", "invalid_provider_reason")
    op.execute("DELETE FROM claim_mentors WHERE hours IS NULL")
    op.alter_column("claim_mentors", "hours", nullable=False)
