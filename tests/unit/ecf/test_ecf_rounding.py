"""The rounding rule: exact Decimal values everywhere, pennies half up only for display and CSV."""
from decimal import Decimal

import pytest

from services.payments.ecf.domain.rules import as_text, pennies
from shared.contracts.money import Money

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("amount, shown", [
    ("0.005", "0.01"),
    ("0.004999", "0.00"),
    ("2.675", "2.68"),
    ("-0.005", "-0.01"),
    ("27448.275862068965", "27448.28"),
    ("37241.379310344827", "37241.38"),
    ("1072", "1072.00"),
])
def test_amounts_are_shown_in_pennies_rounded_half_up(amount, shown):
    assert as_text(Money(amount)) == shown
    assert as_text(Decimal(amount)) == shown


def test_rounding_for_display_does_not_change_the_kept_value():
    monthly = Money(796000) / 29

    assert pennies(monthly) == Decimal("27448.28")
    assert monthly * 29 != Money("27448.28") * 29
    assert abs((monthly * 29).amount - Decimal(796000)) < Decimal("1e-20")


def test_money_refuses_floats_so_no_float_reaches_a_fee():
    with pytest.raises(TypeError):
        Money(995.0)
