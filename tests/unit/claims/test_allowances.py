"""A mentor's allowance with one provider in one academic year (docs/design.md §3, §11): DfE's cases."""
from __future__ import annotations

from services.claims.domain.funding import Allowance, PriorLine, allowance


def line(year: str, hours: int, status: str = "submitted", ref: str = "11111111") -> PriorLine:
    return PriorLine(ref, year, status, hours)


def test_a_new_mentor_has_16_hours_of_initial_training_from_2025_26():
    assert allowance(academic_year="2025/26", prior=[]) == Allowance("initial", 16, 0, 16)


def test_a_new_mentor_had_20_hours_of_initial_training_before_2025_26():
    assert allowance(academic_year="2024/25", prior=[]) == Allowance("initial", 20, 0, 20)


def test_a_mentor_claimed_with_the_provider_in_an_earlier_year_has_6_hours_of_refresher_training():
    assert allowance(academic_year="2026/27", prior=[line("2025/26", 16)]) == Allowance("refresher", 6, 0, 6)


def test_hours_already_claimed_this_year_are_used_and_the_rest_remains():
    found = allowance(academic_year="2026/27", prior=[line("2026/27", 10), line("2026/27", 4, ref="22222222")])
    assert found == Allowance("initial", 16, 14, 2)


def test_drafts_and_claims_the_payer_rejected_are_not_counted():
    prior = [line("2026/27", 10, "draft"), line("2026/27", 8, "payment_not_approved"),
             line("2025/26", 16, "draft")]
    assert allowance(academic_year="2026/27", prior=prior) == Allowance("initial", 16, 0, 16)


def test_the_claim_being_edited_is_not_counted_and_nothing_remains_below_zero():
    prior = [line("2026/27", 10, ref="33333333"), line("2026/27", 10, ref="44444444")]
    assert allowance(academic_year="2026/27", prior=prior, editing="33333333") == Allowance("initial", 16, 10, 6)
    assert allowance(academic_year="2026/27", prior=prior).remaining == 0
