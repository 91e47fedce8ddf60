"""users: names, provider ids, active flag, nullable password (invited users); invitations; user imports;
the provider role

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 10:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column('users', 'password_hash', existing_type=sa.String(length=255), nullable=True)
    op.add_column('users', sa.Column('first_name', sa.String(length=100), nullable=True))
    op.add_column('users', sa.Column('last_name', sa.String(length=100), nullable=True))
    op.add_column('users', sa.Column('provider_ids', postgresql.ARRAY(sa.String(length=64)), nullable=False,
                                     server_default='{}'))
    op.add_column('users', sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.drop_constraint('ck_users_role', 'users', type_='check')
    op.create_check_constraint('ck_users_role', 'users', "role IN ('support', 'school', 'mat', 'finance', 'provider')")
    op.create_table(
        'invitations',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_invitations_user_id', 'invitations', ['user_id'], unique=False)
    op.create_table(
        'user_imports',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.String(length=320), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('user_imports')
    op.drop_index('ix_invitations_user_id', table_name='invitations')
    op.drop_table('invitations')
    op.execute("DELETE FROM users WHERE role = 'provider' OR password_hash IS NULL")
    op.drop_constraint('ck_users_role', 'users', type_='check')
    op.create_check_constraint('ck_users_role', 'users', "role IN ('support', 'school', 'mat', 'finance')")
    op.drop_column('users', 'active')
    op.drop_column('users', 'provider_ids')
    op.drop_column('users', 'last_name')
    op.drop_column('users', 'first_name')
    op.alter_column('users', 'password_hash', existing_type=sa.String(length=255), nullable=False)
