"""DfE's sampling method (the policy is the package's docstring, steps 1-3)."""
from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter

from ..projection import name_key
from .coverage import coverage_report, stratum_of
from .model import Candidate, ChosenClaim, GeneratedSample


@dataclass(frozen=True)
class DfeParameters:
    threshold: Decimal = Decimal("5000.00")
    random_percent: Decimal = Decimal(20)
    coverage_percent: Decimal = Decimal(10)

    def as_dict(self) -> dict[str, str]:
        return {"method": "dfe", "threshold": f"{self.threshold:.2f}", "random_percent": _number(self.random_percent),
                "coverage_percent": _number(self.coverage_percent)}


def _number(value: Decimal) -> str:
    """``20`` for 20, ``12.5`` for 12.5: how a percentage is written in a reason."""
    text = format(value.normalize(), "f")
    return text


def _pounds(value: Decimal) -> str:
    """``£5,000`` for a whole amount, ``£5,000.50`` otherwise."""
    return f"£{value:,.0f}" if value == value.to_integral_value() else f"£{value:,.2f}"


def high_value_reason(threshold: Decimal) -> str:
    return f"School claimed over {_pounds(threshold)}"


def random_reason(percent: Decimal) -> str:
    return f"Random {_number(percent)}% of claims submitted by a mentor"


def stratum_reason(stratum: str) -> str:
    return f"Stratum: {stratum}"


def submitted_by_a_mentor(claim: Candidate) -> bool:
    """The user who submitted the claim is one of its mentors (full names, case and spaces ignored)."""
    if not claim.submitted_by_name.strip():
        return False
    submitter = name_key(claim.submitted_by_name)
    return any(name_key(mentor) == submitter for mentor in claim.mentor_names)


def random_count(percent: Decimal, eligible: int) -> int:
    """round(percent% × eligible), halves rounded up."""
    return int((percent * eligible / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def generate_dfe(population: Iterable[Candidate], *, seed: int, parameters: DfeParameters = DfeParameters(),
                 school_totals: Mapping[str, Decimal] | None = None) -> GeneratedSample:
    """The DfE sample of ``population`` (claims that may be sampled). ``school_totals``: each school's
    claims in the window in total when it differs from the population's (claims sampled earlier
    still count towards their school's total); by default the population's own sums."""
    claims = sorted(population, key=itemgetter(0))  # by reference
    if any(a.reference == b.reference for a, b in zip(claims, claims[1:])):
        raise ValueError("a claim may be in the population once")
    rng = random.Random(seed)
    totals: dict[str, Decimal] = {}
    zero = Decimal(0)
    for claim in claims:
        totals[claim.school_urn] = totals.get(claim.school_urn, zero) + claim.amount
    if school_totals is not None:
        totals = {urn: max(total, school_totals.get(urn, Decimal(0))) for urn, total in totals.items()}

    chosen: list[ChosenClaim] = []
    reason = high_value_reason(parameters.threshold)
    rest: list[Candidate] = []
    over = {urn for urn, total in totals.items() if total > parameters.threshold}
    for claim in claims:
        if claim.school_urn in over:
            chosen.append(ChosenClaim(claim.reference, claim.provider_id, claim.amount, reason))
        else:
            rest.append(claim)

    eligible = [c for c in rest if c.submitted_by_name and submitted_by_a_mentor(c)]
    picked = rng.sample(eligible, random_count(parameters.random_percent, len(eligible)))
    picked.sort(key=lambda c: c.reference)
    reason = random_reason(parameters.random_percent)
    chosen.extend(ChosenClaim(c.reference, c.provider_id, c.amount, reason) for c in picked)
    taken = {c.reference for c in picked}

    strata: dict[str, list[Candidate]] = {}
    for claim in rest:
        if claim.reference not in taken:
            strata.setdefault(stratum_of(claim), []).append(claim)
    for name in sorted(strata):
        members = strata[name]
        target = sum((c.amount for c in members), Decimal(0)) * parameters.coverage_percent / 100
        rng.shuffle(members)
        sampled = Decimal(0)
        reason = stratum_reason(name)
        for claim in members:
            if sampled >= target:
                break
            chosen.append(ChosenClaim(claim.reference, claim.provider_id, claim.amount, reason))
            sampled += claim.amount

    return GeneratedSample(method="dfe", seed=seed, parameters=parameters.as_dict(), chosen=tuple(chosen),
                           report=coverage_report(claims, (c.reference for c in chosen)))
