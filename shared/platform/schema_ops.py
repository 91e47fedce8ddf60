"""Tables every service's first migration creates the same way, written once.

``create_messaging_tables`` makes the messaging tables as they were in each service's initial
schema (``dead_letters``, ``outbox`` with ``jsonb`` payloads and a ``published_at`` flag,
``processed_messages``); later revisions change the outbox in every service alike
(``shared.platform.migrations.upgrade_outbox_pending`` and ``upgrade_outbox_json``).
``create_download_links_table`` makes the one-use download links table of the services that
hand out files (payments, sampling). These are frozen history: a change to one of these tables is
a new revision, never an edit here (tests/integration/platform/test_shared_schema.py holds the
resulting definitions)."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


def create_messaging_tables() -> None:
    """Dead letters, the outbox (initial form) and the consumers' processed-message ledger."""
    op.create_table(
        'dead_letters',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('consumer_group', sa.String(length=200), nullable=False),
        sa.Column('event_id', sa.String(length=64), nullable=True),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('partition', sa.Integer(), nullable=False),
        sa.Column('offset', sa.BigInteger(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_dead_letters_event', 'dead_letters', ['consumer_group', 'event_id'], unique=False)
    op.create_table(
        'outbox',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('event_id', sa.UUID(), nullable=False),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=True),
        sa.Column('type', sa.String(length=100), nullable=False),
        sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id'))
    op.create_index('ix_outbox_created_at', 'outbox', ['created_at'], unique=False)
    op.create_index('ix_outbox_unpublished', 'outbox', ['id'], unique=False,
                    postgresql_where=sa.text('published_at IS NULL'))
    op.create_table(
        'processed_messages',
        sa.Column('consumer_group', sa.String(length=200), nullable=False),
        sa.Column('event_id', sa.UUID(), nullable=False),
        sa.Column('processed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('consumer_group', 'event_id'))


def drop_messaging_tables() -> None:
    """Undo ``create_messaging_tables`` (the outbox in its initial form)."""
    op.drop_table('processed_messages')
    op.drop_index('ix_outbox_unpublished', table_name='outbox', postgresql_where=sa.text('published_at IS NULL'))
    op.drop_index('ix_outbox_created_at', table_name='outbox')
    op.drop_table('outbox')
    op.drop_index('ix_dead_letters_event', table_name='dead_letters')
    op.drop_table('dead_letters')


def create_download_links_table() -> None:
    """One-use links to a generated file (only the token's hash is stored)."""
    op.create_table(
        'download_links',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.String(length=64), nullable=False),
        sa.Column('recipient', sa.String(length=320), nullable=True),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('token_hash'))
    op.create_index(op.f('ix_download_links_subject_id'), 'download_links', ['subject_id'], unique=False)


def drop_download_links_table() -> None:
    op.drop_index(op.f('ix_download_links_subject_id'), table_name='download_links')
    op.drop_table('download_links')
