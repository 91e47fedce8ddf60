"""Banding: the worked examples and its invariants."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.payments.ecf.domain.banding import band_counts, capacities_of, fill

pytestmark = pytest.mark.unit

SEED_BANDS = capacities_of([(0, 2000), (2001, 4000), (4001, 6000)])


def test_seed_bands_hold_2000_each():
    assert SEED_BANDS == (2000, 2000, 2000)


@pytest.mark.parametrize("new, previous, expected", [
    (100, 0, (100, 0, 0)),
    (2001, 0, (2000, 1, 0)),
    (10_000, 0, (2000, 2000, 2000)),
    (2000, 2100, (0, 1900, 100)),
    (2500, 1900, (100, 2000, 400)),
])
def test_declarations_fill_the_bands_cumulatively_as_in_the_worked_examples(new, previous, expected):
    assert band_counts(SEED_BANDS, new=new, previous=previous) == expected


def test_declarations_past_the_last_band_are_overflow_and_not_paid():
    moved = fill(SEED_BANDS, previous=5900, additions=300)

    assert moved.additions == (0, 0, 100)
    assert moved.overflow_added == 200


def test_clawbacks_come_off_the_highest_band_first():
    moved = fill(SEED_BANDS, previous=2100, additions=0, clawbacks=150)

    assert moved.subtractions == (50, 100, 0)
    assert moved.level_after == 1950


def test_clawbacks_come_off_this_statements_new_declarations_before_earlier_ones():
    moved = fill(SEED_BANDS, previous=1900, additions=200, clawbacks=150)

    assert moved.additions == (100, 100, 0)
    assert moved.subtractions == (50, 100, 0)
    assert moved.net == (50, 0, 0)


def test_a_clawback_first_removes_an_unpaid_overflow_declaration():
    moved = fill(SEED_BANDS, previous=6001, additions=0, clawbacks=1)

    assert moved.subtractions == (0, 0, 0)
    assert moved.overflow_removed == 1


def test_more_clawbacks_than_declarations_is_refused():
    with pytest.raises(ValueError):
        fill(SEED_BANDS, previous=1, additions=0, clawbacks=2)


capacities = st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=4)


@given(capacities, st.integers(0, 20_000), st.integers(0, 20_000))
def test_banding_never_pays_more_declarations_than_the_bands_hold(caps, previous, new):
    moved = fill(caps, previous=previous, additions=new)

    assert all(0 <= count <= cap for count, cap in zip(moved.additions, caps))
    assert sum(moved.additions) <= max(0, sum(caps) - previous)
    assert sum(moved.additions) + moved.overflow_added == new


@given(capacities, st.lists(st.integers(0, 5000), min_size=1, max_size=6))
def test_statements_together_never_pay_more_than_the_bands_hold(caps, batches):
    level = 0
    paid = [0] * len(caps)
    for batch in batches:
        moved = fill(caps, previous=level, additions=batch)
        level = moved.level_after
        paid = [p + a for p, a in zip(paid, moved.additions)]

    assert all(p <= c for p, c in zip(paid, caps))
    assert sum(paid) == min(sum(batches), sum(caps))


@given(capacities, st.integers(0, 20_000), st.integers(0, 20_000), st.data())
def test_clawing_back_after_paying_leaves_what_the_remaining_declarations_would_earn(caps, previous, new, data):
    clawbacks = data.draw(st.integers(0, new))
    first = fill(caps, previous=previous, additions=new)
    second = fill(caps, previous=first.level_after, additions=0, clawbacks=clawbacks)

    net = tuple(a - s for a, s in zip(first.additions, second.subtractions))
    assert net == band_counts(caps, new=new - clawbacks, previous=previous)
