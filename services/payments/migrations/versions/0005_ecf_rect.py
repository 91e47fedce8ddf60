"""ecf (RECT, docs/design.md §15): contract types and mentor fee, per-band output share, participant
statuses, date of birth, induction start date and temporary cohorts, frozen cohorts, statement
notes, deadline reminders; the tally index gains the course (flat-rate mentors)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 06:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

ID = sa.UUID(as_uuid=False)


def upgrade() -> None:
    op.add_column('ecf_contracts', sa.Column('contract_type', sa.String(20), nullable=False, server_default='ecf'))
    op.add_column('ecf_contracts', sa.Column('mentor_fee_per_declaration', sa.Numeric(12, 2), nullable=True))
    op.add_column('ecf_contract_bands', sa.Column('output_fee_percent', sa.Numeric(5, 2), nullable=True))
    op.add_column('ecf_participants', sa.Column('date_of_birth', sa.Date(), nullable=True))
    op.add_column('ecf_participants', sa.Column('induction_start_date', sa.Date(), nullable=True))
    op.add_column('ecf_participants', sa.Column('cohort_confirmed', sa.Boolean(), nullable=False,
                                                server_default=sa.text('true')))
    op.add_column('ecf_participants', sa.Column('status', sa.String(20), nullable=False, server_default='active'))
    op.create_index('ix_ecf_participants_name_dob', 'ecf_participants',
                    [sa.text('lower(full_name)'), 'date_of_birth'], unique=False)
    op.create_table('ecf_participant_status_changes',
                    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
                    sa.Column('participant_id', ID, sa.ForeignKey('ecf_participants.id'), nullable=False),
                    sa.Column('status', sa.String(20), nullable=False),
                    sa.Column('reason', sa.String(60), nullable=True),
                    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index(op.f('ix_ecf_participant_status_changes_participant_id'), 'ecf_participant_status_changes',
                    ['participant_id'], unique=False)
    op.create_table('ecf_frozen_cohorts',
                    sa.Column('cohort', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('frozen_by', sa.String(320), nullable=True),
                    sa.PrimaryKeyConstraint('cohort'))
    op.create_table('ecf_statement_notes',
                    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
                    sa.Column('statement_id', ID, sa.ForeignKey('ecf_statements.id', ondelete='CASCADE'),
                              nullable=False),
                    sa.Column('text', sa.Text(), nullable=False),
                    sa.Column('created_by', sa.String(320), nullable=True),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index(op.f('ix_ecf_statement_notes_statement_id'), 'ecf_statement_notes', ['statement_id'],
                    unique=False)
    op.create_table('ecf_deadline_reminders',
                    sa.Column('statement_id', ID, sa.ForeignKey('ecf_statements.id', ondelete='CASCADE'),
                              nullable=False),
                    sa.Column('kind', sa.String(40), nullable=False),
                    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('statement_id', 'kind'))
    op.drop_index('ix_ecf_declarations_tally', table_name='ecf_declarations')
    op.create_index('ix_ecf_declarations_tally', 'ecf_declarations',
                    ['lead_provider_id', 'cohort', 'statement_id', 'clawback_statement_id', 'declaration_type',
                     'state', 'uplift', 'course_identifier'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ecf_declarations_tally', table_name='ecf_declarations')
    op.create_index('ix_ecf_declarations_tally', 'ecf_declarations',
                    ['lead_provider_id', 'cohort', 'statement_id', 'clawback_statement_id', 'declaration_type',
                     'state', 'uplift'], unique=False)
    op.drop_table('ecf_deadline_reminders')
    op.drop_index(op.f('ix_ecf_statement_notes_statement_id'), table_name='ecf_statement_notes')
    op.drop_table('ecf_statement_notes')
    op.drop_table('ecf_frozen_cohorts')
    op.drop_index(op.f('ix_ecf_participant_status_changes_participant_id'),
                  table_name='ecf_participant_status_changes')
    op.drop_table('ecf_participant_status_changes')
    op.drop_index('ix_ecf_participants_name_dob', table_name='ecf_participants')
    for column in ('status', 'cohort_confirmed', 'induction_start_date', 'date_of_birth'):
        op.drop_column('ecf_participants', column)
    op.drop_column('ecf_contract_bands', 'output_fee_percent')
    op.drop_column('ecf_contracts', 'mentor_fee_per_declaration')
    op.drop_column('ecf_contracts', 'contract_type')
