"""The payer's files: the payment and clawback CSVs we send, and the responses the payer returns.

Payment CSV (docs/design.md §4), one row per claim ordered by reference:
``claim_reference, school_urn, school_name, school_local_authority, provider_name, claim_amount,
school_type_of_establishment, school_group, claim_submission_date, claim_status,
claim_unpaid_reason``. ``claim_status`` is ``submitted`` (the status the claims had when they
were selected) and ``claim_unpaid_reason`` is blank: the payer overwrites them with ``paid`` or
``unpaid`` and a reason, and a row returned untouched (``submitted``) changes nothing.

Clawback CSV: ``claim_reference, school_urn, school_name, school_local_authority, provider_name,
claim_amount, clawback_amount, school_type_of_establishment, school_group, claim_submission_date,
claim_status`` with ``claim_status`` ``clawback_in_progress``: the payer writes
``clawback_complete``, and a row returned untouched changes nothing.

Amounts are pounds with two decimals (``876.00``), dates ISO (``2026-11-23``), every cell
formula-safe (``shared.csvfiles.write_csv``).

Responses are validated completely before anything is applied; every failing row is reported with
its spreadsheet row number, in the Design System's words ("Enter a valid claim reference", "Enter
a valid claim status", "Enter a reason"). Status values are trimmed and read in any case.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Mapping

from shared.contracts import Refused
from shared.contracts.claim_status import CLAWBACK_WITH_PAYER, PAYABLE
from shared.contracts.money import Money
from shared.csvfiles import CsvUpload, refuse_rows, write_csv

PAYMENT_HEADERS = ("claim_reference", "school_urn", "school_name", "school_local_authority", "provider_name",
                   "claim_amount", "school_type_of_establishment", "school_group", "claim_submission_date",
                   "claim_status", "claim_unpaid_reason")
CLAWBACK_HEADERS = ("claim_reference", "school_urn", "school_name", "school_local_authority", "provider_name",
                    "claim_amount", "clawback_amount", "school_type_of_establishment", "school_group",
                    "claim_submission_date", "claim_status")
PAYMENT_CSV_STATUS = PAYABLE
CLAWBACK_CSV_STATUS = CLAWBACK_WITH_PAYER

PAYMENT_RESPONSE_COLUMNS = {"required": {"claim_reference": (), "claim_status": ()},
                            "optional": {"claim_unpaid_reason": ("unpaid_reason",)}}
CLAWBACK_RESPONSE_COLUMNS = {"required": {"claim_reference": (), "claim_status": ()}, "optional": {}}

VALID_REFERENCE = "Enter a valid claim reference"
VALID_STATUS = "Enter a valid claim status"
ENTER_REASON = "Enter a reason"


@dataclass(frozen=True)
class PayerRow:
    """What the payer's files say about one claim (a projection row, in plain values)."""

    reference: str
    school_urn: str
    school_name: str
    school_local_authority: str
    provider_name: str
    amount: Decimal
    school_type_of_establishment: str
    school_group: str
    submitted_at: datetime | date | None
    clawback_amount: Decimal | None = None


def _day(value: datetime | date | None) -> str:
    if value is None:
        return ""
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def payment_csv(rows: Iterable[PayerRow]) -> bytes:
    ordered = sorted(rows, key=lambda r: r.reference)
    return write_csv(PAYMENT_HEADERS, [
        (r.reference, r.school_urn, r.school_name, r.school_local_authority, r.provider_name, Money(r.amount),
         r.school_type_of_establishment, r.school_group, _day(r.submitted_at), PAYMENT_CSV_STATUS, "")
        for r in ordered])


def clawback_csv(rows: Iterable[PayerRow]) -> bytes:
    ordered = sorted(rows, key=lambda r: r.reference)
    return write_csv(CLAWBACK_HEADERS, [
        (r.reference, r.school_urn, r.school_name, r.school_local_authority, r.provider_name, Money(r.amount),
         Money(r.clawback_amount or 0), r.school_type_of_establishment, r.school_group, _day(r.submitted_at),
         CLAWBACK_CSV_STATUS)
        for r in ordered])


@dataclass(frozen=True)
class PaymentAnswer:
    reference: str
    outcome: str  # paid | information_requested | unchanged
    reason: str = ""
    row: int = 0


@dataclass(frozen=True)
class ClawbackAnswer:
    reference: str
    outcome: str  # complete | unchanged
    row: int = 0


_PAYMENT_OUTCOMES = {"paid": "paid", "unpaid": "information_requested", "submitted": "unchanged"}
_CLAWBACK_OUTCOMES = {"clawback_complete": "complete", "clawback_in_progress": "unchanged"}


def _references(upload: CsvUpload, eligible: Mapping[str, str] | set[str]) -> tuple[list[Refused], dict[int, str]]:
    """Row errors about references (unknown, not in the right status, twice in the file)."""
    errors: list[Refused] = []
    good: dict[int, str] = {}
    first_row: dict[str, int] = {}
    for row in upload.rows:
        reference = row["claim_reference"].strip()
        if reference not in eligible:
            errors.append(Refused(VALID_REFERENCE, field="claim_reference", row=row.number))
        elif reference in first_row:
            errors.append(Refused(f"{VALID_REFERENCE}: {reference} is also in row {first_row[reference]}",
                                  field="claim_reference", row=row.number))
        else:
            first_row[reference] = row.number
            good[row.number] = reference
    return errors, good


def read_payment_response(upload: CsvUpload, *, in_progress: set[str]) -> list[PaymentAnswer]:
    """The payer's answers, or ``CsvRejected`` with every row's errors (``in_progress``: references
    of the claims that are Payment in progress)."""
    errors, good = _references(upload, in_progress)
    answers: list[PaymentAnswer] = []
    for row in upload.rows:
        status = row["claim_status"].strip().lower()
        outcome = _PAYMENT_OUTCOMES.get(status)
        reason = row.get("claim_unpaid_reason").strip()
        if outcome is None:
            errors.append(Refused(VALID_STATUS, field="claim_status", row=row.number))
        elif outcome == "information_requested" and not reason:
            errors.append(Refused(ENTER_REASON, field="claim_unpaid_reason", row=row.number))
        elif row.number in good:
            answers.append(PaymentAnswer(good[row.number], outcome,
                                         reason if outcome == "information_requested" else "", row.number))
    refuse_rows(upload, errors)  # in row order, with the reader's (more values than columns)
    return answers


def read_clawback_response(upload: CsvUpload, *, in_progress: set[str]) -> list[ClawbackAnswer]:
    """The payer's clawback answers, or ``CsvRejected`` (``in_progress``: claims that are Clawback in progress)."""
    errors, good = _references(upload, in_progress)
    answers: list[ClawbackAnswer] = []
    for row in upload.rows:
        outcome = _CLAWBACK_OUTCOMES.get(row["claim_status"].strip().lower())
        if outcome is None:
            errors.append(Refused(VALID_STATUS, field="claim_status", row=row.number))
        elif row.number in good:
            answers.append(ClawbackAnswer(good[row.number], outcome, row.number))
    refuse_rows(upload, errors)  # in row order, with the reader's (more values than columns)
    return answers

