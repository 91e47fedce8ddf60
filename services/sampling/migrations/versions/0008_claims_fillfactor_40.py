"""sampling's claims keep 60% of each page free (``fillfactor = 40``, was 50)

0007 made every projected claim a little wider (the school's strata and the submitter's name), and a
status change writes a longer status than it replaces (``paid`` → ``sampling_in_progress``): with half
a page free, about one claim in seventeen no longer found room for its new version on its own page,
so the change was not a HOT update and every index of ``claims`` was written again. With 60% free a
sample's status changes all stay HOT. ``fillfactor`` only governs pages written from now on
(``VACUUM FULL claims`` gives existing ones the room too).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 07:20:00
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE claims SET (fillfactor = 40)")


def downgrade() -> None:
    op.execute("ALTER TABLE claims SET (fillfactor = 50)")
