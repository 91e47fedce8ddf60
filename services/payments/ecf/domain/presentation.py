"""Shapes of a statement for the API and the CSV downloads (the CSV rows; ``ecf.exports`` writes
them through the one formula-safe writer).

Amounts are strings with two decimals, pennies rounded half up (``rules.as_text``); the exact
values stay in the domain objects. Dates are ISO 8601.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable, Iterator

from .calculator import FeeLine, StatementLines
from .declarations import Declaration
from .rules import as_text
from .statements import Statement

STATEMENT_CSV_HEADERS = ("line", "declaration_type", "band", "count", "fee", "amount")
DECLARATIONS_CSV_HEADERS = (
    "id", "participant_id", "declaration_type", "declaration_date", "course_identifier", "evidence_held",
    "state", "statement_id", "clawback_statement_id", "uplift", "ineligible_reason", "submitted_at",
)


def _line(line: FeeLine) -> dict:
    return {"declaration_type": line.declaration_type, "band": line.band, "count": line.count,
            "fee": as_text(line.fee), "subtotal": as_text(line.subtotal)}


def statement_document(statement: Statement, lines: StatementLines, *, today: date) -> dict:
    """The finance API's statement: GET /api/v1/finance/statements/{id}."""
    return {
        "id": statement.id,
        "lead_provider_id": statement.lead_provider_id,
        "cohort": statement.cohort,
        "name": statement.name,
        "deadline_date": statement.deadline_date.isoformat(),
        "payment_date": statement.payment_date.isoformat(),
        "type": "output" if statement.output_fee else "service",
        "state": statement.state(today),
        "service_fee": as_text(lines.service_fee),
        "output_fee": as_text(lines.output_fee),
        "mentor_output_fee": as_text(lines.mentor_output_fee),
        "uplift": as_text(lines.uplift),
        "uplift_count": lines.uplift_count,
        "clawbacks": as_text(lines.clawbacks),
        "adjustments": as_text(lines.adjustments),
        "vat": as_text(lines.vat),
        "total": as_text(lines.total),
        "output_fees": [_line(x) for x in lines.output_fees],
        "clawback_fees": [_line(x) for x in lines.clawback_lines],
        "mentor_output_fees": [_line(x) for x in lines.mentor_output_fees],
        "mentor_clawback_fees": [_line(x) for x in lines.mentor_clawback_lines],
        "adjustment_lines": [{"payment_type": a.payment_type, "amount": as_text(a.amount)}
                             for a in statement.adjustments],
        "unpaid_overflow": dict(lines.unpaid_overflow),
        "authorised_at": statement.authorised_at.isoformat() if statement.authorised_at else None,
        "authorised_for_payment": statement.authorised_display,
    }


def statement_csv_rows(statement: Statement, lines: StatementLines) -> Iterator[tuple]:
    """One row per line of the statement, then its totals (cells in ``STATEMENT_CSV_HEADERS`` order)."""
    for x in lines.output_fees:
        yield ("output_fee", x.declaration_type, x.band, x.count, as_text(x.fee), as_text(x.subtotal))
    for x in lines.mentor_output_fees:
        yield ("mentor_output_fee", x.declaration_type, x.band, x.count, as_text(x.fee), as_text(x.subtotal))
    for x in lines.clawback_lines + lines.mentor_clawback_lines:
        yield ("clawback", x.declaration_type, x.band, x.count, as_text(x.fee), as_text(-x.subtotal))
    if lines.uplift_count:
        yield ("uplift", "started", "", lines.uplift_count, "", as_text(lines.uplift))
    if lines.uplift_clawback_count:
        yield ("uplift_clawback", "started", "", lines.uplift_clawback_count, "", as_text(-lines.uplift_clawback))
    for a in statement.adjustments:
        yield ("adjustment", a.payment_type, "", "", "", as_text(a.amount))
    for name, amount in (("service_fee", lines.service_fee), ("output_fee", lines.output_fee),
                         *((("mentor_output_fee", lines.mentor_output_fee),) if lines.mentor_output_fees else ()),
                         ("uplift", lines.uplift), ("clawbacks", lines.clawbacks),
                         ("adjustments", lines.adjustments), ("vat", lines.vat), ("total", lines.total)):
        yield (f"total_{name}" if name != "total" else "total", "", "", "", "", as_text(amount))


def declarations_csv_rows(declarations: Iterable[Declaration]) -> Iterator[tuple]:
    """Every declaration given (those on a statement, or clawed back on it), in the given order
    (cells in ``DECLARATIONS_CSV_HEADERS`` order)."""
    for d in declarations:
        yield (d.id, d.participant_id, d.declaration_type, d.declaration_date.isoformat(), d.course_identifier,
               d.evidence_held or "", d.state, d.statement_id or "", d.clawback_statement_id or "",
               "yes" if d.uplift else "no", d.ineligible_reason or "", d.submitted_at.isoformat())
