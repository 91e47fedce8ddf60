"""The sampling service's tables (its own database; no other service reads them).

- ``providers``, ``claims``, ``claim_mentors``: the projection of claims events (docs/design.md §2). Text
  columns have no length limits on purpose: the projection stores what claims published and must
  never refuse it. ``awaiting`` marks a claim sampling has asked claims to move (answered,
  decided) until claims publishes the status change, so a second upload or a second click cannot
  ask twice (sampling itself is marked by ``sampled_claims``, see below). ``open_claims`` and
  ``claim_status_counts`` are kept from ``claims`` by triggers: the claims waiting for a response or
  a decision, and the number of claims per status.
- ``uploads``: a validated file (or a generated sample, with its ``generation``) waiting to be confirmed (``rows`` holds the validated result of a
  provider response; a sample's claims are ``upload_claims``, its events' claims ``upload_batches``);
  ``status`` goes pending → confirmed | cancelled exactly once.
- ``response_files``: a provider response upload cut into one file per accredited provider.
- ``provider_samplings``: one per accredited provider per confirmed sampling upload;
  ``sampled_claims`` (a view, migration 0006) the claims of each. A claim with a sampled row newer
  than its projection is waiting for claims to apply the sampling.
- ``download_links``: the shared one-time download links (``shared.platform.links``).
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData,
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
    # The generated sample's strata and mentor rule (migration 0007; "" when not known).
    Column("school_type_of_establishment", Text, nullable=False, server_default=""),
    Column("school_phase_of_education", Text, nullable=False, server_default=""),
    Column("school_urban_rural", Text, nullable=False, server_default=""),
    Column("submitted_by_name", Text, nullable=False, server_default=""),
    # Half of each page is kept free and no index names ``status`` or ``awaiting``, so a projected
    # status change is a HOT update (migration 0003).
    postgresql_with={"fillfactor": 40},
)
Index("ix_sampling_claims_provider", claims.c.provider_id)
Index("ix_sampling_claims_window", claims.c.claim_window_id)
Index("ix_sampling_claims_academic_year", claims.c.academic_year)

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
    #: A generated sample's method, parameters, seed, scope and report (migration 0007); null for a file.
    Column("generation", JSONB, nullable=True),
    #: A provider response a provider user uploaded in its own account (migration 0010): the user's
    #: accredited providers, whose users alone may review, confirm or cancel it; null when support uploaded it.
    Column("provider_scope", ARRAY(Text), nullable=True),
)
Index("ix_uploads_kind_status", uploads.c.kind, uploads.c.status)

provider_samplings = Table(
    "provider_samplings", metadata,
    Column("id", String(64), primary_key=True),
    Column("upload_id", String(64), ForeignKey("uploads.id"), nullable=False),
    Column("provider_id", Text, nullable=False, index=True),
    Column("claim_count", Integer, nullable=False),
    Column("sent_on", Date, nullable=False),
    Column("completion_date", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reminded_at", DateTime(timezone=True), nullable=True),
    #: The database's time of the confirm (``created_at`` is the service clock's): what a claim's
    #: projection is compared with to know it is still waiting for claims to apply the sampling.
    Column("confirmed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    #: The CSV the provider downloads, built at the first download (or resend) from the claims of
    #: this sampling (claims and mentors do not change once submitted), not during the confirm.
    Column("file_name", Text, nullable=False),
    Column("file_content", LargeBinary, nullable=True),
)
#: One provider sampling per provider per upload: how ``sampled_claims`` finds a claim's sampling.
Index("ux_provider_samplings_upload_provider", provider_samplings.c.upload_id, provider_samplings.c.provider_id,
      unique=True)

#: A sample upload's claims, one row each in file order (``n``), written when the file is validated
#: (migration 0006) so that the confirm reads rows instead of unpacking a 100,000-element jsonb.
#: Keyed by upload and place, so the COPY appends in key order (keyed by upload and provider, the
#: 100,000 rows took 0.52 s to write, against 0.33); a provider's file reads its upload's rows (tens of
#: milliseconds, once). Found by claim through a hash index: only ever looked up by equality, and
#: its inserts of random references cost 0.20-0.35 s for 100,000 where a btree's cost 0.39-0.54
#: (measured side by side). No foreign key: written 100,000 at a time, where a per-row key check
#: would cost as much as the rows.
upload_claims = Table(
    "upload_claims", metadata,
    Column("upload_id", String(64), nullable=False),
    Column("provider_id", Text, nullable=False),
    Column("n", Integer, nullable=False),
    Column("claim_reference", Text, nullable=False),
    Column("sample_reason", Text, nullable=False),
    Column("row", Integer, nullable=False),
    PrimaryKeyConstraint("upload_id", "n", name="upload_claims_pkey"),
)
Index("ix_upload_claims_reference", upload_claims.c.claim_reference, postgresql_using="hash")

#: The ``claims`` member of each ``ClaimsSampled`` a sample upload will publish (JSON text of up to
#: ``CLAIMS_SAMPLED_BATCH`` claims), built at the upload: the confirm only adds each envelope.
upload_batches = Table(
    "upload_batches", metadata,
    Column("upload_id", String(64), ForeignKey("uploads.id"), nullable=False),
    Column("batch", Integer, nullable=False),
    Column("claim_count", Integer, nullable=False),
    Column("claims", Text, nullable=False),
    PrimaryKeyConstraint("upload_id", "batch", name="upload_batches_pkey"),
)

#: Each provider answer to a sampled claim (migration 0009): how it came (``via``: ``csv`` for a
#: response file, ``account`` for the provider's in-service answer, ``support`` for an answer support
#: recorded by hand), when, by whom, and the reason codes of the mentors not assured
#: (``shared.contracts.reasons``). A claim is sampled once, so it is answered once: the key is the claim.
#: The sampling round pages count answers and reasons from it.
provider_answers = Table(
    "provider_answers", metadata,
    Column("claim_reference", Text, primary_key=True),
    Column("provider_id", Text, nullable=False, index=True),
    Column("via", String(16), nullable=False),
    Column("assured", Boolean, nullable=False),
    Column("reason_codes", ARRAY(Text), nullable=False, server_default="{}"),
    Column("answered_by", Text, nullable=False, server_default=""),
    Column("answered_at", DateTime(timezone=True), nullable=False),
    Column("upload_id", String(64), nullable=True),
)

#: A provider response upload kept as one file per accredited provider and per uploaded file
#: (migration 0010): the header row and that provider's rows as written (same encoding), written when
#: the file is validated; the activity entry of each provider's answers links its files, which
#: support alone downloads.
response_files = Table(
    "response_files", metadata,
    Column("id", String(64), primary_key=True),
    Column("upload_id", String(64), ForeignKey("uploads.id"), nullable=False, index=True),
    Column("provider_id", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("source_file_name", Text, nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: A view (migration 0006), read only: the claims of each confirmed upload under their provider's
#: sampling (``upload_claims`` joined to ``provider_samplings`` by upload and provider), with the
#: database time of the confirm as ``created_at``. Pending and cancelled uploads have no provider
#: samplings, so their claims are not in it.
sampled_claims = Table(
    "sampled_claims", MetaData(),
    Column("provider_sampling_id", String(64), nullable=False),
    Column("claim_reference", Text, nullable=False),
    Column("sample_reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: Every reminder sent (migration 0010), keyed by (kind, recipient, due day), so one due day's
#: reminder goes once across restarts and replicas: the row is inserted with ON CONFLICT DO NOTHING
#: in the transaction that writes the email to the outbox. ``kind`` is ``provider`` (recipient: the
#: provider id) or ``school`` (the school's URN); a job run claims its due day first with the row
#: (kind, ``*``, due day). ``sent_by`` is ``schedule`` or the support user who pressed "Send reminder"
#: (a reminder by hand is due the day it is sent, so the schedule skips that provider that day).
sampling_reminders = Table(
    "sampling_reminders", metadata,
    Column("kind", String(16), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("sent_by", Text, nullable=False, server_default="schedule"),
    Column("claim_count", Integer, nullable=False, server_default="0"),
    Column("addresses", ARRAY(Text), nullable=False, server_default="{}"),
    PrimaryKeyConstraint("kind", "recipient", "due_on", name="sampling_reminders_pkey"),
)
