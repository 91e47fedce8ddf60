"""Reading uploaded CSV files and writing safe ones (shared/csvfiles.py)."""
from __future__ import annotations

import csv
import io

import pytest

from shared.contracts import Refused
from shared.csvfiles import (CsvRejected, error_payload, join_names, read_csv_upload, safe_cell,
                             write_csv)

pytestmark = pytest.mark.unit

REQUIRED = {"claim_reference": ("claim_reference_number",), "reason": ("sample_reason",)}
OPTIONAL = {"school_urn": ()}


def read(data: bytes | None, filename: str | None = "upload.csv", **kwargs):
    return read_csv_upload(data, filename, required=REQUIRED, optional=OPTIONAL, **kwargs)


def rejected(data: bytes | None, filename: str | None = "upload.csv", **kwargs) -> list[str]:
    with pytest.raises(CsvRejected) as caught:
        read(data, filename, **kwargs)
    for error in caught.value.errors:
        assert error.field == "file" and error.row is None
    return caught.value.messages


# --- the order of file-level checks ----------------------------------------------------------------


def test_no_file_asks_to_select_one():
    assert rejected(None, None) == ["Select a CSV file to upload"]
    assert rejected(b"", "") == ["Select a CSV file to upload"]
    assert rejected(None, "claims.csv") == ["Select a CSV file to upload"]


def test_an_empty_file_that_was_chosen_is_empty():
    assert rejected(b"", "claims.csv") == ["The selected file is empty"]


def test_a_file_over_the_size_limit_is_refused_before_its_content_is_read():
    assert rejected(b"claim_reference,reason\n" + b"x" * 200, max_bytes=100) == [
        "The selected file must be smaller than 100 bytes"]
    assert rejected(b"a" * 2048, max_bytes=1024) == ["The selected file must be smaller than 1KB"]


def test_the_default_size_limit_is_50mb_and_says_so():
    from shared.csvfiles import MAX_UPLOAD_BYTES, TOO_LARGE
    assert MAX_UPLOAD_BYTES == 50 * 1024 * 1024
    assert TOO_LARGE == "The selected file must be smaller than 50MB"


def test_content_not_the_name_decides_what_is_a_csv():
    pdf = b"%PDF-1.7\n1 0 obj\n"
    assert rejected(pdf, "claims.csv") == ["The selected file must be a CSV"]
    good = b"claim_reference,reason\n12345678,Random\n"
    assert read(good, "claims.xlsx").rows[0]["claim_reference"] == "12345678"


def test_a_binary_file_that_is_also_empty_of_rows_is_reported_as_not_a_csv():
    assert rejected(b"\x00\x00\x00") == ["The selected file must be a CSV"]


def test_only_a_header_row_is_an_empty_file_even_when_the_headers_are_wrong():
    assert rejected(b"what,ever\n") == ["The selected file is empty"]


def test_missing_headers_name_what_is_needed_and_what_is_there():
    assert rejected(b"claim_refrence,sample_reasn\n1,2\n") == [
        "Your file needs a column called ‘claim_reference’ and ‘reason’.",
        "Right now it has columns called ‘claim_refrence’ and ‘sample_reasn’.",
    ]


def test_one_missing_header_and_one_present_column_read_naturally():
    assert rejected(b"claim_reference\n12345678\n") == [
        "Your file needs a column called ‘reason’.",
        "Right now it has a column called ‘claim_reference’.",
    ]


def test_three_names_are_listed_with_commas_and_a_final_and():
    assert join_names(["a", "b", "c"]) == "‘a’, ‘b’ and ‘c’"
    assert join_names(["a", "b"]) == "‘a’ and ‘b’"
    assert join_names(["a"]) == "‘a’"
    assert join_names(["a", "b"], conjunction="or") == "‘a’ or ‘b’"


def test_a_very_wide_header_row_lists_ten_columns_and_counts_the_rest():
    header = ",".join(f"col{i}" for i in range(25)).encode()
    messages = rejected(header + b"\n" + b"x," * 24 + b"x\n")
    assert messages[1] == ("Right now it has columns called ‘col0’, ‘col1’, ‘col2’, ‘col3’, ‘col4’, "
                           "‘col5’, ‘col6’, ‘col7’, ‘col8’, ‘col9’ and 15 others.")


