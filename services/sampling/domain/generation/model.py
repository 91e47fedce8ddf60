"""The claims a sample is drawn from, and the sample drawn."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from .coverage import CoverageReport


class Candidate(NamedTuple):
    """A paid claim that may be sampled. ``establishment_type``, ``phase`` and ``urban_rural`` are the
    school's ("" when unknown); ``submitted_by_name`` is the full name of the user who submitted it
    ("" when unknown); ``mentor_names`` the claim's mentors' full names."""

    reference: str
    school_urn: str
    provider_id: str
    amount: Decimal
    establishment_type: str = ""
    phase: str = ""
    urban_rural: str = ""
    submitted_by_name: str = ""
    mentor_names: tuple[str, ...] = ()


class ChosenClaim(NamedTuple):
    reference: str
    provider_id: str
    amount: Decimal
    reason: str


@dataclass(frozen=True)
class GeneratedSample:
    """A proposed sample: the chosen claims in the order chosen (each once, with its reason), the
    coverage report, and the parameters and seed that reproduce it."""

    method: str
    seed: int
    parameters: dict[str, Any]
    chosen: tuple[ChosenClaim, ...]
    report: CoverageReport
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def claim_count(self) -> int:
        return len(self.chosen)

    @property
    def references(self) -> frozenset[str]:
        return frozenset(c.reference for c in self.chosen)
