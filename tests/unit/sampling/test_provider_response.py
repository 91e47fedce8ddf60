"""The provider's audit answer file (services/sampling/domain/provider_response.py)."""
from __future__ import annotations

import pytest

from services.sampling.domain import parse_assured, validate_provider_response
from shared.contracts import MentorAssurance
from tests.support.sampling_claims import JANE, JOHN, SAM, claim, projection, refusals

pytestmark = pytest.mark.unit

HEADER = ("claim_reference,school_urn,school_name,school_postcode,mentor_full_name,"
          "mentor_hours_of_training,claim_assured,claim_not_assured_reason\n")
IN_PROGRESS = "sampling_in_progress"


def respond(text: str, claims):
    return validate_provider_response(text.encode("utf-8"), "response.csv", claims=claims)


def errors(text: str, claims) -> list[tuple[int | None, str | None, str]]:
    return refusals(validate_provider_response, text, "response.csv", claims)


def test_dfe_example_one_claim_not_assured_with_its_reason_and_one_assured():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN]),
                        claim("22222222", IN_PROGRESS, mentors=[JANE]))
    text = HEADER + ("11111111,100000,Hogwarts Primary,SW1A 1AA,John Smith,10,false,Some reason\n"
                     "22222222,100000,Hogwarts Primary,SW1A 1AA,Jane Doe,6,true,\n")
    first, second = respond(text, claims).claims
    assert (first.reference, first.assured, first.comment) == ("11111111", False, "John Smith: Some reason")
    assert first.mentors == (MentorAssurance(trn="1111111", full_name="John Smith", assured=False,
                                             reason="Some reason"),)
    assert (second.reference, second.assured, second.comment) == ("22222222", True, "")
    assert second.mentors == (MentorAssurance(trn="2222222", full_name="Jane Doe", assured=True),)


def test_dfe_example_a_missing_mentor_is_reported_for_its_claim():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN, JANE]))
    assert errors(HEADER + "11111111,,,,John Smith,10,yes,\n", claims) == [
        (None, "mentor_full_name", "Mentors are missing from the claim(s) with the reference ‘11111111’")]


def test_dfe_example_an_unknown_mentor_is_an_invalid_mentor_row():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN]))
    assert errors(HEADER + "11111111,,,,John Smith,10,yes,\n11111111,,,,Random Bob,3,yes,\n", claims) == [
        (3, "mentor_full_name", "Enter a valid mentor name")]


def test_dfe_example_a_blank_answer_is_an_invalid_input():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN]))
    assert errors(HEADER + "11111111,,,,John Smith,10,,\n", claims) == [
        (2, "claim_assured", "Enter a valid input")]


def test_dfe_example_a_no_without_a_reason_needs_a_reason():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN]))
    assert errors(HEADER + "11111111,,,,John Smith,10,No,  \n", claims) == [
        (2, "claim_not_assured_reason", "Enter a reason")]


def test_dfe_example_misspelt_headers_get_both_header_messages():
    text = "claim_ref,mentor_name,claim_assured\n11111111,John Smith,yes\n"
    assert [m for *_, m in errors(text, projection())] == [
        "Your file needs a column called ‘claim_reference’ and ‘mentor_full_name’.",
        "Right now it has columns called ‘claim_ref’, ‘mentor_name’ and ‘claim_assured’.",
    ]


def test_one_mentor_not_assured_makes_the_whole_claim_not_assured():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN, JANE, SAM]))
    text = HEADER + ("11111111,,,,John Smith,10,yes,\n11111111,,,,Sam Jones,4,no,Only 2 hours\n"
                     "11111111,,,,Jane Doe,6,NO,Not a mentor\n")
    (result,) = respond(text, claims).claims
    assert result.assured is False
    assert result.comment == "Jane Doe: Not a mentor\nSam Jones: Only 2 hours"
    assert [(m.full_name, m.assured) for m in result.mentors] == [
        ("Jane Doe", False), ("John Smith", True), ("Sam Jones", False)]


@pytest.mark.parametrize(("value", "expected"), [
    ("yes", True), ("YES", True), (" Yes ", True), ("true", True), ("TRUE", True), ("\tTrue ", True),
    ("no", False), ("No", False), ("false", False), (" FALSE ", False),
    ("", None), ("y", None), ("n", None), ("1", None), ("0", None), ("maybe", None), ("yes please", None),
])
def test_claim_assured_is_yes_no_true_or_false_in_any_case(value, expected):
    assert parse_assured(value) is expected


def test_the_alias_headers_are_accepted():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN]))
    text = "claim_reference,mentor_full_name,claim_accepted,rejection_reason\n11111111,John Smith,no,Why\n"
    (result,) = respond(text, claims).claims
    assert (result.assured, result.comment) == (False, "John Smith: Why")


def test_the_reason_column_may_be_left_out_when_every_mentor_is_assured():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN]))
    (result,) = respond("claim_reference,mentor_full_name,claim_assured\n11111111,John Smith,yes\n", claims).claims
    assert result.assured


def test_a_reason_given_for_an_assured_mentor_is_ignored():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN]))
    (result,) = respond(HEADER + "11111111,,,,John Smith,10,yes,All good\n", claims).claims
    assert (result.assured, result.comment, result.mentors[0].reason) == (True, "", "")


def test_mentor_names_match_ignoring_case_and_extra_spaces():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN]))
    (result,) = respond(HEADER + "11111111,,,,  john   SMITH ,10,yes,\n", claims).claims
    assert result.mentors[0].full_name == "John Smith"


