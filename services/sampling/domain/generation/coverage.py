"""The coverage report: what a proposed sample covers, per stratum and in total."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Protocol

UNKNOWN = "Unknown"
SEPARATOR = " · "
_ONE_PLACE = Decimal("0.1")


class _Stratified(Protocol):
    reference: str
    amount: Decimal
    establishment_type: str
    phase: str
    urban_rural: str


def stratum_of(claim: _Stratified) -> str:
    """``Academy · Primary · Urban``; "Unknown" for each part the school data lacks."""
    return _stratum(claim.establishment_type, claim.phase, claim.urban_rural)


@lru_cache(maxsize=4096)
def _stratum(*parts: str) -> str:
    # Cached: 100,000 claims fall in a few dozen strata.
    return SEPARATOR.join((part or "").strip() or UNKNOWN for part in parts)


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole``, rounded half up to one place (0 when there is no whole)."""
    if not whole:
        return Decimal("0.0")
    return (part * 100 / whole).quantize(_ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StratumCoverage:
    stratum: str
    claims: int
    value: Decimal
    sampled_claims: int
    sampled_value: Decimal

    @property
    def percent(self) -> Decimal:
        return percent_of(self.sampled_value, self.value)

    def as_dict(self) -> dict[str, Any]:
        return {"stratum": self.stratum, "claims": self.claims, "value": f"{self.value:.2f}",
                "sampled_claims": self.sampled_claims, "sampled_value": f"{self.sampled_value:.2f}",
                "percent": str(self.percent)}


@dataclass(frozen=True)
class CoverageReport:
    strata: tuple[StratumCoverage, ...]
    total: StratumCoverage

    def as_dict(self) -> dict[str, Any]:
        return {"strata": [s.as_dict() for s in self.strata], "total": self.total.as_dict()}


def coverage_report(population: Iterable[_Stratified], chosen: Iterable[str]) -> CoverageReport:
    """Per stratum (in name order) and in total: claims, value, sampled claims, sampled value."""
    picked = set(chosen)
    sums: dict[str, list[Any]] = {}
    for claim in population:
        row = sums.get(name := _stratum(claim.establishment_type, claim.phase, claim.urban_rural))
        if row is None:
            row = sums[name] = [0, Decimal(0), 0, Decimal(0)]
        row[0] += 1
        row[1] += claim.amount
        if claim.reference in picked:
            row[2] += 1
            row[3] += claim.amount
    strata = tuple(StratumCoverage(name, *sums[name]) for name in sorted(sums))
    total = StratumCoverage("Total", sum(s.claims for s in strata), sum((s.value for s in strata), Decimal(0)),
                            sum(s.sampled_claims for s in strata),
                            sum((s.sampled_value for s in strata), Decimal(0)))
    return CoverageReport(strata, total)
