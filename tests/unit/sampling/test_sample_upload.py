"""The sampling file: which paid claims to audit (services/sampling/domain/sample_upload.py)."""
from __future__ import annotations

import pytest

from services.sampling.domain import CsvRejected, SampledClaim, validate_sampling_upload
from tests.support.sampling_claims import claim, projection, refusals

pytestmark = pytest.mark.unit

FULL_HEADER = ("claim_id,school_id,provider_id,claim_window_id,claim_reference_number,submitted_at,"
               "claim_sample_reason\n")


def upload(text: str, claims):
    return validate_sampling_upload(text.encode("utf-8"), "sample.csv", claims=claims)


def errors(text: str, claims) -> list[tuple[int | None, str | None, str]]:
    return refusals(validate_sampling_upload, text, "sample.csv", claims)


def test_a_file_of_paid_claims_with_reasons_is_the_sample():
    claims = projection(claim("11111111"), claim("22222222", provider_id="prov-2"))
    sample = upload("claim_reference_number,claim_sample_reason\n11111111,Random\n22222222,High value\n",
                    claims)
    assert sample.claims == (SampledClaim("11111111", "Random", "prov-1", 2),
                             SampledClaim("22222222", "High value", "prov-2", 3))
    assert sample.claim_count == 2


def test_the_sample_is_grouped_per_accredited_provider():
    claims = projection(claim("11111111"), claim("22222222", provider_id="prov-2"), claim("33333333"))
    sample = upload("claim_reference,sample_reason\n11111111,a\n22222222,b\n33333333,c\n", claims)
    groups = sample.by_provider()
    assert {p: [c.reference for c in cs] for p, cs in groups.items()} == {
        "prov-1": ["11111111", "33333333"], "prov-2": ["22222222"]}


def test_the_short_header_names_are_accepted():
    sample = upload("claim_reference,sample_reason\n11111111,Random\n", projection(claim("11111111")))
    assert [c.reference for c in sample.claims] == ["11111111"]


def test_every_column_agreeing_with_the_claim_is_accepted():
    text = FULL_HEADER + "claim-11111111,sch-1,PROV-1,win-1,11111111,2024-06-01 23:30:15 UTC,Random\n"
    assert upload(text, projection(claim("11111111"))).claim_count == 1


def test_the_reference_and_urn_may_stand_for_the_claim_and_school_ids():
    text = FULL_HEADER + "11111111,100000,prov-1,win-1,11111111,,Random\n"
    assert upload(text, projection(claim("11111111"))).claim_count == 1


def test_a_reference_a_spreadsheet_stripped_of_its_leading_zeros_still_matches():
    sample = upload("claim_reference,sample_reason\n123,Random\n", projection(claim("00000123")))
    assert sample.claims[0].reference == "00000123"


def test_blank_lines_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    claims = projection(claim("11111111"))
    assert errors("claim_reference,sample_reason\n\n\n99999999,Random\n", claims) == [
        (4, "claim_reference_number", "Enter a valid claim reference")]


def test_unknown_and_unpaid_claims_are_not_valid_references():
    claims = projection(claim("11111111", "submitted"), claim("22222222", "sampling_in_progress"))
    assert errors("claim_reference,sample_reason\n11111111,a\n22222222,b\n99999999,c\n,d\n", claims) == [
        (2, "claim_reference_number", "Enter a valid claim reference"),
        (3, "claim_reference_number", "Enter a valid claim reference"),
        (4, "claim_reference_number", "Enter a valid claim reference"),
        (5, "claim_reference_number", "Enter a valid claim reference"),
    ]


def test_a_missing_reason_is_an_invalid_sample_reason():
    assert errors("claim_reference,sample_reason\n11111111,   \n", projection(claim("11111111"))) == [
        (2, "claim_sample_reason", "Enter a valid sample reason")]


def test_a_row_reports_each_of_its_problems():
    assert errors("claim_reference,sample_reason\nnope,\n", projection()) == [
        (2, "claim_reference_number", "Enter a valid claim reference"),
        (2, "claim_sample_reason", "Enter a valid sample reason"),
    ]


def test_the_same_claim_twice_is_refused_on_the_later_rows():
    claims = projection(claim("11111111"))
    assert errors("claim_reference,sample_reason\n11111111,a\n11111111,b\n00011111111,c\n 11111111 ,d\n",
                  claims) == [
        (3, "claim_reference_number", "Enter each claim only once (‘11111111’ is also in row 2)"),
        (4, "claim_reference_number", "Enter a valid claim reference"),
        (5, "claim_reference_number", "Enter each claim only once (‘11111111’ is also in row 2)"),
    ]


