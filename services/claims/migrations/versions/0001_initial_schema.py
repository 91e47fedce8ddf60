"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 19:08:53.978932
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from shared.platform.schema_ops import create_messaging_tables, drop_messaging_tables

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Trigram indexes serve the support search (substring of reference, names).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('activity',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_email', sa.String(length=320), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('claim_references', sa.ARRAY(sa.String(length=8)), server_default='{}', nullable=False),
    sa.Column('files', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    op.create_index('ix_activity_claims', 'activity', ['claim_references'], unique=False, postgresql_using='gin')
    op.create_index('ix_activity_recent', 'activity', [sa.literal_column('occurred_at DESC'), sa.literal_column('id DESC')], unique=False)
    op.create_table('claim_windows',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('academic_year', sa.String(length=16), nullable=False),
    postgresql.ExcludeConstraint((sa.text("daterange(starts_on, ends_on, '[]')"), '&&'), using='gist', name='ex_windows_overlap'),
    sa.CheckConstraint('ends_on > starts_on', name='ck_window_dates'),
    sa.PrimaryKeyConstraint('id')
    )
    create_messaging_tables()
    op.create_table('providers',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('email_addresses', sa.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('trusts',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('schools',
    sa.Column('urn', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('postcode', sa.String(length=16), server_default='', nullable=False),
    sa.Column('local_authority', sa.String(length=200), server_default='', nullable=False),
    sa.Column('type_of_establishment', sa.String(length=200), server_default='', nullable=False),
    sa.Column('district_code', sa.String(length=16), nullable=True),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('trust_id', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['trust_id'], ['trusts.id'], ),
    sa.PrimaryKeyConstraint('urn')
    )
    op.create_index(op.f('ix_schools_trust_id'), 'schools', ['trust_id'], unique=False)
    op.create_table('claims',
    sa.Column('reference', sa.String(length=8), nullable=False),
    sa.Column('school_urn', sa.String(length=16), nullable=False),
    sa.Column('school_name', sa.String(length=300), nullable=False),
    sa.Column('trust_id', sa.String(length=64), nullable=True),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('provider_name', sa.String(length=300), nullable=False),
    sa.Column('claim_window_id', sa.String(length=64), nullable=False),
    sa.Column('academic_year', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('hourly_rate', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('total_hours', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('mentor_names', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('assigned_to', sa.String(length=320), nullable=True),
    sa.Column('sample_reason', sa.Text(), nullable=True),
    sa.Column('provider_comment', sa.Text(), nullable=True),
    sa.Column('clawback_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('unpaid_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['claim_window_id'], ['claim_windows.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], ),
    sa.ForeignKeyConstraint(['school_urn'], ['schools.urn'], ),
    sa.PrimaryKeyConstraint('reference')
    )
    op.create_index('ix_claims_assigned', 'claims', ['assigned_to'], unique=False)
    op.create_index('ix_claims_provider', 'claims', ['provider_id'], unique=False)
    op.create_index('ix_claims_reference_trgm', 'claims', ['reference'], unique=False, postgresql_using='gin', postgresql_ops={'reference': 'gin_trgm_ops'})
    op.create_index('ix_claims_school', 'claims', ['school_urn'], unique=False)
    op.execute("CREATE INDEX ix_claims_search_trgm ON claims USING gin "
               "((school_name || ' ' || provider_name || ' ' || mentor_names) gin_trgm_ops)")
    op.create_index('ix_claims_status_submitted', 'claims', ['status', sa.literal_column('submitted_at DESC')], unique=False)
    op.create_index('ix_claims_submitted', 'claims', [sa.literal_column('submitted_at DESC')], unique=False)
    op.create_index('ix_claims_trust', 'claims', ['trust_id'], unique=False)
    op.create_index('ix_claims_window', 'claims', ['claim_window_id'], unique=False)
    op.create_table('claim_mentors',
    sa.Column('claim_reference', sa.String(length=8), nullable=False),
    sa.Column('trn', sa.String(length=7), nullable=False),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('assured', sa.Boolean(), nullable=True),
    sa.Column('not_assured_reason', sa.Text(), nullable=True),
    sa.Column('hours_clawed_back', sa.Integer(), nullable=True),
    sa.CheckConstraint('hours >= 1', name='ck_mentor_hours'),
    sa.ForeignKeyConstraint(['claim_reference'], ['claims.reference'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('claim_reference', 'trn')
    )
    op.create_index('ix_claim_mentors_cap', 'claim_mentors', ['trn', 'provider_id'], unique=False)
    op.create_table('status_changes',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('claim_reference', sa.String(length=8), nullable=False),
    sa.Column('from_status', sa.String(length=40), nullable=True),
    sa.Column('to_status', sa.String(length=40), nullable=False),
    sa.Column('caused_by', sa.String(length=100), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=True),
    sa.Column('actor_email', sa.String(length=320), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['claim_reference'], ['claims.reference'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_status_changes_claim', 'status_changes', ['claim_reference', 'id'], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index('ix_status_changes_claim', table_name='status_changes')
    op.drop_table('status_changes')
    op.drop_index('ix_claim_mentors_cap', table_name='claim_mentors')
    op.drop_table('claim_mentors')
    op.drop_index('ix_claims_window', table_name='claims')
    op.drop_index('ix_claims_trust', table_name='claims')
    op.drop_index('ix_claims_submitted', table_name='claims')
    op.drop_index('ix_claims_status_submitted', table_name='claims')
    op.drop_index('ix_claims_school', table_name='claims')
    op.drop_index('ix_claims_reference_trgm', table_name='claims', postgresql_using='gin', postgresql_ops={'reference': 'gin_trgm_ops'})
    op.drop_index('ix_claims_provider', table_name='claims')
    op.drop_index('ix_claims_assigned', table_name='claims')
    op.drop_table('claims')
    op.drop_index(op.f('ix_schools_trust_id'), table_name='schools')
    op.drop_table('schools')
    op.drop_table('trusts')
    op.drop_table('providers')
    drop_messaging_tables()
    op.drop_table('claim_windows')
    op.drop_index('ix_activity_recent', table_name='activity')
    op.drop_index('ix_activity_claims', table_name='activity', postgresql_using='gin')
    op.drop_table('activity')
    # ### end Alembic commands ###
