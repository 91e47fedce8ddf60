"""Monetary-unit sampling (docs/design.md §13): size, selection proportional to amount, the Stringer bound."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.sampling.domain.generation import (Candidate, MusParameters, generate_mus, mus_sample_size,
                                                 poisson_factor, stringer_bound)

D = Decimal


def claims_of(amounts: list[str]) -> list[Candidate]:
    return [Candidate(f"{i:08d}", f"s{i}", "p1", D(a)) for i, a in enumerate(amounts)]


def test_the_sample_size_of_one_million_pounds_at_fifty_thousand_tolerable_and_95_percent_is_60():
    assert mus_sample_size(D("1000000.00"), MusParameters(D("50000.00"), 95)) == 60
    assert mus_sample_size(D("1000000.00"), MusParameters(D("50000.00"), 90)) == 46  # ⌈46.0⌉
    assert mus_sample_size(D("1000000.01"), MusParameters(D("50000.00"), 90)) == 47
    assert mus_sample_size(D("0"), MusParameters()) == 0


def test_a_confidence_other_than_90_or_95_is_refused():
    with pytest.raises(ValueError):
        MusParameters(D("50000.00"), 80)


def test_every_claim_at_least_the_interval_is_chosen_whatever_the_seed():
    # £1,000,000 in total → n = 60, J = £16,666.67: three claims above it.
    big = ["20000.00", "16700.00", "50000.00"]
    small = ["913.30"] * 1000
    claims = claims_of(big + small)
    for seed in range(25):
        sample = generate_mus(claims, seed=seed, parameters=MusParameters(D("50000.00"), 95))
        chosen = {c.reference: c.reason for c in sample.chosen}
        for reference in ("00000000", "00000001", "00000002"):
            assert chosen[reference].startswith("Larger than the monetary-unit sampling interval (£16,666.67)")
        assert len(chosen) == len(sample.chosen) <= 60
        assert sample.extra["sample_size"] == 60 and sample.extra["interval"] == "16666.67"


def test_selection_is_proportional_to_amount_over_many_seeds():
    # Interval J = £1,000 (value £50,000, n = 50 at 95% and £3,000 tolerable): a £100 claim is chosen
    # with probability 0.1, a £500 claim 0.5, a £900 claim 0.9.
    amounts = ["100.00", "500.00", "900.00"] * 10 + ["1000.00"] * 35
    claims = claims_of(amounts)
    params = MusParameters(D("3000.00"), 95)
    assert mus_sample_size(sum(c.amount for c in claims), params) == 50
    runs = 2000
    hits = {"100.00": 0, "500.00": 0, "900.00": 0}
    for seed in range(runs):  # a fixed seed set: the test is deterministic
        for c in generate_mus(claims, seed=seed, parameters=params).chosen:
            key = f"{c.amount:.2f}"
            if key in hits:
                hits[key] += 1
    for amount, count in hits.items():
        p = float(D(amount) / 1000)
        expected = runs * 10 * p
        sd = (runs * 10 * p * (1 - p)) ** 0.5
        assert abs(count - expected) < 4 * sd, (amount, count, expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.decimals(min_value=D("0.01"), max_value=D("30000.00"), places=2), min_size=1, max_size=60),
       st.integers(0, 2**32))
def test_a_mus_sample_holds_each_claim_once_at_most_n_claims_and_is_reproducible(amounts, seed):
    claims = [Candidate(f"{i:08d}", "s", "p", a) for i, a in enumerate(amounts)]
    params = MusParameters(D("20000.00"), 90)
    sample = generate_mus(claims, seed=seed, parameters=params)
    refs = [c.reference for c in sample.chosen]
    assert len(refs) == len(set(refs)) <= mus_sample_size(sum(amounts), params)
    interval = sum(amounts) / mus_sample_size(sum(amounts), params)
    assert {c.reference for c in claims if c.amount >= interval} <= set(refs)
    assert generate_mus(list(reversed(claims)), seed=seed, parameters=params).chosen == sample.chosen


def test_the_poisson_factors_are_the_published_table_values():
    assert [poisson_factor(k, 95) for k in range(4)] == [D("3.00"), D("4.75"), D("6.30"), D("7.76")]
    assert [poisson_factor(k, 90) for k in range(3)] == [D("2.31"), D("3.89"), D("5.33")]


def test_the_stringer_bound_of_a_worked_example_computed_by_hand():
    # Population £1,000,000, tolerable £50,000, 95%: n = 60, J = 1,000,000 / 60 = 16,666.666…
    # Sampled: A £5,000 with £1,000 clawed back (tainting 0.2); B £2,000 all clawed back (1.0);
    # C £40,000 (over J: top stratum) with £3,000 clawed back; D £8,000 with nothing wrong.
    # Projected = J × (1.0 + 0.2) + 3,000 = 20,000 + 3,000 = £23,000.00
    # Upper     = J × 3.00 + J × 1.0 × (4.75 − 3.00) + J × 0.2 × (6.30 − 4.75) + 3,000
    #           = J × (3.00 + 1.75 + 0.31) + 3,000 = J × 5.06 + 3,000 = 84,333.333… + 3,000 = £87,333.33
    sampled = {"A": D("5000.00"), "B": D("2000.00"), "C": D("40000.00"), "D": D("8000.00")}
    wrong = {"A": D("1000.00"), "B": D("2000.00"), "C": D("3000.00")}
    bound = stringer_bound(sampled, wrong, population_value=D("1000000.00"),
                           parameters=MusParameters(D("50000.00"), 95))
    assert bound.interval == D("16666.67")
    assert bound.projected_misstatement == D("23000.00")
    assert bound.upper_bound == D("87333.33")


def test_with_no_misstatement_the_upper_bound_is_the_basic_precision():
    bound = stringer_bound({"A": D("100.00")}, {}, population_value=D("1000000.00"),
                           parameters=MusParameters(D("50000.00"), 95))
    assert bound.projected_misstatement == D("0.00")
    assert bound.upper_bound == D("50000.00")  # J × 3.00 = 16,666.67 × 3 = the tolerable misstatement
