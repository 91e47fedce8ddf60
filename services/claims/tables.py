"""The claims service's tables (its own database; no other service reads them)."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey,
                        Index, Integer, MetaData, Numeric, String, Table, Text, func, text)
from sqlalchemy.dialects.postgresql import ARRAY, ExcludeConstraint, JSONB

from shared.platform.db import add_platform_tables

metadata = MetaData()
platform = add_platform_tables(metadata)

trusts = Table(
    "trusts", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
)

schools = Table(
    "schools", metadata,
    Column("urn", String(16), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("postcode", String(16), nullable=False, server_default=""),
    Column("local_authority", String(200), nullable=False, server_default=""),
    Column("type_of_establishment", String(200), nullable=False, server_default=""),
    Column("district_code", String(16), nullable=True),
    Column("region", String(32), nullable=False),
    Column("trust_id", String(64), ForeignKey("trusts.id"), nullable=True, index=True),
    Column("email", String(320), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # From GIAS (migration 0010): the generated sample's strata, and whether the school is open.
    Column("phase_of_education", String(100), nullable=False, server_default=""),
    Column("urban_rural", String(100), nullable=False, server_default=""),
    Column("establishment_status", String(64), nullable=False, server_default="Open"),
    Column("closed_on", Date, nullable=True),
    Column("successor_urn", String(16), nullable=True),
)
Index("ix_schools_name_trgm", schools.c.name, postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"})

#: A validated GIAS extract waiting for support to confirm it (migration 0010): the schools and
#: trusts as they will be written, and the counts the review shows. Applied once, then emptied.
gias_uploads = Table(
    "gias_uploads", metadata,
    Column("id", String(64), primary_key=True),
    Column("status", String(16), nullable=False),  # pending, confirmed, cancelled
    Column("file_name", String(300), nullable=False),
    Column("links_file_name", String(300), nullable=True),
    Column("created_by", String(320), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Column("row_count", Integer, nullable=False),
    Column("new_count", Integer, nullable=False),
    Column("changed_count", Integer, nullable=False),
    Column("closed_count", Integer, nullable=False),
    Column("schools", JSONB, nullable=True),
    Column("trusts", JSONB, nullable=True),
)

providers = Table(
    "providers", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("code", String(32), nullable=False, unique=True),
    Column("email_addresses", ARRAY(Text), nullable=False, server_default="{}"),
)

claim_windows = Table(
    "claim_windows", metadata,
    Column("id", String(64), primary_key=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("academic_year", String(16), nullable=False),
    CheckConstraint("ends_on > starts_on", name="ck_window_dates"),
    ExcludeConstraint((text("daterange(starts_on, ends_on, '[]')"), "&&"), name="ex_windows_overlap",
                      using="gist"),
)

claims = Table(
    "claims", metadata,
    Column("reference", String(8), primary_key=True),
    Column("school_urn", String(16), ForeignKey("schools.urn"), nullable=False),
    Column("school_name", String(300), nullable=False),  # copied for search and sort
    Column("trust_id", String(64), nullable=True),
    Column("provider_id", String(64), ForeignKey("providers.id"), nullable=False),
    Column("provider_name", String(300), nullable=False),  # copied for search and sort
    Column("claim_window_id", String(64), ForeignKey("claim_windows.id"), nullable=False),
    Column("academic_year", String(16), nullable=False),
    Column("status", String(40), nullable=False),
    Column("region", String(32), nullable=False),
    Column("hourly_rate", Numeric(8, 2), nullable=False),
    Column("total_hours", Integer, nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("mentor_names", Text, nullable=False, server_default=""),  # "trn name; ..." for search
    Column("created_by", String(320), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("assigned_to", String(320), nullable=True),
    Column("sample_reason", Text, nullable=True),
    Column("provider_comment", Text, nullable=True),
    Column("clawback_amount", Numeric(12, 2), nullable=True),
    Column("unpaid_reason", Text, nullable=True),
    # support marked the provider invalid (docs/design.md §11): why, and when the next weekly reminder is due
    Column("invalid_provider_reason", Text, nullable=True),
    Column("reminder_due_at", DateTime(timezone=True), nullable=True),
    # Half of each page is kept free, so that the new version of a claim whose status changes goes on
    # the same page: with no index naming ``status``, that is a HOT update (migration 0007).
    postgresql_with={"fillfactor": 50},
)
# Search indexes (migration 0003): each list order ORDER BY <column> [DESC NULLS LAST], reference has an
# index in exactly that order, some behind the equality filter that usually comes with it (the status
# filter's is on claim_statuses, below).
Index("ix_claims_submitted", claims.c.submitted_at.desc().nulls_last(), claims.c.reference)
Index("ix_claims_trust", claims.c.trust_id, claims.c.submitted_at.desc().nulls_last(), claims.c.reference)
Index("ix_claims_provider", claims.c.provider_id, claims.c.submitted_at.desc().nulls_last(), claims.c.reference)
Index("ix_claims_school_name", claims.c.school_name, claims.c.reference)
Index("ix_claims_provider_name", claims.c.provider_name, claims.c.reference)
Index("ix_claims_amount", claims.c.amount, claims.c.reference)
Index("ix_claims_school", claims.c.school_urn)
Index("ix_claims_window", claims.c.claim_window_id)
Index("ix_claims_assigned", claims.c.assigned_to)
Index("ix_claims_reminder_due", claims.c.reminder_due_at, postgresql_where=text("reminder_due_at IS NOT NULL"))
Index("ix_claims_reference_trgm", claims.c.reference, postgresql_using="gin",
      postgresql_ops={"reference": "gin_trgm_ops"})
# No index on the search text (school_name || ' ' || provider_name || ' ' || mentor_names): a status
# change would write its dozens of trigrams again (migration 0006). Text searches go through the search
# words below; the planner's estimates for the text come from the expression statistics
# claims_search_text (CREATE STATISTICS, migration 0006), which SQLAlchemy has no construct for.

#: Each claim's status and submission time, for the status filter of the support list (migration
#: 0007): kept by statement triggers on claims in the same transaction, so that no index of claims
#: names ``status`` and a status change is a HOT update there. Written only when one of the two changes.
claim_statuses = Table(
    "claim_statuses", metadata,
    Column("reference", String(8), primary_key=True),
    Column("status", String(40), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
)
Index("ix_claim_statuses_list", claim_statuses.c.status, claim_statuses.c.submitted_at.desc().nulls_last(),
      claim_statuses.c.reference)

#: Exact number of claims per (status, window, academic year, trust) as deltas summed on read, appended
#: by statement triggers on claims in the same transaction and compacted now and then (migration
#: 0003, which also holds the trigger function and the claim_counts_compaction sequence).
claim_counts = Table(
    "claim_counts", metadata,
    Column("status", String(40), nullable=False),
    Column("claim_window_id", String(64), nullable=False),
    Column("academic_year", String(16), nullable=False),
    Column("trust_id", String(64), nullable=True),
    Column("n", BigInteger, nullable=False),
)

#: Search words (migration 0004): one row per distinct word of a claim's search text (the text above,
#: lowered with lower() as ILIKE lowers it, cut at spaces), kept by triggers on claims in the same
#: transaction, which fire only when the text changes. They find the claims of every text search.
claim_search_words = Table(
    "claim_search_words", metadata,
    Column("word", Text(collation="C"), nullable=False),
    Column("claim_reference", String(8, collation="C"), nullable=False),
)
Index("ux_claim_search_words", claim_search_words.c.word, claim_search_words.c.claim_reference, unique=True)

#: Every word that has (or had: never removed) a posting in claim_search_words, found by trigram.
search_vocabulary = Table(
    "search_vocabulary", metadata,
    Column("word", Text(collation="C"), primary_key=True),
)
Index("ix_search_vocabulary_trgm", search_vocabulary.c.word, postgresql_using="gin",
      postgresql_ops={"word": "gin_trgm_ops"})

claim_mentors = Table(
    "claim_mentors", metadata,
    Column("claim_reference", String(8), ForeignKey("claims.reference", ondelete="CASCADE"), primary_key=True),
    Column("trn", String(7), primary_key=True),
    Column("full_name", String(300), nullable=False),
    Column("hours", Integer, nullable=True),  # a draft's mentor may not have hours yet (migration 0011)
    Column("provider_id", String(64), nullable=False),  # copied for the hours cap look-up
    Column("assured", Boolean, nullable=True),
    Column("not_assured_reason", Text, nullable=True),
    Column("hours_clawed_back", Integer, nullable=True),
    #: The hours the provider confirmed for a mentor it did not assure (migration 0012; §12).
    Column("hours_confirmed", Integer, nullable=True),
    CheckConstraint("hours >= 1", name="ck_mentor_hours"),
)
Index("ix_claim_mentors_cap", claim_mentors.c.trn, claim_mentors.c.provider_id)

#: Mentors the ECF engine knows (EcfMentorRegistered from payments' ECF module): "Check your answers"
#: warns a school claiming for one of them (docs/design.md §11).
ecf_mentors = Table(
    "ecf_mentors", metadata,
    Column("trn", String(7), primary_key=True),
    Column("registered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

status_changes = Table(
    "status_changes", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    # References claims.reference (ON DELETE CASCADE), checked once per statement by triggers
    # (migration 0008): a per-row foreign key cost 11 µs per status change.
    Column("claim_reference", String(8), nullable=False),
    Column("from_status", String(40), nullable=True),
    Column("to_status", String(40), nullable=False),
    Column("caused_by", String(100), nullable=False),
    Column("event_id", String(64), nullable=True),
    Column("actor_email", String(320), nullable=True),
    Column("reason", Text, nullable=True),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index("ix_status_changes_claim", status_changes.c.claim_reference, status_changes.c.id)

activity = Table(
    "activity", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=True, unique=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor_email", String(320), nullable=True),
    Column("actor_role", String(32), nullable=True),
    Column("title", Text, nullable=False),
    Column("action", String(64), nullable=False),
    Column("source", String(32), nullable=False),
    Column("claim_references", ARRAY(String(8)), nullable=False, server_default="{}"),
    Column("files", JSONB, nullable=False, server_default="[]"),
)
Index("ix_activity_recent", activity.c.occurred_at.desc(), activity.c.id.desc())
Index("ix_activity_claims", activity.c.claim_references, postgresql_using="gin")
