"""Schedules: when each declaration type may be declared.

Policy: a schedule (for example "ecf-standard-september" for the 2026 cohort) gives each
declaration type a milestone period, from its start date to its milestone date (the last day a
declaration may be dated; none means open-ended). A declaration type the schedule does not list
cannot be declared for participants on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.contracts.errors import Refused

from .rules import DECLARATION_TYPES


@dataclass(frozen=True)
class Milestone:
    declaration_type: str
    start_date: date
    milestone_date: date | None = None


@dataclass(frozen=True)
class Schedule:
    identifier: str
    cohort: int
    milestones: tuple[Milestone, ...]

    @classmethod
    def create(cls, *, identifier: str, cohort: int, milestones: list[Milestone] | tuple[Milestone, ...]) -> "Schedule":
        if not identifier or not identifier.strip():
            raise Refused("Enter a schedule identifier", field="identifier")
        if not milestones:
            raise Refused("Enter at least one milestone", field="milestones")
        seen: set[str] = set()
        for i, m in enumerate(milestones):
            where = f"milestones[{i}]"
            if m.declaration_type not in DECLARATION_TYPES:
                raise Refused(f"Enter a valid declaration type (one of {', '.join(DECLARATION_TYPES)})",
                              field=where)
            if m.declaration_type in seen:
                raise Refused(f"The schedule already has a {m.declaration_type} milestone", field=where)
            seen.add(m.declaration_type)
            if m.milestone_date is not None and m.milestone_date < m.start_date:
                raise Refused(f"The {m.declaration_type} milestone date must be on or after its start date",
                              field=where)
        return cls(identifier=identifier.strip(), cohort=cohort, milestones=tuple(milestones))

    def milestone(self, declaration_type: str) -> Milestone | None:
        for m in self.milestones:
            if m.declaration_type == declaration_type:
                return m
        return None
