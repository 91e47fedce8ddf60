"""The DfE sampling method (docs/design.md §13) on fixed data and over random populations."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.sampling.domain.generation import Candidate, DfeParameters, generate_dfe, stratum_of
from services.sampling.domain.generation.dfe import random_count, submitted_by_a_mentor

D = Decimal


def claim(reference: str, urn: str, amount: str, *, kind: str = "Academy", phase: str = "Primary",
          urban: str = "Urban", by: str = "", mentors: tuple[str, ...] = ("Ann Lee",)) -> Candidate:
    return Candidate(reference, urn, "p1", D(amount), kind, phase, urban, by, mentors)


def population() -> list[Candidate]:
    claims = [claim("00000001", "big", "3000.00"), claim("00000002", "big", "2500.00")]  # £5,500: over
    claims.append(claim("00000003", "edge", "5000.00"))  # exactly £5,000: not over
    # Ten claims submitted by one of their own mentors (name case and spaces ignored).
    claims += [claim(f"000001{i:02d}", f"m{i}", "400.00", by="  ann  LEE ") for i in range(10)]
    # Strata of the rest.
    claims += [claim(f"000002{i:02d}", f"a{i}", f"{100 + i * 10}.00") for i in range(20)]
    claims += [claim(f"000003{i:02d}", f"b{i}", "250.00", kind="Community school", phase="", urban="Rural")
               for i in range(12)]
    return claims


def by_reason(sample, prefix: str) -> list[str]:
    return [c.reference for c in sample.chosen if c.reason.startswith(prefix)]


def test_every_claim_of_a_school_over_the_threshold_is_in_and_a_school_at_it_is_not_taken_for_it():
    sample = generate_dfe(population(), seed=1)
    assert by_reason(sample, "School claimed over £5,000") == ["00000001", "00000002"]
    assert "00000003" not in by_reason(sample, "School claimed")


def test_the_random_share_is_exactly_round_20_percent_of_the_claims_submitted_by_a_mentor():
    sample = generate_dfe(population(), seed=1)
    random_share = by_reason(sample, "Random 20% of claims submitted by a mentor")
    assert len(random_share) == 2
    assert all(r.startswith("000001") for r in random_share)
    assert random_count(D(20), 10) == 2 and random_count(D(25), 10) == 3 and random_count(D(20), 12) == 2


def test_a_claim_submitted_by_someone_who_is_not_its_mentor_is_not_eligible_for_the_random_share():
    assert submitted_by_a_mentor(claim("1", "u", "1.00", by="ANN lee", mentors=("Bob Roy", "Ann  Lee")))
    assert not submitted_by_a_mentor(claim("1", "u", "1.00", by="Ann Leigh"))
    assert not submitted_by_a_mentor(claim("1", "u", "1.00", by=""))


def test_each_stratum_reaches_its_target_with_the_fewest_claims_its_random_order_allows():
    claims = population()
    sample = generate_dfe(claims, seed=7)
    chosen = {c.reference: c for c in sample.chosen}
    for stratum in ("Academy · Primary · Urban", "Community school · Unknown · Rural"):
        reason = f"Stratum: {stratum}"
        left = [c for c in claims if stratum_of(c) == stratum and
                (c.reference not in chosen or chosen[c.reference].reason == reason)]
        target = sum(c.amount for c in left) * D(10) / 100
        taken = [chosen[c.reference].amount for c in left if c.reference in chosen]
        order = [c.reference for c in sample.chosen if c.reason == reason]
        assert sum(taken) >= target
        # Without the last claim added, the target was not yet met: no claim added once it was.
        assert sum(chosen[r].amount for r in order[:-1]) < target


def test_the_strata_use_unknown_where_the_school_data_lacks_a_value():
    sample = generate_dfe(population(), seed=3)
    assert "Community school · Unknown · Rural" in [s.stratum for s in sample.report.strata]
    assert stratum_of(claim("1", "u", "1.00", kind="", phase=" ", urban="")) == "Unknown · Unknown · Unknown"


def test_the_same_inputs_and_seed_give_the_same_sample_in_any_input_order():
    claims = population()
    first = generate_dfe(claims, seed=42)
    again = generate_dfe(list(reversed(claims)), seed=42)
    assert first.chosen == again.chosen and first.report == again.report


def test_another_seed_gives_another_sample():
    claims = population()
    assert generate_dfe(claims, seed=1).chosen != generate_dfe(claims, seed=2).chosen


def test_claims_already_sampled_or_assured_are_never_chosen_again_when_the_sample_is_extended():
    claims = population()
    first = generate_dfe(claims, seed=5)
    left = [c for c in claims if c.reference not in first.references]
    second = generate_dfe(left, seed=6)
    assert not first.references & second.references
    assert second.claim_count > 0


def test_a_school_keeps_its_window_total_when_some_of_its_claims_were_sampled_before():
    claims = [claim("00000009", "s", "1000.00")]
    sample = generate_dfe(claims, seed=1, school_totals={"s": D("6000.00")})
    assert [c.reason for c in sample.chosen] == ["School claimed over £5,000"]


def test_the_report_counts_every_claim_and_sampled_value_per_stratum_and_in_total():
    claims = population()
    sample = generate_dfe(claims, seed=9)
    total = sample.report.total
    assert total.claims == len(claims)
    assert total.value == sum(c.amount for c in claims)
    assert total.sampled_claims == sample.claim_count
    assert total.sampled_value == sum(c.amount for c in sample.chosen)
    assert sum(s.claims for s in sample.report.strata) == total.claims
    row = sample.report.as_dict()["total"]
    assert row["percent"] == str((total.sampled_value * 100 / total.value).quantize(D("0.1")))


def test_the_parameters_change_the_reasons_and_the_targets():
    params = DfeParameters(threshold=D("2000.50"), random_percent=D("12.5"), coverage_percent=D(50))
    sample = generate_dfe(population(), seed=1, parameters=params)
    reasons = {c.reason for c in sample.chosen}
    assert "School claimed over £2,000.50" in reasons
    assert "Random 12.5% of claims submitted by a mentor" in reasons
    assert sample.parameters == {"method": "dfe", "threshold": "2000.50", "random_percent": "12.5",
                                 "coverage_percent": "50"}


# --- properties over random populations --------------------------------------------------------

amounts = st.decimals(min_value=D("0.00"), max_value=D("4000.00"), places=2)
candidates = st.lists(
    st.tuples(st.integers(0, 30), amounts, st.sampled_from(["Academy", "Free school", ""]),
              st.sampled_from(["Primary", "Secondary", ""]), st.sampled_from(["Urban", "Rural", ""]),
              st.booleans()),
    max_size=80)


def _population(rows) -> list[Candidate]:
    return [Candidate(f"{i:08d}", f"u{school}", "p1", amount, kind, phase, urban,
                      "Mo Khan" if by_mentor else "Someone Else", ("Mo Khan",))
            for i, (school, amount, kind, phase, urban, by_mentor) in enumerate(rows)]


@settings(max_examples=150, deadline=None)
@given(candidates, st.integers(0, 2**32), st.integers(0, 100), st.integers(0, 100))
def test_every_sample_keeps_the_invariants_of_the_method(rows, seed, random_percent, coverage):
    claims = _population(rows)
    params = DfeParameters(random_percent=D(random_percent), coverage_percent=D(coverage))
    sample = generate_dfe(claims, seed=seed, parameters=params)
    refs = [c.reference for c in sample.chosen]
    assert len(refs) == len(set(refs))  # never twice
    assert set(refs) <= {c.reference for c in claims}
    totals: dict[str, Decimal] = {}
    for c in claims:
        totals[c.school_urn] = totals.get(c.school_urn, D(0)) + c.amount
    high = {c.reference for c in claims if totals[c.school_urn] > params.threshold}
    assert high == set(by_reason(sample, "School claimed over"))
    eligible = [c for c in claims if c.reference not in high and submitted_by_a_mentor(c)]
    assert len(by_reason(sample, "Random ")) == random_count(params.random_percent, len(eligible))
    chosen = set(refs)
    taken_before = high | set(by_reason(sample, "Random "))
    for stratum in {stratum_of(c) for c in claims}:
        left = [c for c in claims if stratum_of(c) == stratum and c.reference not in taken_before]
        target = sum((c.amount for c in left), D(0)) * params.coverage_percent / 100
        order = [c for c in sample.chosen if c.reason == f"Stratum: {stratum}"]
        assert sum((c.amount for c in order), D(0)) >= target
        assert sum((c.amount for c in order[:-1]), D(0)) < target or not order
        assert all(c.reference in chosen for c in order)
    assert generate_dfe(list(reversed(claims)), seed=seed, parameters=params).chosen == sample.chosen


@settings(max_examples=60, deadline=None)
@given(candidates, st.integers(0, 2**32), st.integers(0, 2**32))
def test_an_extended_sample_never_chooses_a_claim_of_an_earlier_round(rows, seed, other):
    claims = _population(rows)
    first = generate_dfe(claims, seed=seed)
    second = generate_dfe([c for c in claims if c.reference not in first.references], seed=other)
    assert not first.references & second.references