@pytest.mark.parametrize(("column", "value", "label"), [
    ("claim_id", "claim-99999999", "claim ID"),
    ("school_id", "sch-2", "school ID"),
    ("provider_id", "prov-2", "provider ID"),
    ("claim_window_id", "win-2", "claim window ID"),
    ("submitted_at", "2024-05-30", "submitted date"),
    ("submitted_at", "not a date", "submitted date"),
    ("submitted_at", "31/02/2024", "submitted date"),
])
def test_a_column_that_disagrees_with_the_claim_is_an_error(column, value, label):
    text = f"claim_reference,sample_reason,{column}\n11111111,Random,{value}\n"
    assert errors(text, projection(claim("11111111"))) == [
        (2, column, f"Enter a {label} that matches claim ‘11111111’")]


@pytest.mark.parametrize("written", [
    "2024-06-01",                 # the date in UTC
    "2024-06-02",                 # the date in UK summer time (00:30 BST)
    "01/06/2024", "02/06/2024",
    "2024-06-01T23:30:15Z", "2024-06-01T23:30:15.999+00:00", "2024-06-02T00:30:15+01:00",
    "2024-06-01 23:30", "2024-06-02 00:30", "01/06/2024 23:30", "02/06/2024 00:30:15",
    "2024-06-01 23:30:15 utc",
])
def test_a_submitted_date_agrees_in_the_forms_people_write_it(written):
    text = f"claim_reference,sample_reason,submitted_at\n11111111,Random,{written}\n"
    assert upload(text, projection(claim("11111111"))).claim_count == 1


@pytest.mark.parametrize("written", ["2024-06-01 23:31", "2024-06-01T23:30:16Z", "03/06/2024",
                                     "2024-06-01T23:30:15+02:00"])
def test_a_submitted_time_that_is_off_disagrees(written):
    text = f"claim_reference,sample_reason,submitted_at\n11111111,Random,{written}\n"
    assert errors(text, projection(claim("11111111")))[0][1] == "submitted_at"


def test_a_submitted_at_given_as_an_iso_string_in_the_projection_is_compared_too():
    claims = projection(claim("11111111", submitted_at="2024-06-01T10:00:00Z"))
    assert upload("claim_reference,sample_reason,submitted_at\n11111111,a,2024-06-01\n", claims).claim_count == 1


def test_blank_optional_columns_are_not_checked():
    text = FULL_HEADER + ",,,,11111111,,Random\n"
    assert upload(text, projection(claim("11111111"))).claim_count == 1


def test_an_unknown_claim_is_not_checked_against_the_other_columns():
    text = FULL_HEADER + "x,x,x,x,99999999,x,Random\n"
    assert errors(text, projection()) == [(2, "claim_reference_number", "Enter a valid claim reference")]


def test_misspelt_headers_get_both_header_messages():
    assert [m for *_, m in errors("claim_refrence,sample_reasons\n11111111,a\n", projection())] == [
        "Your file needs a column called ‘claim_reference_number’ and ‘claim_sample_reason’.",
        "Right now it has columns called ‘claim_refrence’ and ‘sample_reasons’.",
    ]


def test_a_file_with_good_and_bad_rows_samples_nothing():
    claims = projection(claim("11111111"))
    with pytest.raises(CsvRejected) as caught:
        upload("claim_reference,sample_reason\n11111111,a\n99999999,b\n", claims)
    assert [e.row for e in caught.value.errors] == [3]


def test_a_sampling_row_with_more_values_than_columns_is_refused_even_when_the_claim_is_good():
    claims = projection(claim("11111111"), claim("22222222"))
    text = "claim_reference_number,claim_sample_reason\n11111111,Random,extra\nABC,Random\n22222222,High, value\n"
    assert errors(text, claims) == [
        (2, None, "This row has more values than there are columns"),
        (3, "claim_reference_number", "Enter a valid claim reference"),
        (4, None, "This row has more values than there are columns")]


@pytest.mark.parametrize("reference", ["١١١١١١١١", "１１１１１１１１", "11111111\u200b", "+11111111"])
def test_a_reference_in_digits_that_are_not_ascii_is_not_a_claim(reference):
    claims = projection(claim("11111111"))
    assert errors(f"claim_reference_number,claim_sample_reason\n{reference},Random\n", claims) == [
        (2, "claim_reference_number", "Enter a valid claim reference")]
