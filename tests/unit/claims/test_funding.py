"""Funding rules of docs/design.md §3: every worked example, the hours cap, and exact money."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.claims.domain.funding import (HOURLY_RATES, PriorLine, check_hours, claim_amount, hours_left,
                                            region_for)
from shared.contracts import Money, Refused


def test_inner_london_two_mentors_of_ten_hours_is_1072_pounds():
    assert str(claim_amount("Inner London", [10, 10])) == "1072.00"


def test_rest_of_england_twenty_hours_is_876_pounds():
    assert str(claim_amount("Rest of England", [20])) == "876.00"


def test_outer_london_forty_eight_hours_is_2316_pounds():
    assert str(claim_amount("Outer London", [18, 20, 10])) == "2316.00"


def test_fringe_rate_is_45_10_an_hour():
    assert str(claim_amount("Fringe", [3])) == "135.30"


@given(region=st.sampled_from(sorted(HOURLY_RATES)), hours=st.lists(st.integers(1, 20), min_size=1, max_size=30))
def test_amount_is_rate_times_hours_exactly_for_any_hours(region, hours):
    amount = claim_amount(region, hours)
    assert isinstance(amount.amount, Decimal)
    assert amount.amount == HOURLY_RATES[region] * sum(hours)
    assert amount.rounded() == amount.amount  # whole pennies: nothing to round


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        Money(1.5)
    with pytest.raises(TypeError):
        Money("1.50") * 1.5


def test_amount_refuses_fractional_hours():
    with pytest.raises(TypeError):
        claim_amount("Fringe", [1.5])


def test_region_is_taken_from_the_region_column_first_then_the_district():
    districts = {"E09000003": "Outer London"}
    assert region_for("inner london", "E09000003", districts) == "Inner London"
    assert region_for("", "e09000003", districts) == "Outer London"
    assert region_for(None, "E08000035", districts) == "Rest of England"


def line(ref, year, status, hours):
    return PriorLine(ref, year, status, hours)


def test_a_mentor_with_five_hours_claimed_has_fifteen_left_before_2025():
    assert hours_left(academic_year="2024/25", prior=[line("1", "2024/25", "submitted", 5)]) == (20, 15)


@pytest.mark.parametrize("status", ["submitted", "paid"])
def test_a_second_claim_of_three_hours_leaves_seventeen(status):
    assert hours_left(academic_year="2024/25", prior=[line("1", "2024/25", status, 3)]) == (20, 17)


def test_a_draft_claim_does_not_count():
    assert hours_left(academic_year="2024/25", prior=[line("1", "2024/25", "draft", 8)]) == (20, 20)


def test_a_claim_the_payer_rejected_does_not_count():
    assert hours_left(academic_year="2024/25", prior=[line("1", "2024/25", "payment_not_approved", 8)]) == (20, 20)


def test_from_2025_26_the_initial_cap_is_16_hours():
    assert hours_left(academic_year="2026/27", prior=[line("1", "2026/27", "submitted", 5)]) == (16, 11)


def test_refresher_training_is_capped_at_six_hours():
    prior = [line("1", "2025/26", "paid", 16), line("2", "2026/27", "submitted", 5)]
    assert hours_left(academic_year="2026/27", prior=prior) == (6, 1)


def test_an_earlier_draft_does_not_make_training_a_refresher():
    assert hours_left(academic_year="2026/27", prior=[line("1", "2025/26", "draft", 16)]) == (16, 16)


def test_the_claim_being_edited_is_excluded():
    prior = [line("A", "2024/25", "submitted", 5), line("B", "2024/25", "submitted", 3)]
    assert hours_left(academic_year="2024/25", prior=prior, editing="A") == (20, 17)


def test_an_over_claim_is_refused_with_the_hours_left():
    with pytest.raises(Refused, match="between 1 and 15") as refused:
        check_hours(full_name="Ada Lovelace", hours=16, left=15)
    assert "15 hours left" in refused.value.message


def test_no_hours_left_is_refused_clearly():
    with pytest.raises(Refused, match="no hours of training left"):
        check_hours(full_name="Ada Lovelace", hours=1, left=0)
