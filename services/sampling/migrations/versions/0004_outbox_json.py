"""outbox: payloads stored as json text instead of jsonb (checked once, read back as written);
the same in every service: ``shared.platform.migrations.upgrade_outbox_json``."""
from shared.platform.migrations import downgrade_outbox_json as downgrade  # noqa: F401
from shared.platform.migrations import upgrade_outbox_json as upgrade  # noqa: F401

revision, down_revision = '0004', '0003'
