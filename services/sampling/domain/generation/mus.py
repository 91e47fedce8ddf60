"""Monetary-unit sampling (probability proportional to amount) and its evaluation.

- Size: n = ⌈value × R ÷ tolerable misstatement⌉ with R = 3.0 at 95% and 2.3 at 90% confidence (no
  expected errors); interval J = value ÷ n, kept as an exact fraction of pence.
- Selection: the claims in reference order laid end to end (pence); points s, s + J, s + 2J, … with
  s drawn from the seed, uniformly in [0, J) on a grid of J ÷ value; a claim holding a point is chosen
  (once, however many points it holds). A claim of at least J always holds one; a smaller claim is
  chosen with probability amount ÷ J exactly.
- Evaluation (the Stringer bound): each sampled claim's misstatement is the amount clawed back
  (capped at the claim's amount). Claims of at least J are a "top stratum": their misstatement is
  counted as it is, not projected. For the others the tainting t = misstatement ÷ amount projects
  t × J each. Projected misstatement = Σ t × J + top stratum. Upper bound = J × UEL(0) +
  Σ J × t₍ᵢ₎ × (UEL(i) − UEL(i−1)) over the taintings in decreasing order + top stratum, where UEL(k)
  is the Poisson upper limit for k errors at the confidence, rounded up to two places (the published
  tables: 3.00, 4.75, 6.30 … at 95%). Results are rounded half up to the penny.
"""
from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction
from operator import itemgetter
from functools import lru_cache

from .coverage import coverage_report
from .model import Candidate, ChosenClaim, GeneratedSample

RELIABILITY = {95: Decimal("3.0"), 90: Decimal("2.3")}
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class MusParameters:
    tolerable_misstatement: Decimal = Decimal("50000.00")
    confidence: int = 95

    def __post_init__(self) -> None:
        if self.confidence not in RELIABILITY:
            raise ValueError("confidence must be 90 or 95")
        if self.tolerable_misstatement <= 0:
            raise ValueError("the tolerable misstatement must be more than 0")

    def as_dict(self) -> dict[str, str | int]:
        return {"method": "mus", "tolerable_misstatement": f"{self.tolerable_misstatement:.2f}",
                "confidence": self.confidence}


def mus_sample_size(value: Decimal, parameters: MusParameters) -> int:
    if value <= 0:
        return 0
    return int((value * RELIABILITY[parameters.confidence] / parameters.tolerable_misstatement)
               .to_integral_value(rounding=ROUND_CEILING))


def mus_interval(value: Decimal, parameters: MusParameters) -> Decimal:
    """The sampling interval in pounds, rounded half up to the penny (for display)."""
    n = mus_sample_size(value, parameters)
    return (value / n).quantize(PENNY, rounding=ROUND_HALF_UP) if n else Decimal("0.00")


def _pounds(value: Decimal) -> str:
    return f"£{value:,.2f}"


def generate_mus(population: Iterable[Candidate], *, seed: int,
                 parameters: MusParameters = MusParameters()) -> GeneratedSample:
    claims = sorted(population, key=itemgetter(0))  # by reference
    pence = [int(c.amount * 100) for c in claims]
    total = sum(pence)
    value = Decimal(total) / 100
    n = mus_sample_size(value, parameters)
    chosen: list[ChosenClaim] = []
    interval = Fraction(total, n) if n else Fraction(0)
    shown = mus_interval(value, parameters)
    if n:
        rng = random.Random(seed)
        point = Fraction(rng.randrange(total), n)  # uniform in [0, J)
        top = f"Larger than the monetary-unit sampling interval ({_pounds(shown)})"
        walked = f"Monetary-unit sample, interval {_pounds(shown)}"
        start = 0
        for claim, amount in zip(claims, pence):
            end = start + amount
            if point < end:  # the claim holds the point [start, end)
                chosen.append(ChosenClaim(claim.reference, claim.provider_id, claim.amount,
                                          top if amount >= interval else walked))
                while point < end:
                    point += interval
            start = end
    extra = {"sample_size": n, "interval": f"{shown:.2f}", "population_value": f"{value:.2f}"}
    return GeneratedSample(method="mus", seed=seed, parameters=parameters.as_dict(), chosen=tuple(chosen),
                           report=coverage_report(claims, (c.reference for c in chosen)), extra=extra)


# --- evaluation ----------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def poisson_factor(errors: int, confidence: int) -> Decimal:
    """UEL(k): the λ at which P(X ≤ k) = 1 − confidence for X ~ Poisson(λ), rounded up to 0.01."""
    alpha = 1 - confidence / 100

    def cdf(lam: float) -> float:
        term = total = math.exp(-lam)
        for i in range(1, errors + 1):
            term *= lam / i
            total += term
        return total

    low, high = 0.0, 10.0 + 3 * errors
    for _ in range(200):
        mid = (low + high) / 2
        if cdf(mid) > alpha:
            low = mid
        else:
            high = mid
    return Decimal(repr(high)).quantize(PENNY, rounding=ROUND_CEILING)


@dataclass(frozen=True)
class StringerBound:
    interval: Decimal
    errors: int
    projected_misstatement: Decimal
    upper_bound: Decimal


def stringer_bound(sampled: Mapping[str, Decimal], misstatements: Mapping[str, Decimal], *,
                   population_value: Decimal, parameters: MusParameters) -> StringerBound:
    """``sampled``: reference → amount of each sampled claim; ``misstatements``: reference → amount
    clawed back (claims with none may be absent)."""
    n = mus_sample_size(population_value, parameters)
    if not n:
        zero = Decimal("0.00")
        return StringerBound(zero, 0, zero, zero)
    interval = population_value / n
    top = Decimal(0)
    taintings: list[Decimal] = []
    for reference, amount in sampled.items():
        wrong = min(max(misstatements.get(reference, Decimal(0)), Decimal(0)), amount)
        if not wrong:
            continue
        if amount >= interval:
            top += wrong
        else:
            taintings.append(wrong / amount)
    taintings.sort(reverse=True)
    confidence = parameters.confidence
    projected = sum(taintings, Decimal(0)) * interval + top
    bound = poisson_factor(0, confidence) * interval + top
    for i, tainting in enumerate(taintings, start=1):
        bound += interval * tainting * (poisson_factor(i, confidence) - poisson_factor(i - 1, confidence))
    return StringerBound(interval.quantize(PENNY, rounding=ROUND_HALF_UP), len(taintings) + (1 if top else 0),
                         projected.quantize(PENNY, rounding=ROUND_HALF_UP),
                         bound.quantize(PENNY, rounding=ROUND_HALF_UP))


