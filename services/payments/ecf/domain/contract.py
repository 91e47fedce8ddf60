"""A lead provider's contract for one cohort, and the prices it implies.

Policy (the seed "Department for Education users", payment engine):

- Bands A–D each have a minimum, a maximum and a price per participant. Each band is cheaper than
  the one before (A > B > C); band D, where there is one, is at band C's price and is paid wholly
  as output fee. Bands follow each other: a band starts at the previous band's maximum or one
  above it, and holds ``max − previous max`` participants (band A holds ``max − max(min, 1) + 1``,
  so "0–2000" and "1–2000" both hold 2000).
- A participant's price is split between output fee and service fee by the band's own shares
  (``output_fee_percent``; default 60% output / 40% service, band D 100% output).
- Service fee per month = Σ bands (service fee per participant × the band's participants within
  the recruitment target) ÷ service-fee months (29 in the standard contract), unless the contract
  overrides the monthly service fee.
- The set-up fee is recouped from band A: band A's service fee per participant is reduced by
  set-up fee ÷ band A's capacity, for band A's participants within the recruitment target (RECT:
  a target of 50 on a band A of 100 recoups half the set-up fee).
- Contract types (RECT): ``ecf`` bands every participant; ``ittecf_ectp`` bands early career
  teachers and pays mentors (``ecf-mentor``) a flat fee per participant, half when they start and
  half when they complete (``rules.MENTOR_WEIGHTINGS``): no band, no uplift, no service fee.
- Output fee per declaration = the band's output share × the band's price × the milestone's
  weighting (``rules.WEIGHTINGS``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from shared.contracts.errors import Refused
from shared.contracts.money import Money

from .rules import (
    BAND_D_OUTPUT_FEE_SHARE,
    CONTRACT_TYPES,
    ECF,
    ITTECF_ECTP,
    MENTOR_WEIGHTINGS,
    OUTPUT_FEE_SHARE,
    STANDARD_SERVICE_FEE_MONTHS,
    WEIGHTINGS,
)

BAND_NAMES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Band:
    """One band as entered. ``per_participant`` may be None for band D (it takes band C's price)."""

    name: str
    min: int
    max: int
    per_participant: Money | None
    #: The share of the price paid as output fee, in percent (None: 60, band D 100); the rest is
    #: the band's service fee.
    output_fee_percent: Decimal | None = None


@dataclass(frozen=True)
class PricedBand:
    """A validated band with everything the calculator needs, worked out once."""

    name: str
    first: int  # the first participant number the band holds (1-based)
    last: int  # the last participant number it holds
    per_participant: Money
    output_share: Decimal
    service_fee_per_participant: Money  # after the set-up fee is recouped (band A)
    participants_within_target: int

    @property
    def capacity(self) -> int:
        return self.last - self.first + 1

    def output_fee(self, declaration_type: str) -> Money:
        return self.per_participant * self.output_share * WEIGHTINGS[declaration_type]


@dataclass(frozen=True)
class Contract:
    """Build with ``Contract.create(...)``, which validates; the fields are then trusted."""

    id: str
    lead_provider_id: str
    cohort: int
    recruitment_target: int
    set_up_fee: Money
    uplift_amount: Money
    vat_chargeable: bool
    monthly_service_fee_override: Money | None
    service_fee_months: int
    bands: tuple[PricedBand, ...] = field(repr=False)
    contract_type: str = ECF
    mentor_fee_per_declaration: Money | None = None

    @classmethod
    def create(
        cls,
        *,
        id: str,
        lead_provider_id: str,
        cohort: int,
        recruitment_target: int,
        bands: list[Band] | tuple[Band, ...],
        set_up_fee: Money = Money(0),
        uplift_amount: Money = Money(100),
        vat_chargeable: bool = False,
        monthly_service_fee: Money | None = None,
        service_fee_months: int = STANDARD_SERVICE_FEE_MONTHS,
        contract_type: str = ECF,
        mentor_fee_per_declaration: Money | None = None,
    ) -> "Contract":
        """Validate a contract as a finance user entered it; every problem is refused by field."""
        if isinstance(recruitment_target, bool) or not isinstance(recruitment_target, int) or recruitment_target < 1:
            raise Refused("Enter a recruitment target of 1 or more", field="recruitment_target")
        if isinstance(service_fee_months, bool) or not isinstance(service_fee_months, int) or service_fee_months < 1:
            raise Refused("Enter a number of service fee months of 1 or more", field="service_fee_months")
        for name, amount in (("set_up_fee", set_up_fee), ("uplift_amount", uplift_amount),
                             ("monthly_service_fee", monthly_service_fee)):
            if amount is not None and Money(amount) < 0:
                raise Refused(f"Enter a {name.replace('_', ' ')} of £0 or more", field=name)
        if contract_type not in CONTRACT_TYPES:
            raise Refused(f"Enter a contract type: {' or '.join(CONTRACT_TYPES)}", field="contract_type")
        if contract_type == ITTECF_ECTP:
            if mentor_fee_per_declaration is None or Money(mentor_fee_per_declaration) <= 0:
                raise Refused("Enter the mentor fee per declaration (more than £0)",
                              field="mentor_fee_per_declaration")
        elif mentor_fee_per_declaration is not None:
            raise Refused("Only an ittecf_ectp contract pays mentors a fee per declaration",
                          field="mentor_fee_per_declaration")
        priced = _price_bands(list(bands), recruitment_target, Money(set_up_fee))
        return cls(
            id=id,
            lead_provider_id=lead_provider_id,
            cohort=cohort,
            recruitment_target=recruitment_target,
            set_up_fee=Money(set_up_fee),
            uplift_amount=Money(uplift_amount),
            vat_chargeable=vat_chargeable,
            monthly_service_fee_override=None if monthly_service_fee is None else Money(monthly_service_fee),
            service_fee_months=service_fee_months,
            bands=priced,
            contract_type=contract_type,
            mentor_fee_per_declaration=None if mentor_fee_per_declaration is None
            else Money(mentor_fee_per_declaration),
        )

    @property
    def capacities(self) -> tuple[int, ...]:
        return tuple(b.capacity for b in self.bands)

    @property
    def service_fee_total(self) -> Money:
        """Σ bands (service fee per participant × participants within the target)."""
        return sum((b.service_fee_per_participant * b.participants_within_target for b in self.bands),
                   Money(0))

    @property
    def calculated_monthly_service_fee(self) -> Money:
        return self.service_fee_total / self.service_fee_months

    @property
    def monthly_service_fee(self) -> Money:
        """The override when the contract has one, otherwise the calculated monthly fee."""
        if self.monthly_service_fee_override is not None:
            return self.monthly_service_fee_override
        return self.calculated_monthly_service_fee

    @property
    def flat_rate_mentors(self) -> bool:
        """Mentors paid a flat fee per declaration, outside the bands (``ittecf_ectp``)."""
        return self.contract_type == ITTECF_ECTP

    def mentor_fee(self, declaration_type: str) -> Money:
        """A flat-rate mentor's fee for one declaration (£0 for a type a mentor is not paid for)."""
        if self.mentor_fee_per_declaration is None:
            return Money(0)
        return self.mentor_fee_per_declaration * MENTOR_WEIGHTINGS.get(declaration_type, Decimal(0))

    def with_band_capacity(self, name: str, new_max: int) -> "Contract":
        """Raise a band's capacity: its maximum moves up and every later band moves up with it
        (keeping its capacity). Refused when the new maximum is not above the current one."""
        index = next((i for i, b in enumerate(self.bands) if b.name == name), None)
        if index is None:
            raise Refused(f"The contract has no band {name}", field="band")
        current = self.bands[index]
        if isinstance(new_max, bool) or not isinstance(new_max, int) or new_max <= current.last:
            raise Refused(f"Enter a maximum for band {name} above {current.last}", field="max")
        shift = new_max - current.last
        entered = []
        for i, b in enumerate(self.bands):
            low = b.first if i == 0 else b.first + (shift if i > index else 0)
            high = b.last + (shift if i >= index else 0)
            entered.append(Band(b.name, low, high, b.per_participant,
                                (b.output_share * 100).normalize()))
        return Contract.create(
            id=self.id, lead_provider_id=self.lead_provider_id, cohort=self.cohort,
            recruitment_target=self.recruitment_target, bands=entered, set_up_fee=self.set_up_fee,
            uplift_amount=self.uplift_amount, vat_chargeable=self.vat_chargeable,
            monthly_service_fee=self.monthly_service_fee_override, service_fee_months=self.service_fee_months,
            contract_type=self.contract_type, mentor_fee_per_declaration=self.mentor_fee_per_declaration)

    def band(self, name: str) -> PricedBand:
        for b in self.bands:
            if b.name == name:
                return b
        raise KeyError(name)


def _price_bands(bands: list[Band], target: int, set_up_fee: Money) -> tuple[PricedBand, ...]:
    if not bands:
        raise Refused("Enter at least one band (band A)", field="bands")
    if len(bands) > len(BAND_NAMES):
        raise Refused("A contract has at most four bands, A to D", field="bands")
    names = tuple(b.name for b in bands)
    if names != BAND_NAMES[: len(bands)]:
        raise Refused(f"Name the bands {', '.join(BAND_NAMES[: len(bands)])} in that order", field="bands")

    prices: list[Money] = []
    previous_last = 0
    laid_out: list[tuple[Band, int, int, Money]] = []
    for i, band in enumerate(bands):
        where = f"bands[{i}]"
        if isinstance(band.min, bool) or isinstance(band.max, bool) or band.min < 0 or band.max < band.min:
            raise Refused(f"Band {band.name}’s maximum must be at least its minimum, and its minimum 0 or more",
                          field=where)
        if i == 0:
            first = max(band.min, 1)
        else:
            before = bands[i - 1]
            if band.min not in (before.max, before.max + 1):
                raise Refused(f"Band {band.name} must start where band {before.name} ends "
                              f"({before.max + 1})", field=where)
            first = previous_last + 1
        if band.max < first:
            raise Refused(f"Band {band.name} must hold at least one participant", field=where)
        price = _band_price(bands, i, prices)
        prices.append(price)
        laid_out.append((band, first, band.max, price))
        previous_last = band.max

    shares = [_output_share(band, i) for i, band in enumerate(bands)]
    band_a_first, band_a_last = laid_out[0][1], laid_out[0][2]
    band_a_capacity = band_a_last - band_a_first + 1
    recoup = Money(0)
    if set_up_fee:
        if _within(band_a_first, band_a_last, target) == 0:
            raise Refused("A set-up fee needs a recruitment target that reaches band A", field="set_up_fee")
        recoup = set_up_fee / band_a_capacity
        band_a_service = prices[0] * (1 - shares[0])
        if recoup > band_a_service:
            raise Refused(f"The set-up fee must not be more than band A’s service fee "
                          f"({(band_a_service * band_a_capacity).display()})", field="set_up_fee")

    priced = []
    for (band, first, last, price), output_share in zip(laid_out, shares):
        service = price * (1 - output_share)
        if band.name == "A":
            service = service - recoup
        priced.append(PricedBand(
            name=band.name, first=first, last=last, per_participant=price, output_share=output_share,
            service_fee_per_participant=service, participants_within_target=_within(first, last, target),
        ))
    return tuple(priced)


def _output_share(band: Band, i: int) -> Decimal:
    """The band's output share as a fraction: entered in percent (0 to 100), else the default."""
    if band.output_fee_percent is None:
        return BAND_D_OUTPUT_FEE_SHARE if band.name == "D" else OUTPUT_FEE_SHARE
    try:
        percent = Decimal(band.output_fee_percent)
    except (ArithmeticError, ValueError, TypeError):
        percent = Decimal(-1)
    if not percent.is_finite() or percent < 0 or percent > 100:
        raise Refused(f"Enter band {band.name}’s output fee share as a percentage from 0 to 100",
                      field=f"bands[{i}]")
    return percent / 100


def _band_price(bands: list[Band], i: int, earlier: list[Money]) -> Money:
    band = bands[i]
    where = f"bands[{i}]"
    if band.name == "D":
        price_c = earlier[2]
        if band.per_participant is not None and Money(band.per_participant) != price_c:
            raise Refused(f"Band D’s price per participant must be band C’s ({price_c.display()})",
                          field=where)
        return price_c
    if band.per_participant is None:
        raise Refused(f"Enter band {band.name}’s price per participant", field=where)
    price = Money(band.per_participant)
    if price <= 0:
        raise Refused(f"Band {band.name}’s price per participant must be more than £0", field=where)
    if earlier and not price < earlier[-1]:
        raise Refused(f"Band {band.name}’s price per participant must be less than band "
                      f"{bands[i - 1].name}’s ({earlier[-1].display()})", field=where)
    return price


def _within(first: int, last: int, target: int) -> int:
    """How many of the band's participant numbers fall within the recruitment target."""
    return max(0, min(last, target) - first + 1)