def test_a_mentor_answered_twice_is_refused_on_the_later_row():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN]))
    assert errors(HEADER + "11111111,,,,John Smith,10,yes,\n11111111,,,,john smith,10,no,x\n", claims) == [
        (3, "mentor_full_name", "Enter each mentor only once (‘john smith’ is also in row 2)")]


def test_two_mentors_with_the_same_name_each_need_a_row():
    twin = type(JOHN)(trn="9999999", full_name="John Smith", hours=2)
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN, twin]))
    assert errors(HEADER + "11111111,,,,John Smith,10,yes,\n", claims)[0][2].startswith("Mentors are missing")
    (result,) = respond(HEADER + "11111111,,,,John Smith,10,yes,\n11111111,,,,John Smith,2,yes,\n",
                        claims).claims
    assert sorted(m.trn for m in result.mentors) == ["1111111", "9999999"]


@pytest.mark.parametrize("status", ["paid", "submitted", "sampling_provider_not_approved"])
def test_a_claim_that_is_not_being_sampled_is_not_a_valid_reference(status):
    claims = projection(claim("11111111", status, mentors=[JOHN]))
    assert errors(HEADER + "11111111,,,,John Smith,10,yes,\n", claims) == [
        (2, "claim_reference", "Enter a valid claim reference")]


def test_an_unknown_claim_reports_every_other_problem_of_its_row():
    assert errors(HEADER + "99999999,,,,Random Bob,10,no,\n", projection()) == [
        (2, "claim_reference", "Enter a valid claim reference"),
        (2, "claim_not_assured_reason", "Enter a reason"),
    ]


def test_several_incomplete_claims_are_named_in_one_message_in_reference_order():
    claims = projection(*(claim(ref, IN_PROGRESS, mentors=[JOHN, JANE])
                          for ref in ("33333333", "11111111", "22222222", "44444444")))
    text = HEADER + "".join(f"{ref},,,,John Smith,10,yes,\n" for ref in ("33333333", "11111111", "22222222"))
    text += "44444444,,,,John Smith,10,yes,\n44444444,,,,Jane Doe,6,yes,\n"
    assert errors(text, claims) == [(None, "mentor_full_name",
                                     "Mentors are missing from the claim(s) with the reference "
                                     "‘11111111’, ‘22222222’ and ‘33333333’")]


def test_every_error_of_the_file_is_reported_together_in_row_order():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN, JANE]))
    text = HEADER + "11111111,,,,John Smith,10,perhaps,\n11111111,,,,Random Bob,1,no,\n"
    assert errors(text, claims) == [
        (2, "claim_assured", "Enter a valid input"),
        (3, "mentor_full_name", "Enter a valid mentor name"),
        (3, "claim_not_assured_reason", "Enter a reason"),
        (None, "mentor_full_name", "Mentors are missing from the claim(s) with the reference ‘11111111’"),
    ]


def test_a_file_covering_several_providers_is_grouped_per_provider():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN], provider_id="prov-b"),
                        claim("22222222", IN_PROGRESS, mentors=[JANE], provider_id="prov-a"),
                        claim("33333333", IN_PROGRESS, mentors=[SAM], provider_id="prov-b"))
    text = HEADER + ("33333333,,,,Sam Jones,4,yes,\n11111111,,,,John Smith,10,yes,\n"
                     "22222222,,,,Jane Doe,6,no,Wrong school\n")
    response = respond(text, claims)
    assert [c.reference for c in response.claims] == ["11111111", "22222222", "33333333"]
    assert response.provider_ids == ("prov-b", "prov-a")
    assert {p: [c.reference for c in cs] for p, cs in response.by_provider().items()} == {
        "prov-b": ["11111111", "33333333"], "prov-a": ["22222222"]}
    assert response.claim_count == 3


def test_a_reference_without_leading_zeros_matches_its_claim():
    claims = projection(claim("00001234", IN_PROGRESS, mentors=[JOHN]))
    (result,) = respond(HEADER + "1234,,,,John Smith,10,yes,\n", claims).claims
    assert result.reference == "00001234"


@pytest.mark.parametrize("hours", ["-1", "NaN", "nan", "1" * 40, "21", "10.5", "1e1", "+10", "١٠", "１０", "ten",
                                   "0x10"])
def test_hours_of_training_that_are_not_a_whole_number_from_0_to_20_are_a_row_error(hours):
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN]))
    text = HEADER + f"11111111,100000,Hogwarts Primary,SW1A 1AA,John Smith,{hours},yes,\n"
    assert errors(text, claims) == [(2, "mentor_hours_of_training",
                                     "Enter the hours of training as a whole number from 0 to 20")]


@pytest.mark.parametrize("hours", ["", "0", "10", "20", " 7 ", "007"])
def test_hours_of_training_may_be_blank_or_a_whole_number_from_0_to_20(hours):
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN]))
    text = HEADER + f"11111111,100000,Hogwarts Primary,SW1A 1AA,John Smith,{hours},yes,\n"
    assert respond(text, claims).claim_count == 1


def test_a_response_row_with_more_values_than_columns_is_refused_with_the_other_errors():
    claims = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN, JANE]))
    text = HEADER + ("11111111,100000,Hogwarts Primary,SW1A 1AA,John Smith,10,yes,,oops\n"
                     "11111111,100000,Hogwarts Primary,SW1A 1AA,Jane Doe,-6,maybe,\n")
    assert errors(text, claims) == [
        (2, None, "This row has more values than there are columns"),
        (3, "mentor_hours_of_training", "Enter the hours of training as a whole number from 0 to 20"),
        (3, "claim_assured", "Enter a valid input")]
