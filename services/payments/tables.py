"""Tables of school payments and clawbacks, on the one metadata of the payments process.

- ``school_claims``: the projection of claims (from ``claimflow.claims.events``). ``status`` is
  what claims last said; ``expected_status`` is the status a fact payments emitted will move the
  claim to, until claims confirms it (a ``ClaimStatusChanged`` to that status, or one caused by
  another service, clears it). Payments decides on the effective status
  ``coalesce(expected_status, status)``, so a second click or a second upload before claims answers
  is refused rather than sent twice.
- ``school_claim_mentors``: the mentors and hours of each claim; ``mentor_assurances``: the
  provider's answer per mentor (from ``claimflow.sampling.events``), kept apart so the order the two
  topics arrive in does not matter.
- ``payment_batches`` / ``payment_claims``: each "send to payer" and the claims and amounts it sent.
- ``payer_uploads``: payer responses (payment and clawback), pending until confirmed once.
- ``clawbacks``: each clawback request with its mentors and the four-eyes decision;
  ``clawback_batches``: each "send clawbacks to payer".
"""
from __future__ import annotations

from sqlalchemy import (Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        Table, Text, func, text)
from sqlalchemy.dialects.postgresql import JSONB

from .metadata import download_links, metadata, platform

__all__ = ["metadata", "platform", "download_links", "school_claims", "school_claim_mentors", "mentor_assurances",
           "payment_batches", "payment_claims", "payer_uploads", "clawbacks", "clawback_batches"]

school_claims = Table(
    "school_claims", metadata,
    Column("reference", String(8), primary_key=True),
    Column("status", String(40), nullable=False),
    Column("expected_status", String(40), nullable=True),
    Column("school_urn", String(16), nullable=False),
    Column("school_name", String(300), nullable=False),
    Column("school_local_authority", String(200), nullable=False, server_default=""),
    Column("school_type_of_establishment", String(200), nullable=False, server_default=""),
    Column("school_group", String(300), nullable=False, server_default=""),
    Column("school_email", String(320), nullable=False, server_default=""),
    Column("provider_id", String(64), nullable=False),
    Column("provider_name", String(300), nullable=False),
    Column("claim_window_id", String(64), nullable=False),
    Column("academic_year", String(16), nullable=False),
    Column("hourly_rate", Numeric(8, 2), nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("payment_id", String(64), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index("ix_school_claims_window_status", school_claims.c.claim_window_id, school_claims.c.status)
Index("ix_school_claims_effective_status", text("(coalesce(expected_status, status))"))

school_claim_mentors = Table(
    "school_claim_mentors", metadata,
    Column("claim_reference", String(8), ForeignKey("school_claims.reference", ondelete="CASCADE"),
           primary_key=True),
    Column("trn", String(16), primary_key=True),
    Column("full_name", String(300), nullable=False),
    Column("hours", Integer, nullable=False),
)

mentor_assurances = Table(
    "mentor_assurances", metadata,
    Column("claim_reference", String(8), primary_key=True),
    Column("trn", String(16), primary_key=True),
    Column("assured", Boolean, nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

payment_batches = Table(
    "payment_batches", metadata,
    Column("id", String(64), primary_key=True),
    Column("claim_window_id", String(64), nullable=False),
    Column("claim_count", Integer, nullable=False),
    Column("total_amount", Numeric(14, 2), nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(320), nullable=True),
)
Index("ix_payment_batches_created", payment_batches.c.created_at.desc())

payment_claims = Table(
    "payment_claims", metadata,
    Column("payment_id", String(64), ForeignKey("payment_batches.id"), primary_key=True),
    Column("claim_reference", String(8), primary_key=True),
    Column("amount", Numeric(12, 2), nullable=False),
)
Index("ix_payment_claims_reference", payment_claims.c.claim_reference)

payer_uploads = Table(
    "payer_uploads", metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),  # payment | clawback
    Column("status", String(16), nullable=False),  # pending | confirmed | cancelled
    Column("file_name", String(200), nullable=False),
    Column("answers", JSONB, nullable=False),  # [{"reference","outcome","reason","row"}]
    Column("claim_count", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(320), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decided_by", String(320), nullable=True),
    CheckConstraint("kind IN ('payment', 'clawback')", name="ck_payer_uploads_kind"),
    CheckConstraint("status IN ('pending', 'confirmed', 'cancelled')", name="ck_payer_uploads_status"),
)

clawback_batches = Table(
    "clawback_batches", metadata,
    Column("id", String(64), primary_key=True),
    Column("claim_count", Integer, nullable=False),
    Column("total_amount", Numeric(14, 2), nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(320), nullable=True),
)

clawbacks = Table(
    "clawbacks", metadata,
    Column("id", String(64), primary_key=True),
    Column("claim_reference", String(8), nullable=False),
    #: awaiting_approval → approved → sent → complete; or rejected; or nothing_owed (total 0)
    Column("status", String(24), nullable=False),
    Column("hourly_rate", Numeric(8, 2), nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("mentors", JSONB, nullable=False),
    Column("requested_by", String(320), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(320), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("reasons", JSONB, nullable=False, server_default="{}"),
    Column("batch_id", String(64), ForeignKey("clawback_batches.id"), nullable=True),
    CheckConstraint("status IN ('awaiting_approval', 'approved', 'rejected', 'nothing_owed', 'sent', 'complete')",
                    name="ck_clawbacks_status"),
)
Index("ix_clawbacks_claim", clawbacks.c.claim_reference, clawbacks.c.requested_at.desc())
Index("ix_clawbacks_status", clawbacks.c.status)
# At most one open request per claim, so two support users requesting at once cannot both succeed.
Index("ux_clawbacks_open", clawbacks.c.claim_reference, unique=True,
      postgresql_where=text("status IN ('awaiting_approval', 'approved', 'sent')"))
