"""When sampling reminds people (docs/design.md §12), in UK time (Europe/London):

- providers with claims they have not answered: every **Monday at 10:00**, until answered;
- schools with a claim the provider did not approve (``sampling_provider_not_approved``): every
  **Tuesday at 10:00**, asking them to contact the provider or support;
- a day that is not a working day (a Saturday, a Sunday or an England and Wales bank holiday) moves
  to the next working day, still at 10:00: Monday 28 December 2026 (a bank holiday) → Tuesday 29th.

The bank holidays are data shipped with the service (``data/bank_holidays_england_and_wales.json``,
gov.uk's list for 2025-2028), read once when first needed. A reminder belongs to its **due day**:
the job sends a due day's reminders once, from 10:00 that day (or on the next working day, if the
service was down), and a (kind, recipient, due day) is never sent twice.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
MONDAY, TUESDAY = 0, 1
AT = time(10, 0)

PROVIDER = "provider"
SCHOOL = "school"


@cache
def bank_holidays() -> frozenset[date]:
    """England and Wales bank holidays shipped with the service."""
    text = resources.files(__package__).joinpath("data/bank_holidays_england_and_wales.json").read_text("utf-8")
    return frozenset(date.fromisoformat(e["date"]) for e in json.loads(text)["events"])


def is_working_day(day: date, holidays: frozenset[date] | None = None) -> bool:
    return day.weekday() < 5 and day not in (bank_holidays() if holidays is None else holidays)


def next_working_day(day: date, holidays: frozenset[date] | None = None) -> date:
    """``day`` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    return day


def uk_today(now: datetime) -> date:
    return now.astimezone(UK).date()


@dataclass(frozen=True)
class Schedule:
    """A weekly reminder: ``weekday`` (0 Monday) at ``at`` UK time, moved off non-working days."""

    kind: str
    weekday: int
    at: time = AT

    def due_day_of_week(self, any_day: date, holidays: frozenset[date] | None = None) -> date:
        """The due day of the week (starting on ``weekday``) that holds ``any_day``: that ``weekday``
        moved to a working day."""
        nominal = any_day - timedelta(days=(any_day.weekday() - self.weekday) % 7)
        return next_working_day(nominal, holidays)

    def due_at(self, due_day: date) -> datetime:
        return datetime.combine(due_day, self.at, UK)

    def latest_due(self, now: datetime, holidays: frozenset[date] | None = None) -> date | None:
        """The due day whose reminders may go at ``now``: the latest one whose time has come, while
        it is that day or the working day after it (a service down at 10:00 catches up a day late,
        never a week late); None otherwise."""
        today = uk_today(now)
        for weeks_back in (0, 1):
            due = self.due_day_of_week(today - timedelta(weeks=weeks_back), holidays)
            if self.due_at(due) <= now:
                return due if today <= next_working_day(due + timedelta(days=1), holidays) else None
        return None


PROVIDER_SCHEDULE = Schedule(PROVIDER, MONDAY)
SCHOOL_SCHEDULE = Schedule(SCHOOL, TUESDAY)
SCHEDULES = (PROVIDER_SCHEDULE, SCHOOL_SCHEDULE)


def days_left(completion: date, today: date) -> int:
    """Days until the provider must answer (0 on the day, negative once overdue)."""
    return (completion - today).days
