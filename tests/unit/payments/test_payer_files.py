"""The payer's files: what we send (columns, order, amounts, formula safety) and the responses we read."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from services.payments.domain.payer_files import (CLAWBACK_HEADERS, PAYMENT_HEADERS, PAYMENT_RESPONSE_COLUMNS,
                                                  CLAWBACK_RESPONSE_COLUMNS, PayerRow, payment_csv,
                                                  read_clawback_response, read_payment_response)
from services.payments.domain.status import next_status
from shared.contracts import Refused
from shared.csvfiles import CsvRejected, read_csv_upload


def row(reference: str, **kw) -> PayerRow:
    values = dict(reference=reference, school_urn="100001", school_name="Hackney Primary",
                  school_local_authority="Hackney", provider_name="Best Practice Network", amount=Decimal("876"),
                  school_type_of_establishment="Community school", school_group="",
                  submitted_at=datetime(2026, 11, 23, 10, tzinfo=timezone.utc))
    values.update(kw)
    return PayerRow(**values)


def cells(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_payment_csv_has_the_columns_of_design_4_one_row_per_claim_ordered_by_reference():
    data = payment_csv([row("22222222"), row("11111111", amount=Decimal("1072.5"))])
    header, *rows = cells(data)
    assert tuple(header) == PAYMENT_HEADERS
    assert [r[0] for r in rows] == ["11111111", "22222222"]
    first = dict(zip(header, rows[0]))
    assert first["claim_amount"] == "1072.50"
    assert first["claim_submission_date"] == "2026-11-23"
    assert (first["claim_status"], first["claim_unpaid_reason"]) == ("submitted", "")
    assert b"\r\n" in data


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised():
    header, first = cells(payment_csv([row("11111111", school_name="=HYPERLINK(\"http://x\")",
                                           school_group="+44 Trust")]))
    values = dict(zip(header, first))
    assert values["school_name"].startswith("'=")
    assert values["school_group"] == "'+44 Trust"
    assert values["claim_amount"] == "876.00"


def test_the_clawback_csv_has_its_columns_in_order():
    from services.payments.domain.payer_files import clawback_csv
    header, first = cells(clawback_csv([row("11111111", clawback_amount=Decimal("131.4"))]))
    assert tuple(header) == CLAWBACK_HEADERS
    assert dict(zip(header, first))["clawback_amount"] == "131.40"
    assert dict(zip(header, first))["claim_status"] == "clawback_in_progress"


def upload(text: str, columns=PAYMENT_RESPONSE_COLUMNS):
    return read_csv_upload(text.encode(), "response.csv", **columns)


def test_a_payer_response_is_read_with_trimmed_case_insensitive_statuses():
    answers = read_payment_response(upload(
        "claim_reference,claim_status,claim_unpaid_reason\n"
        "11111111, PAID ,\n22222222,Unpaid,Bank details wrong\n33333333,submitted,\n"),
        in_progress={"11111111", "22222222", "33333333"})
    assert [(a.reference, a.outcome, a.reason) for a in answers] == [
        ("11111111", "paid", ""), ("22222222", "information_requested", "Bank details wrong"),
        ("33333333", "unchanged", "")]


def test_every_bad_row_of_a_payer_response_is_reported_with_its_row_number():
    with pytest.raises(CsvRejected) as rejected:
        read_payment_response(upload(
            "claim_reference,claim_status,claim_unpaid_reason\n"
            "99999999,paid,\n11111111,maybe,\n22222222,unpaid,\n11111111,paid,\n"),
            in_progress={"11111111", "22222222"})
    errors = [(e.row, e.message) for e in rejected.value.errors]
    assert errors[:3] == [(2, "Enter a valid claim reference"), (3, "Enter a valid claim status"),
                          (4, "Enter a reason")]
    assert errors[3][0] == 5 and errors[3][1].startswith("Enter a valid claim reference")


def test_a_payer_response_without_the_status_column_gets_the_design_system_file_errors():
    with pytest.raises(CsvRejected) as rejected:
        upload("claim_reference\n11111111\n")
    assert rejected.value.messages[0] == "Your file needs a column called ‘claim_status’."


def test_a_clawback_response_moves_only_clawback_complete_rows():
    answers = read_clawback_response(upload(
        "claim_reference,claim_status\n11111111,Clawback_Complete\n22222222,clawback_in_progress\n",
        CLAWBACK_RESPONSE_COLUMNS), in_progress={"11111111", "22222222"})
    assert [(a.reference, a.outcome) for a in answers] == [("11111111", "complete"), ("22222222", "unchanged")]
    with pytest.raises(CsvRejected) as rejected:
        read_clawback_response(upload("claim_reference,claim_status\n11111111,paid\n33333333,clawback_complete\n",
                                      CLAWBACK_RESPONSE_COLUMNS), in_progress={"11111111"})
    assert [(e.row, e.message) for e in rejected.value.errors] == [
        (2, "Enter a valid claim status"), (3, "Enter a valid claim reference")]


@pytest.mark.parametrize("status,action,allowed", [
    ("payment_information_requested", "marked as information sent to the payer", True),
    ("payment_in_progress", "marked as information sent to the payer", False),
    ("payment_in_progress", "marked as paid", True),
    ("payment_information_sent", "marked as paid", True),
    ("paid", "marked as paid", False),
    ("payment_information_requested", "rejected by the payer", True),
    ("payment_information_sent", "rejected by the payer", True),
    ("submitted", "rejected by the payer", False),
])
def test_manual_payer_actions_are_allowed_only_from_the_statuses_of_design_3(status, action, allowed):
    if allowed:
        next_status("12345678", status, action)
    else:
        with pytest.raises(Refused) as refused:
            next_status("12345678", status, action)
        assert "12345678" in refused.value.message and action in refused.value.message
