"""What every CSV reader reports about rows (issue 26, items 7, 8 and 9): the row numbers people see
in a spreadsheet, a row with more values than there are columns, and at most 100 errors then a
count of the rest. Each reader is checked: the sampling file, the provider response, the payer's
payment response and clawback response, and the schools import's reader."""
from __future__ import annotations

import pytest

from services.payments.domain.payer_files import (CLAWBACK_RESPONSE_COLUMNS, PAYMENT_RESPONSE_COLUMNS,
                                                  read_clawback_response, read_payment_response)
from services.sampling.domain import validate_provider_response, validate_sampling_upload
from shared.contracts import Refused
from shared.csvfiles import EXTRA_CELLS, SHOWN_ERRORS, CsvRejected, read_csv_upload, refuse_rows
from tests.support.sampling_claims import JANE, JOHN, claim, projection

pytestmark = pytest.mark.unit

GOOD = "11111111"


def _sampling(text: str) -> None:
    validate_sampling_upload(text.encode(), "s.csv", claims=projection(claim(GOOD), claim("22222222")))


def _provider(text: str) -> None:
    claims = projection(claim(GOOD, "sampling_in_progress", mentors=[JOHN]),
                        claim("22222222", "sampling_in_progress", mentors=[JANE]))
    validate_provider_response(text.encode(), "r.csv", claims=claims)


def _payments(text: str) -> None:
    upload = read_csv_upload(text.encode(), "p.csv", **PAYMENT_RESPONSE_COLUMNS)
    read_payment_response(upload, in_progress={GOOD, "22222222"})


def _clawbacks(text: str) -> None:
    upload = read_csv_upload(text.encode(), "c.csv", **CLAWBACK_RESPONSE_COLUMNS)
    read_clawback_response(upload, in_progress={GOOD, "22222222"})


# (reader, header, a good row, a row whose reference is wrong)
READERS = {
    "sampling file": (_sampling, "claim_reference_number,claim_sample_reason", f"{GOOD},Random", "ABC,Random"),
    "provider response": (_provider, "claim_reference,mentor_full_name,claim_assured",
                          f"{GOOD},John Smith,yes", "ABC,Jane Doe,yes"),
    "payment response": (_payments, "claim_reference,claim_status", f"{GOOD},paid", "ABC,paid"),
    "clawback response": (_clawbacks, "claim_reference,claim_status", f"{GOOD},clawback_complete",
                          "ABC,clawback_complete"),
}


def refused(read, text: str) -> list[Refused]:
    with pytest.raises(CsvRejected) as caught:
        read(text)
    return list(caught.value.errors)


@pytest.mark.parametrize("name", READERS)
def test_a_bad_second_data_row_is_row_3_as_a_spreadsheet_shows_it(name):
    read, header, good, bad = READERS[name]
    errors = refused(read, f"{header}\n{good}\n{bad}\n")
    assert {e.row for e in errors if e.row is not None} == {3}


@pytest.mark.parametrize("name", READERS)
def test_blank_lines_and_a_value_over_several_lines_count_as_a_spreadsheet_counts_them(name):
    read, header, good, bad = READERS[name]
    # row 1 blank, header row 2, row 3 blank, row 4 good, rows 5 and 6 blank, row 7 bad
    text = f"\n{header}\n\n{good}\n , \n\n{bad}\n"
    assert {e.row for e in refused(read, text) if e.row is not None} == {7}
    # a quoted value with a line break is one row (one cell in a spreadsheet): rows 2 and 3
    spread = bad.replace("ABC", '"AB\nC"', 1)
    text = f"{header}\n{spread}\n{bad}\n"
    assert {e.row for e in refused(read, text) if e.row is not None} == {2, 3}


@pytest.mark.parametrize("name", READERS)
def test_a_row_with_more_values_than_columns_is_a_row_error_in_every_reader(name):
    read, header, good, bad = READERS[name]
    errors = refused(read, f"{header}\n{good},surprise\n")
    assert [(e.row, e.message) for e in errors] == [(2, EXTRA_CELLS)]


@pytest.mark.parametrize("name", READERS)
def test_extra_cells_are_reported_in_row_order_with_the_other_row_errors(name):
    read, header, good, bad = READERS[name]
    errors = refused(read, f"{header}\n{bad}\n{good},,,x\n")
    rows = [e.row for e in errors if e.row is not None]
    assert rows == sorted(rows) and 2 in rows
    assert [(e.row, e.message) for e in errors if e.message == EXTRA_CELLS] == [(3, EXTRA_CELLS)]


@pytest.mark.parametrize("name", READERS)
def test_trailing_blank_cells_that_spreadsheets_write_are_not_extra_values(name):
    read, header, good, bad = READERS[name]
    errors = refused(read, f"{header},,\n{good},,\n{bad},, \n")
    assert EXTRA_CELLS not in [e.message for e in errors]


@pytest.mark.parametrize("name", READERS)
def test_a_file_with_thousands_of_errors_lists_the_first_100_then_counts_the_rest(name):
    read, header, good, bad = READERS[name]
    rows = [bad.replace("ABC", f"ABC{i}") for i in range(1_000)]
    errors = refused(read, header + "\n" + "\n".join(rows) + "\n")
    assert len(errors) == SHOWN_ERRORS + 1
    assert [e.row for e in errors[:SHOWN_ERRORS]] == sorted(e.row for e in errors[:SHOWN_ERRORS])
    assert errors[0].row == 2
    last = errors[-1]
    assert last.row is None and last.field == "file"
    assert last.message.startswith("and ") and last.message.endswith(" more errors")


def test_the_schools_import_reader_refuses_extra_values_too():
    upload = read_csv_upload(b"urn,name\n100000,Hogwarts,Scotland\n", "gias.csv",
                             required={"urn": (), "name": ()})
    with pytest.raises(CsvRejected) as caught:
        refuse_rows(upload)
    assert [(e.row, e.message) for e in caught.value.errors] == [(2, EXTRA_CELLS)]


def test_the_count_of_the_rest_is_exact_with_thousands_separators_and_a_singular():
    many = [Refused("Enter a valid claim reference", field="claim_reference", row=n) for n in range(399_987)]
    rejected = CsvRejected(many)
    assert rejected.error_count == 399_987
    assert rejected.errors[-1].message == "and 399,887 more errors"
    assert CsvRejected(many[:101]).errors[-1].message == "and 1 more error"
    assert len(CsvRejected(many[:100]).errors) == 100
