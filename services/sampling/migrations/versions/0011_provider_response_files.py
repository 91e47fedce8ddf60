"""a provider response kept as one file per accredited provider; uploads a provider made in its own account

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("uploads", sa.Column("provider_scope", postgresql.ARRAY(sa.Text()), nullable=True))
    op.create_table(
        "response_files",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("upload_id", sa.String(64), sa.ForeignKey("uploads.id"), nullable=False),
        sa.Column("provider_id", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("source_file_name", sa.Text(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_response_files_upload_id", "response_files", ["upload_id"])


def downgrade() -> None:
    op.drop_index("ix_response_files_upload_id", table_name="response_files")
    op.drop_table("response_files")
    op.drop_column("uploads", "provider_scope")
