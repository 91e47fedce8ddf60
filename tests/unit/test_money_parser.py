"""The one money parser (shared.contracts.money.parse_money): exactly ``^-?[0-9]+(\\.[0-9]{1,2})?$``,
at most 10 digits before the point, plain-words errors naming the field."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.contracts import Money, Refused
from shared.contracts.money import MAX_WHOLE_DIGITS, MONEY_PATTERN, MoneyRefused, parse_money

pytestmark = pytest.mark.unit

FORMAT = "Enter the amount in pounds and pence, like 1072.00"
TOO_LARGE = "The amount must be between -£9,999,999,999.99 and £9,999,999,999.99"


@pytest.mark.parametrize(("text", "amount"), [
    ("1072.00", Decimal("1072.00")), ("0", Decimal("0")), ("-250.5", Decimal("-250.5")),
    ("12.3", Decimal("12.3")), ("007.10", Decimal("7.10")), ("9999999999.99", Decimal("9999999999.99")),
    ("-9999999999.99", Decimal("-9999999999.99")),
])
def test_amounts_in_pounds_and_pence_are_read_exactly(text, amount):
    assert parse_money(text) == amount
    assert str(parse_money(text)) == (text.lstrip("0") or "0")  # the pennies written are kept


@pytest.mark.parametrize("text", [
    "1e309", "1e5", "1E5", "1_000.00", "1,000.00", "+12.00", " 12.00 ", "12.00 ", "\t12", "12.", ".50",
    "12.345", "£12.00", "12p", "-", "", "NaN", "nan", "Infinity", "-inf", "0x10", "١٢٣", "１２.００",
    "१२", "12.٥٠", "--1", "1-", "1.0.0", "12\n", "1 000",
])
def test_anything_else_is_refused_in_plain_words(text):
    with pytest.raises(MoneyRefused) as caught:
        parse_money(text)
    assert caught.value.message == FORMAT
    assert caught.value.field == "amount"


def test_more_than_ten_digits_before_the_point_is_too_large_whatever_the_sign():
    assert MAX_WHOLE_DIGITS == 10
    for text in ("10000000000", "-10000000000.00", "9" * 40, "1" + "0" * 400):
        with pytest.raises(MoneyRefused) as caught:
            parse_money(text)
        assert caught.value.message == TOO_LARGE
    assert parse_money("0000000000001.00") == Decimal("1.00")  # leading zeros add nothing


def test_the_error_names_the_field_it_is_about():
    with pytest.raises(MoneyRefused) as caught:
        parse_money("1e309", field="set_up_fee")
    assert (caught.value.message, caught.value.field) == (
        "Enter the set up fee in pounds and pence, like 1072.00", "set_up_fee")
    with pytest.raises(MoneyRefused) as caught:
        parse_money("x", field="claim_amount", label="claim amount in row 3")
    assert caught.value.message == "Enter the claim amount in row 3 in pounds and pence, like 1072.00"


def test_a_refusal_is_a_refused_and_a_value_error():
    with pytest.raises(Refused):
        parse_money("1e5")
    with pytest.raises(ValueError):
        parse_money("1e5")


def test_json_numbers_read_exactly_are_judged_by_how_they_were_written():
    assert parse_money(Decimal("-150.10")) == Decimal("-150.10")
    assert parse_money(100) == Decimal(100)
    for value in (Decimal("1E+309"), Decimal("1E+5"), Decimal("NaN"), Decimal("Infinity"), Decimal("1.005"),
                  10 ** 5000, -(10 ** 11)):
        with pytest.raises(MoneyRefused):
            parse_money(value)


@pytest.mark.parametrize("value", [12.5, True, None, b"12.00", ["12.00"]])
def test_floats_and_other_types_are_refused(value):
    with pytest.raises(MoneyRefused):
        parse_money(value)


def test_money_parse_is_the_same_parser():
    assert Money.parse("1072.00") == Money("1072.00")
    with pytest.raises(MoneyRefused):
        Money.parse("£1,072.00")


# --- properties --------------------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=Decimal("-9999999999.99"), max_value=Decimal("9999999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


@given(AMOUNTS)
def test_every_amount_written_with_two_places_reads_back_as_itself(amount):
    assert parse_money(f"{amount:.2f}") == amount


@given(st.text(max_size=30))
def test_any_text_is_either_read_as_the_pattern_says_or_refused_in_plain_words(text):
    published = re.fullmatch(MONEY_PATTERN, text, flags=re.ASCII) is not None and "\n" not in text
    try:
        amount = parse_money(text)
    except MoneyRefused as refused:
        assert refused.message in (FORMAT, TOO_LARGE)
        assert not published or len(text.lstrip("-").split(".")[0].lstrip("0")) > MAX_WHOLE_DIGITS
    else:
        assert published
        assert amount == Decimal(text)


@given(st.from_regex(r"\A-?[0-9]{1,10}(\.[0-9]{1,2})?\Z"))
def test_every_string_of_the_published_pattern_within_the_limit_is_read(text):
    assert parse_money(text) == Decimal(text)


@given(st.from_regex(r"\A-?[0-9]{1,10}(\.[0-9]{1,2})?\Z"),
       st.sampled_from([" ", "+", "e5", "_", ",", "£", "\u0660", "\uff11", "\u00a0", "\n"]),
       st.integers(min_value=0, max_value=12))
def test_a_published_amount_with_any_stray_character_is_refused(text, stray, at):
    position = min(at, len(text))
    spoilt = text[:position] + stray + text[position:]
    with pytest.raises(MoneyRefused):
        parse_money(spoilt)
