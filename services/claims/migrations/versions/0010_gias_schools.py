"""schools from GIAS: phase, urban/rural, establishment status, close date and successor on each
school; pending GIAS uploads (validated, reviewed, confirmed once)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 10:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("schools", sa.Column("phase_of_education", sa.String(100), nullable=False, server_default=""))
    op.add_column("schools", sa.Column("urban_rural", sa.String(100), nullable=False, server_default=""))
    op.add_column("schools", sa.Column("establishment_status", sa.String(64), nullable=False, server_default="Open"))
    op.add_column("schools", sa.Column("closed_on", sa.Date, nullable=True))
    op.add_column("schools", sa.Column("successor_urn", sa.String(16), nullable=True))
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index("ix_schools_name_trgm", "schools", ["name"], postgresql_using="gin",
                    postgresql_ops={"name": "gin_trgm_ops"})
    op.create_table(
        "gias_uploads",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("links_file_name", sa.String(300), nullable=True),
        sa.Column("created_by", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("new_count", sa.Integer, nullable=False),
        sa.Column("changed_count", sa.Integer, nullable=False),
        sa.Column("closed_count", sa.Integer, nullable=False),
        sa.Column("schools", JSONB, nullable=True),
        sa.Column("trusts", JSONB, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("gias_uploads")
    op.drop_index("ix_schools_name_trgm", table_name="schools")
    for column in ("successor_urn", "closed_on", "establishment_status", "urban_rural", "phase_of_education"):
        op.drop_column("schools", column)
