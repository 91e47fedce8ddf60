"""Money: exact decimal pounds.

Rules: amounts are ``decimal.Decimal`` and never floats. Arithmetic keeps full precision; an amount
is rounded only when it is shown or stored as pennies, and then half up (``ROUND_HALF_UP``), the
rule a person doing the sum on paper would use. ``Money`` refuses floats so that a float can never
slip into a calculation.

Reading an amount people send (the API's bodies, a CSV's amount columns): ``parse_money`` is the
one parser. It accepts exactly ``MONEY_PATTERN``, ``^-?[0-9]+(\\.[0-9]{1,2})?$``: ASCII digits only
(no Unicode digits), an optional leading minus (no plus), at most two decimal places, no exponent
(``1e5``), no separators (``1,000`` or ``1_000``), no pound sign and no surrounding spaces. At most
``MAX_WHOLE_DIGITS`` (10) digits before the point: up to £9,999,999,999.99, which every money column
holds (the narrowest is ``Numeric(12, 2)``) and far beyond any real amount here. Anything else is a
``MoneyRefused`` (a ``Refused``, and a ``ValueError`` so a Pydantic validator may raise it) whose
message names the field in plain words: "Enter the amount in pounds and pence, like 1072.00", or
"The amount must be between -£9,999,999,999.99 and £9,999,999,999.99".
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Union

from .errors import Refused

PENNY = Decimal("0.01")
Number = Union["Money", Decimal, int, str]

MONEY_PATTERN = r"^-?[0-9]+(\.[0-9]{1,2})?$"
MAX_WHOLE_DIGITS = 10
LARGEST = "9,999,999,999.99"
_MONEY = re.compile(r"-?([0-9]+)(?:\.[0-9]{1,2})?")


class MoneyRefused(Refused, ValueError):
    """An amount that is not pounds and pence as published, or is too large."""


def parse_money(value: object, *, field: str = "amount", label: str | None = None) -> Decimal:
    """The exact amount ``value`` states, or ``MoneyRefused`` naming ``label`` (default: the field
    with spaces for underscores).

    ``value`` is text; an ``int`` or ``Decimal`` (a JSON number read exactly) is judged by its
    written form, so ``1E+5`` is refused as ``"1e5"`` is. Floats, booleans and anything else are
    refused: a float may already have lost pennies."""
    words = label or field.replace("_", " ")
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise MoneyRefused(f"Enter the {words} in pounds and pence, like 1072.00", field=field)
    if isinstance(value, int) and value.bit_length() > 64:  # str() of a huge int is itself refused
        raise MoneyRefused(f"The {words} must be between -£{LARGEST} and £{LARGEST}", field=field)
    text = value if isinstance(value, str) else str(value)
    match = _MONEY.fullmatch(text)
    if match is None:
        raise MoneyRefused(f"Enter the {words} in pounds and pence, like 1072.00", field=field)
    if len(match.group(1).lstrip("0")) > MAX_WHOLE_DIGITS:
        raise MoneyRefused(f"The {words} must be between -£{LARGEST} and £{LARGEST}", field=field)
    return Decimal(text)


class Money:
    __slots__ = ("amount",)

    def __init__(self, amount: Number = 0) -> None:
        if isinstance(amount, Money):
            amount = amount.amount
        if isinstance(amount, (float, bool)):
            raise TypeError("Money never takes a float; pass a Decimal, int or str")
        self.amount = Decimal(amount)

    @classmethod
    def parse(cls, text: str, *, field: str = "amount") -> "Money":
        """An amount people sent, through ``parse_money`` (the rules in the module docstring)."""
        return cls(parse_money(text, field=field))

    def rounded(self) -> Decimal:
        """The amount in whole pennies, half up."""
        return self.amount.quantize(PENNY, rounding=ROUND_HALF_UP)

    def __str__(self) -> str:  # "1072.00": the API and CSV form
        return f"{self.rounded():.2f}"

    def display(self) -> str:  # "£1,072.00": the form shown to people
        value = self.rounded()
        sign = "-" if value < 0 else ""
        return f"{sign}£{abs(value):,.2f}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}')"

    def _other(self, other: object) -> Decimal:
        if isinstance(other, Money):
            return other.amount
        if isinstance(other, (int, Decimal)) and not isinstance(other, bool):
            return Decimal(other)
        raise TypeError(f"cannot combine Money with {type(other).__name__}")

    def __add__(self, other: object) -> "Money":
        return Money(self.amount + self._other(other))

    __radd__ = __add__

    def __sub__(self, other: object) -> "Money":
        return Money(self.amount - self._other(other))

    def __rsub__(self, other: object) -> "Money":
        return Money(self._other(other) - self.amount)

    def __mul__(self, factor: object) -> "Money":
        if isinstance(factor, Money):
            raise TypeError("Money times Money has no meaning")
        return Money(self.amount * self._other(factor))

    __rmul__ = __mul__

    def __truediv__(self, divisor: object) -> "Money":
        return Money(self.amount / self._other(divisor))

    def __neg__(self) -> "Money":
        return Money(-self.amount)

    def __eq__(self, other: object) -> bool:
        try:
            return self.amount == self._other(other)
        except TypeError:
            return NotImplemented

    def __lt__(self, other: object) -> bool:
        return self.amount < self._other(other)

    def __le__(self, other: object) -> bool:
        return self.amount <= self._other(other)

    def __gt__(self, other: object) -> bool:
        return self.amount > self._other(other)

    def __ge__(self, other: object) -> bool:
        return self.amount >= self._other(other)

    def __hash__(self) -> int:
        return hash(self.amount)

    def __bool__(self) -> bool:
        return bool(self.amount)
