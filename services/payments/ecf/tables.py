"""The ECF engine's tables, on the payments process's one MetaData (``services.payments.metadata``).

All names start with ``ecf_``; school payments never reads them. Ids are UUIDs (the ECF API v3
uses UUIDs for participants, declarations and statements), kept as strings in Python.

Amounts are ``Numeric`` as entered (prices, fees and adjustments have pennies); computed amounts
(statement lines and totals) are never stored: the calculator derives them from counts.

The statement calculator reads declarations only through one aggregate, per contract
(lead provider + cohort): ``GROUP BY statement_id, clawback_statement_id, declaration_type, state,
uplift, course_identifier``. ``ix_ecf_declarations_tally`` covers it, so it is an index-only scan per contract.
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index,
                        Integer, Numeric, String, Table, Text, UniqueConstraint, func, text)
from sqlalchemy.dialects.postgresql import UUID

from services.payments.metadata import metadata

ID = UUID(as_uuid=False)

lead_providers = Table(
    "ecf_lead_providers", metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    # SHA-256 of the API token: the database never holds a usable token.
    Column("api_token_hash", String(64), nullable=False, unique=True),
    # Where the reminders before each output statement's deadline go (none sent without one).
    Column("email", String(320), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

schedules = Table(
    "ecf_schedules", metadata,
    Column("id", ID, primary_key=True),
    Column("identifier", String(100), nullable=False),
    Column("cohort", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("identifier", "cohort", name="uq_ecf_schedules_identifier_cohort"),
)

milestones = Table(
    "ecf_milestones", metadata,
    Column("schedule_id", ID, ForeignKey("ecf_schedules.id", ondelete="CASCADE"), primary_key=True),
    Column("declaration_type", String(20), primary_key=True),
    Column("start_date", Date, nullable=False),
    Column("milestone_date", Date, nullable=True),
)

contracts = Table(
    "ecf_contracts", metadata,
    Column("id", ID, primary_key=True),
    Column("lead_provider_id", ID, ForeignKey("ecf_lead_providers.id"), nullable=False),
    Column("cohort", Integer, nullable=False),
    Column("recruitment_target", Integer, nullable=False),
    Column("set_up_fee", Numeric(14, 2), nullable=False),
    Column("uplift_amount", Numeric(12, 2), nullable=False),
    Column("vat_chargeable", Boolean, nullable=False),
    Column("monthly_service_fee", Numeric(14, 2), nullable=True),
    Column("service_fee_months", Integer, nullable=False),
    Column("contract_type", String(20), nullable=False, server_default="ecf"),
    Column("mentor_fee_per_declaration", Numeric(12, 2), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("lead_provider_id", "cohort", name="uq_ecf_contracts_provider_cohort"),
)

contract_bands = Table(
    "ecf_contract_bands", metadata,
    Column("contract_id", ID, ForeignKey("ecf_contracts.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(1), primary_key=True),
    Column("min", Integer, nullable=False),
    Column("max", Integer, nullable=False),
    Column("per_participant", Numeric(12, 2), nullable=True),  # None: band D at band C's price
    Column("output_fee_percent", Numeric(5, 2), nullable=True),  # None: 60 (band D 100)
)

statements = Table(
    "ecf_statements", metadata,
    Column("id", ID, primary_key=True),
    Column("lead_provider_id", ID, ForeignKey("ecf_lead_providers.id"), nullable=False),
    Column("cohort", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("deadline_date", Date, nullable=False),
    Column("payment_date", Date, nullable=False),
    Column("output_fee", Boolean, nullable=False),
    # Set when the deadline's eligible → payable was applied in bulk to its declarations.
    Column("deadline_applied_at", DateTime(timezone=True), nullable=True),
    Column("authorised_at", DateTime(timezone=True), nullable=True),
    Column("authorised_by", String(320), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("lead_provider_id", "cohort", "name", name="uq_ecf_statements_name"),
)
Index("ix_ecf_statements_contract", statements.c.lead_provider_id, statements.c.cohort, statements.c.deadline_date)
Index("ix_ecf_statements_deadline_pending", statements.c.deadline_date,
      postgresql_where=text("deadline_applied_at IS NULL"))

adjustments = Table(
    "ecf_adjustments", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("statement_id", ID, ForeignKey("ecf_statements.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("payment_type", String(200), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("created_by", String(320), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

participants = Table(
    "ecf_participants", metadata,
    Column("id", ID, primary_key=True),
    Column("lead_provider_id", ID, ForeignKey("ecf_lead_providers.id"), nullable=False),
    Column("cohort", Integer, nullable=False),
    Column("schedule_identifier", String(100), nullable=False),
    Column("trn", String(7), nullable=False),
    Column("full_name", String(300), nullable=False),
    Column("course_identifier", String(40), nullable=False),
    Column("pupil_premium_uplift", Boolean, nullable=False),
    Column("sparsity_uplift", Boolean, nullable=False),
    Column("funding_eligible", Boolean, nullable=False),
    # A duplicate record retired into the participant that is kept: its declarations moved there.
    Column("retired_into", ID, ForeignKey("ecf_participants.id"), nullable=True),
    Column("date_of_birth", Date, nullable=True),
    Column("induction_start_date", Date, nullable=True),
    # False while an early career teacher with no induction start date is in a temporary cohort.
    Column("cohort_confirmed", Boolean, nullable=False, server_default=text("true")),
    Column("status", String(20), nullable=False, server_default="active"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("retired_into IS NULL OR retired_into <> id", name="ck_ecf_participants_not_self"),
)
Index("ix_ecf_participants_provider", participants.c.lead_provider_id, participants.c.cohort)
Index("ix_ecf_participants_trn", participants.c.trn)
Index("ix_ecf_participants_name_dob", func.lower(participants.c.full_name), participants.c.date_of_birth)

# Every status change of a participant (withdrawn, deferred, active again), with its time: a
# deferral that ended still refuses declarations dated inside it.
participant_status_changes = Table(
    "ecf_participant_status_changes", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("participant_id", ID, ForeignKey("ecf_participants.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("reason", String(60), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Cohorts finance has closed for payments: new declarations are refused.
frozen_cohorts = Table(
    "ecf_frozen_cohorts", metadata,
    Column("cohort", Integer, primary_key=True, autoincrement=False),
    Column("frozen_at", DateTime(timezone=True), nullable=False),
    Column("frozen_by", String(320), nullable=True),
)

statement_notes = Table(
    "ecf_statement_notes", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("statement_id", ID, ForeignKey("ecf_statements.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("created_by", String(320), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Deadline emails sent (one row per statement and kind: contract_manager, lead_provider), so each is
# scheduled once per due time across restarts and replicas.
deadline_reminders = Table(
    "ecf_deadline_reminders", metadata,
    Column("statement_id", ID, ForeignKey("ecf_statements.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)

declarations = Table(
    "ecf_declarations", metadata,
    Column("id", ID, primary_key=True),
    Column("lead_provider_id", ID, ForeignKey("ecf_lead_providers.id"), nullable=False),
    Column("participant_id", ID, ForeignKey("ecf_participants.id"), nullable=False),
    Column("cohort", Integer, nullable=False),
    Column("declaration_type", String(20), nullable=False),
    Column("declaration_date", DateTime(timezone=True), nullable=False),
    Column("course_identifier", String(40), nullable=False),
    Column("evidence_held", String(60), nullable=True),
    Column("state", String(20), nullable=False),
    Column("statement_id", ID, ForeignKey("ecf_statements.id"), nullable=True),
    Column("clawback_statement_id", ID, ForeignKey("ecf_statements.id"), nullable=True),
    Column("uplift", Boolean, nullable=False),
    Column("ineligible_reason", String(40), nullable=True),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("state IN ('submitted','eligible','payable','paid','voided','ineligible',"
                    "'awaiting_clawback','clawed_back')", name="ck_ecf_declarations_state"),
)
# The calculator's aggregate per contract, as an index-only scan.
Index("ix_ecf_declarations_tally", declarations.c.lead_provider_id, declarations.c.cohort,
      declarations.c.statement_id, declarations.c.clawback_statement_id, declarations.c.declaration_type,
      declarations.c.state, declarations.c.uplift, declarations.c.course_identifier)
# Bulk transitions and the declarations CSV of one statement.
Index("ix_ecf_declarations_statement", declarations.c.statement_id, declarations.c.state)
Index("ix_ecf_declarations_clawback", declarations.c.clawback_statement_id,
      postgresql_where=text("clawback_statement_id IS NOT NULL"))
# The lead provider's list, oldest first, paginated.
Index("ix_ecf_declarations_provider_list", declarations.c.lead_provider_id, declarations.c.submitted_at,
      declarations.c.id)
# At most one declaration per participant and type that will be, or has been, paid: the database
# refuses a concurrent duplicate that validation could not see.
Index("uq_ecf_declarations_billable", declarations.c.participant_id, declarations.c.declaration_type,
      unique=True, postgresql_where=text("state IN ('submitted','eligible','payable','paid')"))