def test_a_very_long_header_name_is_shortened_in_the_message():
    messages = rejected(b"a" * 500 + b"\nx\n")
    assert messages[1] == "Right now it has a column called ‘" + "a" * 39 + "…’."


def test_the_same_header_twice_is_refused():
    assert rejected(b"claim_reference,reason,Claim_Reference\n1,2,3\n") == [
        "Your file must have only one column called ‘claim_reference’"]


def test_a_header_and_its_alias_together_are_refused():
    assert rejected(b"claim_reference,reason,claim_reference_number\n1,2,3\n") == [
        "Your file must have only one of the columns called ‘claim_reference’ or "
        "‘claim_reference_number’"]


def test_unknown_columns_may_repeat():
    upload = read(b"claim_reference,reason,notes,notes,,\n12345678,Random,a,b,,\n")
    assert upload.rows[0].values == {"claim_reference": "12345678", "reason": "Random", "school_urn": ""}


# --- reading what people really upload -------------------------------------------------------------


def test_utf8_with_a_byte_order_mark_and_crlf_line_endings_is_read():
    upload = read("\ufeffclaim_reference,reason\r\n12345678,Zoë’s school\r\n".encode("utf-8"))
    assert upload.headers == ("claim_reference", "reason")
    assert upload.rows[0]["reason"] == "Zoë’s school"


def test_windows_1252_text_is_read():
    upload = read("claim_reference,reason\n12345678,Zoë’s café\n".encode("cp1252"))
    assert upload.rows[0]["reason"] == "Zoë’s café"


def test_latin_1_text_is_read():
    upload = read("claim_reference,reason\n12345678,Ångström façade\n".encode("latin-1"))
    assert upload.rows[0]["reason"] == "Ångström façade"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_unicode_text_with_a_byte_order_mark_is_read(encoding):
    text = "claim_reference,reason\n12345678,Zoë\n"
    data = text.encode(encoding)
    if not encoding.endswith("16") and not encoding.endswith("32"):
        data = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding] + data
    assert read(data).rows[0]["reason"] == "Zoë"


def test_utf16_without_a_byte_order_mark_is_not_a_csv():
    data = "claim_reference,reason\n12345678,x\n".encode("utf-16-le")
    assert rejected(data) == ["The selected file must be a CSV"]


def test_quoted_values_keep_their_commas_quotes_and_line_breaks():
    data = b'claim_reference,reason\n12345678,"Late, ""very"" late\nand wrong"\n87654321,ok\n'
    upload = read(data)
    assert upload.rows[0]["reason"] == 'Late, "very" late\nand wrong'
    assert [r.number for r in upload.rows] == [2, 3]


def test_row_numbers_are_the_rows_a_spreadsheet_shows_counting_blank_lines():
    data = b"\nclaim_reference,reason\n\n12345678,a\n , \n,,\n87654321,b\n"
    upload = read(data)
    assert [r.number for r in upload.rows] == [4, 7]


def test_headers_and_cells_are_trimmed_and_headers_ignore_case_and_spaces():
    upload = read(b"  Claim Reference  ,REASON \n 12345678 ,  Random  \n")
    assert upload.headers == ("Claim Reference", "REASON")
    assert upload.rows[0].values == {"claim_reference": "12345678", "reason": "Random", "school_urn": ""}
    assert upload.has("claim_reference") and not upload.has("school_urn")


def test_an_alias_header_reads_under_its_canonical_name():
    upload = read(b"claim_reference_number,sample_reason,school_urn\n12345678,Random,100000\n")
    assert upload.rows[0].values == {"claim_reference": "12345678", "reason": "Random",
                                     "school_urn": "100000"}
    assert upload.present == {"claim_reference", "reason", "school_urn"}


def test_mixed_line_endings_are_all_line_endings():
    upload = read(b"claim_reference,reason\r\n1,a\n2,b\r3,c\r\n")
    assert [(r.number, r["claim_reference"]) for r in upload.rows] == [(2, "1"), (3, "2"), (4, "3")]


