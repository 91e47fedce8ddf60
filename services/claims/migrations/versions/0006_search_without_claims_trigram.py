"""search without a trigram index on claims: status changes stop rewriting the search text's index

A status change (sampling applies 100,000 in one confirm) cannot be a HOT update, because ``status``
is indexed, so every updated claim gets a new entry in every index of ``claims``. The GIN trigram
index on ``school_name || ' ' || provider_name || ' ' || mentor_names`` was the dearest of them:
dozens of trigram entries per claim, about 32 µs of the 78 µs a claim cost in all (100,000 claims).
Yet the search text only changes when a draft's names or mentors are edited.

The support search now finds a ``q``'s claims from the search words of migration 0004, which are
kept only when the text changes (``ClaimRepository``, ``TextMatches``): a one-word ``q``'s claims
exactly, a phrase's candidates (claims holding words that contain its most distinctive pieces), which
the ILIKE then filters. So the index goes.

Its one other service was statistics: ANALYZE kept the distribution of the indexed expression, from
which the planner judged how many claims a ``q`` matches (and so whether to walk a list order's index
or to sort). Expression statistics (``CREATE STATISTICS``) keep exactly that, cost nothing per write,
and are refreshed by ANALYZE like the table's own.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 01:30:00
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

SEARCH_TEXT = "(school_name || ' ' || provider_name || ' ' || mentor_names)"


def upgrade() -> None:
    op.execute("DROP INDEX ix_claims_search_trgm")
    op.execute(f"CREATE STATISTICS claims_search_text ON ({SEARCH_TEXT}) FROM claims")
    op.execute("ANALYZE claims")


def downgrade() -> None:
    op.execute("DROP STATISTICS claims_search_text")
    op.execute(f"CREATE INDEX ix_claims_search_trgm ON claims USING gin ({SEARCH_TEXT} gin_trgm_ops)")
