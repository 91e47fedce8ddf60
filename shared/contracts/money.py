"""Money: exact decimal pounds.

Rules: amounts are ``decimal.Decimal`` and never floats. Arithmetic keeps full precision; an amount
is rounded only when it is shown or stored as pennies, and then half up (``ROUND_HALF_UP``), the
rule a person doing the sum on paper would use. ``Money`` refuses floats so that a float can never
slip into a calculation.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Union

PENNY = Decimal("0.01")
Number = Union["Money", Decimal, int, str]


class Money:
    __slots__ = ("amount",)

    def __init__(self, amount: Number = 0) -> None:
        if isinstance(amount, Money):
            amount = amount.amount
        if isinstance(amount, (float, bool)):
            raise TypeError("Money never takes a float; pass a Decimal, int or str")
        self.amount = Decimal(amount)

    @classmethod
    def parse(cls, text: str) -> "Money":
        return cls(Decimal(text.strip().replace(",", "").lstrip("£")))

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
