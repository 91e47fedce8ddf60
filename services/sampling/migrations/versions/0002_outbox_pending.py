"""outbox: unpublished rows listed in outbox_pending (the relay no longer rewrites published rows);
the same in every service: ``shared.platform.migrations.upgrade_outbox_pending``."""
from shared.platform.migrations import downgrade_outbox_pending as downgrade  # noqa: F401
from shared.platform.migrations import upgrade_outbox_pending as upgrade  # noqa: F401

revision, down_revision = '0002', '0001'
