"""Funding policy (docs/design.md §3).

- Amount = hourly rate of the school's region × total mentor hours, exact (Decimal). Rates are
  whole pennies and hours whole numbers, so the product is exact to the penny: no rounding happens.
- A school's region is its ``region`` column when given, else derived from its district
  administrative code (``../shared/data/regions.csv``); districts not listed are Rest of England.
- Hours cap per mentor, accredited provider and academic year: initial training 20 hours for
  academic years starting before 2025, 16 hours from 2025/26; refresher training (the mentor already
  had a non-draft claim with that provider in an earlier academic year) 6 hours. Hours already
  claimed count every claim of that mentor, provider and year except drafts, claims the payer
  rejected and the claim being edited. Hours are whole numbers from 1 to what is left.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from shared.contracts import Money, Refused
from shared.contracts.claim_status import NOT_COUNTED_FOR_HOURS

INNER_LONDON = "Inner London"
OUTER_LONDON = "Outer London"
FRINGE = "Fringe"
REST_OF_ENGLAND = "Rest of England"

HOURLY_RATES: dict[str, Decimal] = {
    INNER_LONDON: Decimal("53.60"),
    OUTER_LONDON: Decimal("48.25"),
    FRINGE: Decimal("45.10"),
    REST_OF_ENGLAND: Decimal("43.80"),
}
REGIONS = tuple(HOURLY_RATES)

#: Statuses whose hours do not count towards the cap.
NOT_COUNTED = NOT_COUNTED_FOR_HOURS  # the shared group, named for this module's rule


def normalise_region(value: str) -> str | None:
    wanted = " ".join(value.split()).lower()
    for region in REGIONS:
        if region.lower() == wanted:
            return region
    return None


def region_for(region: str | None, district_code: str | None, districts: dict[str, str]) -> str:
    """The funding region: the given region when it is one, else by district, else Rest of England."""
    if region and (named := normalise_region(region)):
        return named
    if district_code and (by_district := districts.get(district_code.strip().upper())):
        return by_district
    return REST_OF_ENGLAND


def hourly_rate(region: str) -> Decimal:
    try:
        return HOURLY_RATES[region]
    except KeyError:
        raise Refused(f"Unknown funding region ‘{region}’") from None


def claim_amount(region: str, hours: Iterable[int]) -> Money:
    total = 0
    for h in hours:
        if isinstance(h, bool) or not isinstance(h, int):
            raise TypeError("hours are whole numbers")
        total += h
    return Money(hourly_rate(region)) * total


def academic_year_start(academic_year: str) -> int:
    """'2025/26', '2025 to 2026' or '2025-2026' → 2025."""
    match = re.match(r"\s*([0-9]{4})", academic_year)
    if not match:
        raise Refused(f"Enter an academic year like 2025/26, not ‘{academic_year}’", field="academic_year")
    return int(match.group(1))


def initial_cap(academic_year: str) -> int:
    return 20 if academic_year_start(academic_year) < 2025 else 16


REFRESHER_CAP = 6


@dataclass(frozen=True)
class PriorLine:
    """One mentor line of another claim with the same provider: what the cap looks at."""

    reference: str
    academic_year: str
    status: str
    hours: int | None


@dataclass(frozen=True)
class Allowance:
    """A mentor's hours with one provider in one academic year: ``kind`` is "initial" or "refresher"."""

    kind: str
    limit: int
    used: int
    remaining: int


def allowance(*, academic_year: str, prior: Iterable[PriorLine], editing: str | None = None) -> Allowance:
    """The allowance of one mentor with one provider in ``academic_year``: refresher (6 hours) when the
    mentor had a counted claim with the provider in an earlier year, else initial (20 hours before
    2025/26, 16 from then); drafts, claims the payer rejected and the claim being edited do not count."""
    start = academic_year_start(academic_year)
    counted = [p for p in prior if p.status not in NOT_COUNTED and p.reference != editing]
    refresher = any(academic_year_start(p.academic_year) < start for p in counted)
    cap = REFRESHER_CAP if refresher else initial_cap(academic_year)
    used = sum(p.hours or 0 for p in counted if academic_year_start(p.academic_year) == start)
    return Allowance("refresher" if refresher else "initial", cap, used, max(cap - used, 0))


def hours_left(*, academic_year: str, prior: Iterable[PriorLine], editing: str | None = None) -> tuple[int, int]:
    """(cap, hours left) for one mentor with one provider in ``academic_year``."""
    found = allowance(academic_year=academic_year, prior=prior, editing=editing)
    return found.limit, found.remaining


def check_hours(*, full_name: str, hours: int, left: int, row: int | None = None) -> None:
    """Refuse hours outside 1..left with a message that says how many hours are left."""
    if isinstance(hours, bool) or not isinstance(hours, int):
        raise Refused(f"Enter the number of hours for {full_name} as a whole number", field="hours", row=row)
    if left <= 0:
        raise Refused(f"{full_name} has no hours of training left to claim with this accredited provider "
                      "in this academic year", field="hours", row=row)
    if hours < 1 or hours > left:
        raise Refused(f"Enter a number of hours between 1 and {left} for {full_name}: "
                      f"they have {left} {'hour' if left == 1 else 'hours'} left to claim with this "
                      "accredited provider in this academic year", field="hours", row=row)
