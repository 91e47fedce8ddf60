"""each provider answer to a sampled claim: how it came (file, account, by support), when, the reasons

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:20:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provider_answers",
        sa.Column("claim_reference", sa.Text(), primary_key=True),
        sa.Column("provider_id", sa.Text(), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("assured", sa.Boolean(), nullable=False),
        sa.Column("reason_codes", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("answered_by", sa.Text(), nullable=False, server_default=""),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("upload_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_provider_answers_provider_id", "provider_answers", ["provider_id"])


def downgrade() -> None:
    op.drop_index("ix_provider_answers_provider_id", table_name="provider_answers")
    op.drop_table("provider_answers")
