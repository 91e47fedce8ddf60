"""the generated sample (docs/design.md §13): what the strata and the mentor rule need on each projected
claim, and the method, parameters, seed and report of a generated sample upload

- ``claims``: ``school_type_of_establishment``, ``school_phase_of_education``,
  ``school_urban_rural`` (from ``ClaimSubmitted.school``) and ``submitted_by_name``; "" for claims
  projected before (they fall in the "Unknown" strata, and are never in the mentor share).
- ``uploads.generation``: null for an uploaded file; for a generated sample, the method, parameters,
  seed, report and claim window it was drawn from (the activity log and the sample CSV read it).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 06:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_COLUMNS = ("school_type_of_establishment", "school_phase_of_education", "school_urban_rural", "submitted_by_name")


def upgrade() -> None:
    for column in _COLUMNS:
        op.add_column("claims", sa.Column(column, sa.Text, nullable=False, server_default=""))
    op.add_column("uploads", sa.Column("generation", JSONB, nullable=True))
    op.create_index("ix_sampling_claims_window", "claims", ["claim_window_id"])
    op.create_index("ix_sampling_claims_academic_year", "claims", ["academic_year"])


def downgrade() -> None:
    op.drop_index("ix_sampling_claims_academic_year", table_name="claims")
    op.drop_index("ix_sampling_claims_window", table_name="claims")
    op.drop_column("uploads", "generation")
    for column in reversed(_COLUMNS):
        op.drop_column("claims", column)
