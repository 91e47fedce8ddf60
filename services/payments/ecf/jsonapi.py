"""JSON:API documents of the Lead Provider API (a compatible subset of the ECF API v3).

- A declaration is ``{"id", "type": "participant-declaration", "attributes": {...}}`` with the v3
  attributes (``participant_id``, ``declaration_type``, ``declaration_date``, ``course_identifier``,
  ``state``, ``statement_id``, ``clawback_statement_id``, ``ineligible_for_funding_reason``,
  ``uplift_paid``, ``evidence_held``, ``created_at``, ``updated_at``, ...). Attributes we do not
  hold (delivery partner, mentor, has_passed) are null.
- A statement is ``{"id", "type": "statement", "attributes": {"month", "year", "type": "ecf",
  "cohort", "cut_off_date", "payment_date", "paid", "created_at", "updated_at"}}``.
- Errors are ``{"errors": [{"title", "detail"}]}``: the title names the attribute (``base`` when the
  error is about the request as a whole), the detail is the message in the ECF API's words.
- Dates and times are RFC 3339 in UTC with a ``Z``.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Iterable

from shared.contracts.errors import Refused
from shared.contracts.identifiers import is_ascii_digits

from .domain.declarations import PAID, Declaration
from .domain.statements import Statement

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
#: The v3 value for a declaration made ineligible because its participant is a duplicate.
_INELIGIBLE_REASONS = {"duplicate": "duplicate_declaration"}


def rfc3339(at: datetime | None) -> str | None:
    if at is None:
        return None
    return at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def declaration_resource(d: Declaration, *, lead_provider_name: str, updated_at: datetime | None = None) -> dict:
    return {
        "id": d.id,
        "type": "participant-declaration",
        "attributes": {
            "participant_id": d.participant_id,
            "declaration_type": d.declaration_type,
            "declaration_date": rfc3339(d.declaration_date),
            "course_identifier": d.course_identifier,
            "state": d.state,
            "updated_at": rfc3339(updated_at or d.submitted_at),
            "created_at": rfc3339(d.submitted_at),
            "delivery_partner_id": None,
            "statement_id": d.statement_id,
            "clawback_statement_id": d.clawback_statement_id,
            "ineligible_for_funding_reason": _INELIGIBLE_REASONS.get(d.ineligible_reason or "", d.ineligible_reason),
            "mentor_id": None,
            "uplift_paid": d.uplift and d.state == PAID,
            "evidence_held": d.evidence_held,
            "has_passed": None,
            "lead_provider_name": lead_provider_name,
        },
    }


def statement_month(statement: Statement) -> tuple[str, str]:
    """The statement's month and year: from its name ("December 2026") when it is one, otherwise
    from its payment date."""
    words = statement.name.split()
    if len(words) == 2 and words[0].capitalize() in _MONTHS and is_ascii_digits(words[1]) and len(words[1]) == 4:
        return words[0].capitalize(), words[1]
    return _MONTHS[statement.payment_date.month - 1], str(statement.payment_date.year)


def statement_resource(statement: Statement, *, created_at: datetime | None = None,
                       updated_at: datetime | None = None) -> dict:
    month, year = statement_month(statement)
    return {
        "id": statement.id,
        "type": "statement",
        "attributes": {
            "month": month,
            "year": year,
            "type": "ecf",
            "cohort": str(statement.cohort),
            "cut_off_date": statement.deadline_date.isoformat(),
            "payment_date": statement.payment_date.isoformat(),
            "paid": statement.authorised_at is not None,
            "created_at": rfc3339(created_at),
            "updated_at": rfc3339(updated_at),
        },
    }


def participant_resource(row: dict, *, updated_at: datetime | None = None) -> dict:
    """A participant in the v3 shape: ``{"id", "type": "participant", "attributes": {"full_name",
    "teacher_reference_number", "updated_at", "ecf_enrolments": [...], "participant_id_changes"}}``;
    ``row`` is a participant row with its status ``changes``."""
    changes = list(row.get("changes") or ())
    last = {c.status: c for c in changes}
    status = changes[-1].status if changes else "active"
    withdrawal = last.get("withdrawn") if status == "withdrawn" else None
    deferral = last.get("deferred") if status == "deferred" else None
    mentor = row["course_identifier"] == "ecf-mentor"
    return {
        "id": row["id"],
        "type": "participant",
        "attributes": {
            "full_name": row["full_name"],
            "teacher_reference_number": row["trn"],
            "updated_at": rfc3339(updated_at or row.get("updated_at")),
            "ecf_enrolments": [{
                "training_record_id": row["id"],
                "email": None,
                "mentor_id": None,
                "school_urn": None,
                "participant_type": "mentor" if mentor else "ect",
                "cohort": str(row["cohort"]),
                "training_status": status,
                "participant_status": "withdrawn" if status == "withdrawn" else "active",
                "teacher_reference_number_validated": True,
                "eligible_for_funding": bool(row["funding_eligible"]) and row.get("cohort_confirmed", True),
                "pupil_premium_uplift": row["pupil_premium_uplift"],
                "sparsity_uplift": row["sparsity_uplift"],
                "schedule_identifier": row["schedule_identifier"],
                "delivery_partner_id": None,
                "withdrawal": {"reason": withdrawal.reason, "date": rfc3339(withdrawal.at)} if withdrawal else None,
                "deferral": {"reason": deferral.reason, "date": rfc3339(deferral.at)} if deferral else None,
                "created_at": rfc3339(row.get("created_at")),
                "induction_end_date": None,
                "mentor_funding_end_date": None,
                "cohort_changed_after_payments_frozen": False,
                "mentor_ineligible_for_funding_reason": None,
            }],
            "participant_id_changes": [],
        },
    }


def errors_document(errors: Iterable[Refused]) -> dict[str, Any]:
    return {"errors": [{"title": e.field or "base", "detail": e.message} for e in errors]}


def error(title: str, detail: str) -> dict[str, Any]:
    return {"errors": [{"title": title, "detail": detail}]}


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None
