"""sampled claims: one index, keyed by the claim

A confirm writes every sampled claim in one statement (100,000 for the benchmark's sample), inside
the request's transaction, before claims can start applying it. ``sampled_claims`` had two
indexes: its primary key ``(provider_sampling_id, claim_reference)`` and ``(claim_reference)``.
Inserting 100,000 rows cost 0.89–0.92 s with both and 0.26–0.55 s with one (measured on their
own); the rows themselves, 0.08–0.16 s.

The primary key becomes ``(claim_reference, provider_sampling_id)``: still unique per provider
sampling, and its leading column serves every look-up by claim (is it waiting for a sampling to
apply? why was it sampled?), so the second index goes. What read by provider sampling (a
provider's file, built once at its first download, and the daily reminders) scans the table
instead: tens of milliseconds at 100,000 sampled claims.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 07:45:00
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint('sampled_claims_pkey', 'sampled_claims', type_='primary')
    op.create_primary_key('sampled_claims_pkey', 'sampled_claims', ['claim_reference', 'provider_sampling_id'])
    op.drop_index('ix_sampled_claims_reference', table_name='sampled_claims')


def downgrade() -> None:
    op.create_index('ix_sampled_claims_reference', 'sampled_claims', ['claim_reference'])
    op.drop_constraint('sampled_claims_pkey', 'sampled_claims', type_='primary')
    op.create_primary_key('sampled_claims_pkey', 'sampled_claims', ['provider_sampling_id', 'claim_reference'])