def test_short_rows_read_missing_cells_as_blank_and_extra_values_are_row_errors():
    upload = read(b"claim_reference,reason\n12345678\n87654321,b,extra,more\n11111111,c,,\n")
    assert upload.rows[0]["reason"] == ""
    assert upload.rows[1]["reason"] == "b"
    assert [(e.row, e.field, e.message) for e in upload.row_errors] == [
        (3, None, "This row has more values than there are columns")]


def test_values_under_a_blank_header_between_named_ones_are_an_unknown_column_not_extra():
    upload = read(b"claim_reference,,reason,,\n12345678,note,b,,\n")
    assert upload.row_errors == ()
    upload = read(b"claim_reference,,reason,,\n12345678,note,b,,late\n")
    assert [e.row for e in upload.row_errors] == [2]


def test_refuse_rows_reports_the_readers_errors_with_the_callers_in_row_order():
    from shared.csvfiles import refuse_rows
    upload = read(b"claim_reference,reason\n1,a\n2,b,c\n3,d\n")
    with pytest.raises(CsvRejected) as caught:
        refuse_rows(upload, [Refused("Mentors are missing", field="x"), Refused("Enter a reason", row=4),
                             Refused("Enter a valid claim reference", row=2)])
    assert [(e.row, e.message) for e in caught.value.errors] == [
        (2, "Enter a valid claim reference"), (3, "This row has more values than there are columns"),
        (4, "Enter a reason"), (None, "Mentors are missing")]
    refuse_rows(read(b"claim_reference,reason\n1,a\n"))  # nothing to report: returns


def test_a_trailing_ctrl_z_from_old_windows_tools_is_ignored():
    assert read(b"claim_reference,reason\n1,a\n\x1a").rows[0]["reason"] == "a"


def test_a_neutralised_formula_cell_reads_back_as_it_was_written():
    data = write_csv(["claim_reference", "reason"], [["12345678", "=SUM(A1:A2)"], ["1", "'quoted"]])
    rows = read(data).rows
    assert rows[0]["reason"] == "=SUM(A1:A2)"
    assert rows[1]["reason"] == "'quoted"


def test_a_file_with_too_many_rows_is_refused_with_the_limit():
    data = b"claim_reference,reason\n" + b"1,a\n" * 11
    assert rejected(data, max_rows=10) == ["The selected file must have no more than 10 rows"]


def test_errors_become_the_gateway_error_body():
    body = error_payload([Refused("Enter a reason", field="claim_not_assured_reason", row=3)])
    assert body == {"errors": [{"message": "Enter a reason", "row": 3, "field": "claim_not_assured_reason"}]}


def test_a_rejection_without_errors_is_a_programming_error():
    with pytest.raises(ValueError):
        CsvRejected([])


# --- writing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)",
                                   "\tnote", "\rnote", "＝1+1", "-", "+", "=", "-12.00abc",
                                   "+44 20 7946 0000"])
def test_cells_that_a_spreadsheet_would_run_are_prefixed_with_a_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12.00", "876.00", "+5", "-3", "0", "12345678", "Jane Doe",
                                   "a=b", " =1+1", "", "1e5"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert safe_cell(value) == value


def test_values_that_are_not_text_are_written_as_text():
    from decimal import Decimal
    from shared.contracts import Money
    assert safe_cell(None) == ""
    assert safe_cell(Money("-12")) == "-12.00"
    assert safe_cell(Decimal("876.5")) == "876.5"
    assert safe_cell(7) == "7"


def test_written_csv_is_utf8_with_bom_crlf_and_quoted_where_needed():
    data = write_csv(["name", "amount"], [["Zoë, \"Jo\"", "-12.00"], {"name": "=cmd", "amount": None}])
    assert data == ('\ufeffname,amount\r\n"Zoë, ""Jo""",-12.00\r\n\'=cmd,\r\n').encode("utf-8")
    assert write_csv(["a"], [], bom=False) == b"a\r\n"


def test_written_rows_must_fit_the_headers():
    with pytest.raises(ValueError):
        write_csv(["a", "b"], [["only one"]])


def test_what_we_write_any_csv_reader_reads_back_with_the_guard_visible():
    data = write_csv(["a"], [["=HYPERLINK(\"http://x\")"], ["line\nbreak"]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["a"], ["'=HYPERLINK(\"http://x\")"], ["line\nbreak"]]
