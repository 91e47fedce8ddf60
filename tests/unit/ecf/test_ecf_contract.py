"""Contracts: prices, the service fee and set-up fee worked examples, and validation."""
from decimal import Decimal

import pytest

from services.payments.ecf.domain.contract import Band
from services.payments.ecf.domain.rules import as_text
from shared.contracts.errors import Refused
from shared.contracts.money import Money

from tests.support.ecf_builders import bands, contract

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("price, per_participant, total, monthly", [
    ("995", "398", "796000", "27448.28"),
    ("1350", "540", "1080000", "37241.38"),
])
def test_service_fee_on_a_target_of_2000_matches_the_worked_examples(price, per_participant, total, monthly):
    c = contract(bands=bands(a=price, b="900", c="800"))

    assert c.band("A").service_fee_per_participant == Money(per_participant)
    assert c.service_fee_total == Money(total)
    assert as_text(c.monthly_service_fee) == monthly


def test_monthly_service_fee_is_kept_exact_and_only_rounded_for_display():
    c = contract()

    assert c.monthly_service_fee.amount == Decimal(796000) / Decimal(29)
    assert c.monthly_service_fee.amount != Decimal("27448.28")


def test_set_up_fee_is_recouped_from_band_a_service_fee_but_not_its_output_fee():
    c = contract(bands=bands(a="1400", b="900", c="800"), set_up_fee=Money(150000))

    assert c.band("A").service_fee_per_participant == Money(485)
    assert c.band("A").output_fee("started") / Decimal("0.2") == Money(840)
    assert c.service_fee_total == Money(485 * 2000)


def test_service_fee_counts_only_the_participants_within_the_recruitment_target():
    c = contract(recruitment_target=3000)

    # 2000 × 40% of £995 + 1000 × 40% of £900; band C is beyond the target
    assert c.service_fee_total == Money(2000 * 398 + 1000 * 360)


def test_monthly_service_fee_override_replaces_the_calculated_fee():
    c = contract(monthly_service_fee=Money(25000))

    assert c.monthly_service_fee == Money(25000)
    assert as_text(c.calculated_monthly_service_fee) == "27448.28"


def test_band_d_takes_band_c_price_and_is_paid_wholly_as_output_fee():
    c = contract(bands=bands(d_max=7000))

    d = c.band("D")
    assert d.per_participant == Money(800)
    assert d.service_fee_per_participant == Money(0)
    assert d.output_fee("started") == Money(160)  # 100% of £800 × 20%
    assert c.band("C").output_fee("started") == Money("96")  # 60% of £800 × 20%


def test_bands_hold_their_ranges_end_to_end():
    assert contract().capacities == (2000, 2000, 2000)
    assert contract(bands=[Band("A", 1, 2000, Money(995)), Band("B", 2000, 4000, Money(900))]).capacities \
        == (2000, 2000)


@pytest.mark.parametrize("overrides, message, field", [
    (dict(bands=bands(a="900", b="900")), "Band B’s price per participant must be less than band A’s (£900.00)",
     "bands[1]"),
    (dict(bands=bands(b="900", c="950")), "Band C’s price per participant must be less than band B’s (£900.00)",
     "bands[2]"),
    (dict(bands=bands(d="700", d_max=7000)), "Band D’s price per participant must be band C’s (£800.00)",
     "bands[3]"),
    (dict(bands=[Band("A", 0, 2000, Money(995)), Band("B", 2500, 4000, Money(900))]),
     "Band B must start where band A ends (2001)", "bands[1]"),
    (dict(bands=[Band("B", 0, 2000, Money(995))]), "Name the bands A in that order", "bands"),
    (dict(bands=[]), "Enter at least one band (band A)", "bands"),
    (dict(bands=[Band("A", 0, 2000, None)]), "Enter band A’s price per participant", "bands[0]"),
    (dict(bands=[Band("A", 0, 2000, Money(0))]), "Band A’s price per participant must be more than £0", "bands[0]"),
    (dict(bands=[Band("A", 10, 5, Money(995))]),
     "Band A’s maximum must be at least its minimum, and its minimum 0 or more", "bands[0]"),
    (dict(recruitment_target=0), "Enter a recruitment target of 1 or more", "recruitment_target"),
    (dict(service_fee_months=0), "Enter a number of service fee months of 1 or more", "service_fee_months"),
    (dict(set_up_fee=Money(-1)), "Enter a set up fee of £0 or more", "set_up_fee"),
    (dict(set_up_fee=Money(900000)), "The set-up fee must not be more than band A’s service fee (£796,000.00)",
     "set_up_fee"),
])
def test_an_invalid_contract_is_refused_with_a_message_naming_the_problem(overrides, message, field):
    with pytest.raises(Refused) as refused:
        contract(**overrides)

    assert refused.value.message == message
    assert refused.value.field == field
