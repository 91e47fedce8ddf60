"""Participants' statuses (Lead Provider API v3): active, deferred, withdrawn; and the date rules
they put on declarations.

Policy (docs/design.md §15):
- A lead provider withdraws (``reason`` from ``WITHDRAW_REASONS``), defers (``DEFER_REASONS``) and
  resumes its participants; every change is kept with its time (``StatusChange``), so a deferral
  that has ended still forbids declarations dated inside it.
- No declaration dated after a withdrawal, nor inside a deferral (from the deferral to the
  resumption; a deferral not yet ended runs on).
- Declaration dates in sequence for cohorts from 2025 (``SEQUENCE_FROM``): a declaration cannot be
  dated before an earlier milestone's standing declaration or after a later one's.
- A schedule or cohort change is refused while the participant has standing declarations that
  would fall outside it: "void them first".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Sequence

from shared.contracts.errors import Refused

from .rules import DECLARATION_TYPES
from .schedules import Schedule

ACTIVE, DEFERRED, WITHDRAWN = "active", "deferred", "withdrawn"
STATUSES = (ACTIVE, DEFERRED, WITHDRAWN)
WITHDRAW_REASONS = ("left-teaching-profession", "moved-school", "mentor-no-longer-being-mentor",
                    "switched-to-school-led", "other")
DEFER_REASONS = ("bereavement", "long-term-sickness", "parental-leave", "career-break", "other")
#: Cohorts whose declarations must be dated in milestone order.
SEQUENCE_FROM = 2025
#: States of a declaration that stands (counts for sequence and schedule checks).
STANDING = frozenset({"submitted", "eligible", "payable", "paid"})


@dataclass(frozen=True)
class StatusChange:
    status: str
    at: datetime
    reason: str | None = None


def status_of(changes: Iterable[StatusChange]) -> str:
    last = None
    for change in changes:
        last = change
    return last.status if last is not None else ACTIVE


def withdrawn_at(changes: Iterable[StatusChange]) -> datetime | None:
    at = None
    for change in changes:
        at = change.at if change.status == WITHDRAWN else (None if change.status == ACTIVE else at)
    return at


def deferrals(changes: Iterable[StatusChange]) -> list[tuple[datetime, datetime | None]]:
    """Each deferral as (from, to); ``to`` is None while it runs."""
    out: list[tuple[datetime, datetime | None]] = []
    started = None
    for change in changes:
        if change.status == DEFERRED and started is None:
            started = change.at
        elif change.status != DEFERRED and started is not None:
            out.append((started, change.at))
            started = None
    if started is not None:
        out.append((started, None))
    return out


def _check_reason(reason: object, known: Sequence[str]) -> None:
    if reason not in known:
        raise Refused(f"The entered '#/reason' is not recognised. Enter one of: {', '.join(known)}", field="reason")


def change_status(changes: tuple[StatusChange, ...], action: str, *, reason: object, at: datetime
                  ) -> tuple[StatusChange, ...]:
    """``action`` is withdraw, defer or resume; the new history, or a refusal in the v3's words."""
    current = status_of(changes)
    if action == "withdraw":
        if current == WITHDRAWN:
            raise Refused("The participant is already withdrawn", field="participant_id")
        _check_reason(reason, WITHDRAW_REASONS)
        return changes + (StatusChange(WITHDRAWN, at, str(reason)),)
    if action == "defer":
        if current == WITHDRAWN:
            raise Refused("You cannot defer a withdrawn participant", field="participant_id")
        if current == DEFERRED:
            raise Refused("The participant is already deferred", field="participant_id")
        _check_reason(reason, DEFER_REASONS)
        return changes + (StatusChange(DEFERRED, at, str(reason)),)
    if action == "resume":
        if current == ACTIVE:
            raise Refused("The participant is already active", field="participant_id")
        return changes + (StatusChange(ACTIVE, at),)
    raise ValueError(action)


def date_refusals(*, changes: Iterable[StatusChange], cohort: int, declaration_type: str, declared_at: datetime,
                  existing: Iterable) -> list[Refused]:
    """Why a declaration's date is refused by the participant's statuses and earlier declarations."""
    changes = list(changes)
    errors: list[Refused] = []
    gone = withdrawn_at(changes)
    if gone is not None and declared_at > gone:
        errors.append(Refused(f"This participant withdrew from this course on {_day(gone)}. Enter a "
                              "'#/declaration_date' that's on or before the withdrawal date.",
                              field="declaration_date"))
    for start, end in deferrals(changes):
        if declared_at >= start and (end is None or declared_at < end):
            errors.append(Refused(f"This participant was deferred from this course on {_day(start)}. Enter a "
                                  "'#/declaration_date' that's before the deferral or after they resumed.",
                                  field="declaration_date"))
            break
    if cohort >= SEQUENCE_FROM and declaration_type in DECLARATION_TYPES:
        rank = DECLARATION_TYPES.index(declaration_type)
        for d in existing:
            if d.state not in STANDING or d.declaration_type not in DECLARATION_TYPES:
                continue
            other = DECLARATION_TYPES.index(d.declaration_type)
            if (other < rank and declared_at < d.declaration_date) or (other > rank and declared_at > d.declaration_date):
                errors.append(Refused(
                    f"The '#/declaration_date' must be in milestone order: it cannot be before an earlier "
                    f"milestone's declaration or after a later one's ({d.declaration_type} is dated "
                    f"{_day(d.declaration_date)})", field="declaration_date"))
                break
    return errors


def schedule_change_refusals(*, existing: Iterable, schedule: Schedule, cohort_changes: bool) -> list[Refused]:
    """A participant's standing declarations must all fit the new schedule; a cohort change is
    refused while any stands."""
    standing = [d for d in existing if d.state in STANDING]
    if cohort_changes and standing:
        return [Refused("You cannot change the '#/cohort' of a participant with declarations. Void them first.",
                        field="cohort")]
    for d in standing:
        milestone = schedule.milestone(d.declaration_type)
        day = d.declaration_date.astimezone(timezone.utc).date()
        if milestone is None or day < milestone.start_date or (
                milestone.milestone_date is not None and day > milestone.milestone_date):
            return [Refused(f"The participant's {d.declaration_type} declaration would fall outside the "
                            f"'{schedule.identifier}' schedule. Void it first.", field="schedule_identifier")]
    return []


def _day(at: datetime) -> str:
    return at.astimezone(timezone.utc).date().isoformat()


__all__ = ["ACTIVE", "DEFERRED", "WITHDRAWN", "STATUSES", "WITHDRAW_REASONS", "DEFER_REASONS", "StatusChange",
           "status_of", "withdrawn_at", "deferrals", "change_status", "date_refusals", "schedule_change_refusals",
           ]
