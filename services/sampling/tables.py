"""The sampling service's tables (its own database; no other service reads them).

- ``providers``, ``claims``, ``claim_mentors``: the projection of claims events (DESIGN §2). Text
  columns have no length limits on purpose: the projection stores what claims published and must
  never refuse it. ``awaiting`` marks a claim sampling has asked claims to move (answered,
  decided) until claims publishes the status change, so a second upload or a second click cannot
  ask twice (sampling itself is marked by ``sampled_claims``, see below). ``open_claims`` and
  ``claim_status_counts`` are kept from ``claims`` by triggers: the claims waiting for a response or
  a decision, and the number of claims per status.
- ``uploads``: a validated file waiting to be confirmed (``rows`` holds the validated result);
  ``status`` goes pending → confirmed | cancelled exactly once.
- ``provider_samplings``: one per accredited provider per confirmed sampling upload;
  ``sampled_claims`` the claims of each. A claim with a sampled row newer than its projection is
  waiting for claims to apply the sampling.
- ``download_links``: the shared one-time download links (``shared.platform.links``).
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData,
                        Numeric, PrimaryKeyConstraint, String, Table, Text, func)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from shared.platform.db import add_platform_tables
from shared.platform.links import add_links_table

metadata = MetaData()
platform = add_platform_tables(metadata)
links = add_links_table(metadata)

providers = Table(
    "providers", metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("code", Text, nullable=False, server_default=""),
    Column("email_addresses", ARRAY(Text), nullable=False, server_default="{}"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

claims = Table(
    "claims", metadata,
    Column("reference", Text, primary_key=True),
    Column("status", Text, nullable=False),
    Column("school_urn", Text, nullable=False),
    Column("school_name", Text, nullable=False, server_default=""),
    Column("school_postcode", Text, nullable=False, server_default=""),
    Column("school_email", Text, nullable=False, server_default=""),
    Column("provider_id", Text, nullable=False),
    Column("provider_name", Text, nullable=False, server_default=""),
    Column("claim_window_id", Text, nullable=False, server_default=""),
    Column("academic_year", Text, nullable=False, server_default=""),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("sample_reason", Text, nullable=True),
    Column("provider_comment", Text, nullable=True),
    Column("status_reason", Text, nullable=True),
    Column("awaiting", Text, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Half of each page is kept free and no index names ``status`` or ``awaiting``, so a projected
    # status change is a HOT update (migration 0003).
    postgresql_with={"fillfactor": 50},
)
Index("ix_sampling_claims_provider", claims.c.provider_id)

#: The claims the Sampling section lists (waiting for a provider response or a support decision),
#: kept by statement triggers on ``claims`` in the same transaction (migration 0003).
open_claims = Table(
    "open_claims", metadata,
    Column("reference", Text, primary_key=True),
    Column("status", Text, nullable=False),
    Column("awaiting", Text, nullable=True),
)

#: Claims per status and awaiting state, as deltas summed on read (same triggers).
claim_status_counts = Table(
    "claim_status_counts", metadata,
    Column("status", Text, nullable=False),
    Column("awaiting", Text, nullable=True),
    Column("n", BigInteger, nullable=False),
)

claim_mentors = Table(
    "claim_mentors", metadata,
    Column("claim_reference", Text, ForeignKey("claims.reference", ondelete="CASCADE"), primary_key=True),
    Column("trn", Text, primary_key=True),
    Column("full_name", Text, nullable=False),
    Column("hours", Integer, nullable=False),
)

uploads = Table(
    "uploads", metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),  # sample | response
    Column("status", String(16), nullable=False),  # pending | confirmed | cancelled
    Column("file_name", Text, nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("claim_count", Integer, nullable=False),
    Column("provider_ids", ARRAY(Text), nullable=False, server_default="{}"),
    Column("rows", JSONB, nullable=False),
    Column("created_by", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", Text, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
)
Index("ix_uploads_kind_status", uploads.c.kind, uploads.c.status)

provider_samplings = Table(
    "provider_samplings", metadata,
    Column("id", String(64), primary_key=True),
    Column("upload_id", String(64), ForeignKey("uploads.id"), nullable=False, index=True),
    Column("provider_id", Text, nullable=False, index=True),
    Column("claim_count", Integer, nullable=False),
    Column("sent_on", Date, nullable=False),
    Column("completion_date", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reminded_at", DateTime(timezone=True), nullable=True),
    #: The CSV the provider downloads, built at the first download (or resend) from the claims of
    #: this sampling (claims and mentors do not change once submitted), not during the confirm.
    Column("file_name", Text, nullable=False),
    Column("file_content", LargeBinary, nullable=True),
)

sampled_claims = Table(
    "sampled_claims", metadata,
    # No foreign key: rows are written 100,000 at a time by one INSERT ... SELECT that joins
    # provider_samplings, and a per-row key check would double its cost.
    Column("provider_sampling_id", String(64), nullable=False),
    Column("claim_reference", Text, nullable=False),
    Column("sample_reason", Text, nullable=False),
    #: Database time of the confirm: a claim whose projection has not changed since is still
    #: waiting for claims to apply the sampling, so it cannot be sampled again meanwhile.
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Keyed by the claim first, the one index serves every look-up by claim; reads by provider
    # sampling (a provider's file, once; the daily reminders) scan (migration 0005).
    PrimaryKeyConstraint("claim_reference", "provider_sampling_id", name="sampled_claims_pkey"),
)
