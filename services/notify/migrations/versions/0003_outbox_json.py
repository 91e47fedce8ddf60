"""outbox: payloads stored as json text instead of jsonb (checked once, read back as written)

See ``shared.platform.migrations.upgrade_outbox_json``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 07:30:00
"""
from shared.platform.migrations import downgrade_outbox_json, upgrade_outbox_json

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_outbox_json()


def downgrade() -> None:
    downgrade_outbox_json()
