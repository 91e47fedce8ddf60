"""outbox: unpublished rows listed in outbox_pending (the relay no longer rewrites published rows)

See ``shared.platform.migrations.upgrade_outbox_pending``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:20:00
"""
from shared.platform.migrations import downgrade_outbox_pending, upgrade_outbox_pending

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_outbox_pending()


def downgrade() -> None:
    downgrade_outbox_pending()
