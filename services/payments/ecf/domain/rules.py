"""The fixed rules of the ECF payment engine: declaration types, their weightings, price split, VAT
and the rounding rule.

Rounding: every amount is an exact ``Decimal`` (through ``shared.contracts.money.Money``) from the
contract's prices to the statement total; nothing is rounded inside a calculation. Amounts are
shown as strings, pennies rounded half up, only for display and CSV ("amounts as strings, pennies
rounded half up for display; the exact values are kept"). So a monthly service fee of
£796,000 ÷ 29 is kept as 27448.275862068965517241379... and shown as "27448.28"; 29 of them add up
to £796,000 to within the precision of the decimal context, not to 29 × £27,448.28.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from shared.contracts.money import PENNY, Money

#: The share of a participant's price paid as the monthly service fee (the rest is output fee).
SERVICE_FEE_SHARE = Decimal("0.4")
OUTPUT_FEE_SHARE = Decimal("0.6")
#: Band D is paid wholly as output fee (at band C's price).
BAND_D_OUTPUT_FEE_SHARE = Decimal("1")
VAT_RATE = Decimal("0.2")
STANDARD_SERVICE_FEE_MONTHS = 29

#: Milestone weightings: the share of a participant's output fee each declaration earns.
#: started 20% + retained 4 × 15% + completed 20% = 100%; extended-1..3 are extra (15% each).
WEIGHTINGS: dict[str, Decimal] = {
    "started": Decimal("0.2"),
    "retained-1": Decimal("0.15"),
    "retained-2": Decimal("0.15"),
    "retained-3": Decimal("0.15"),
    "retained-4": Decimal("0.15"),
    "completed": Decimal("0.2"),
    "extended-1": Decimal("0.15"),
    "extended-2": Decimal("0.15"),
    "extended-3": Decimal("0.15"),
}
DECLARATION_TYPES: tuple[str, ...] = tuple(WEIGHTINGS)

#: Contract types (RECT): ``ecf`` banded for everyone; ``ittecf_ectp`` banded for early career
#: teachers and a flat rate per declaration for mentors.
ECF, ITTECF_ECTP = "ecf", "ittecf_ectp"
CONTRACT_TYPES: tuple[str, ...] = (ECF, ITTECF_ECTP)
INDUCTION, MENTOR = "ecf-induction", "ecf-mentor"
#: A flat-rate mentor's fee is paid half when they start and half when they complete; a flat-rate
#: mentor has no other declaration type, no band, no uplift and no service fee.
MENTOR_WEIGHTINGS: dict[str, Decimal] = {"started": Decimal("0.5"), "completed": Decimal("0.5")}
#: A mentor who replaces an early career teacher's mentor part way through is put on a replacement
#: schedule (ECF API v3: ``ecf-replacement-september``, ``-january``, ``-april``): that is how a lead
#: provider tells DfE of a replacement mentor.
REPLACEMENT_SCHEDULE_PREFIX = "ecf-replacement-"


def is_replacement_schedule(identifier: str) -> bool:
    return identifier.startswith(REPLACEMENT_SCHEDULE_PREFIX)

#: Evidence a lead provider may say it holds (ECF API v3 values).
EVIDENCE_HELD: frozenset[str] = frozenset({
    "training-event-attended",
    "self-study-material-completed",
    "materials-engaged-with-offline",
    "75-percent-engagement-met",
    "75-percent-engagement-met-reduced-induction",
    "one-term-induction",
    "other",
})


def pennies(amount: Money | Decimal) -> Decimal:
    """An amount in whole pennies, half up: for display and CSV only, never fed back into a sum."""
    value = amount.amount if isinstance(amount, Money) else amount
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def as_text(amount: Money | Decimal) -> str:
    """The API and CSV form of an amount: "27448.28"."""
    return f"{pennies(amount):.2f}"
