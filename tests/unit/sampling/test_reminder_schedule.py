"""The reminder schedule (docs/design.md §12) with an injected clock: providers on Mondays at 10:00,
schools on Tuesdays at 10:00, UK time, moved to the next working day off weekends and England and
Wales bank holidays, and never a week late."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from services.sampling.domain.reminders import (PROVIDER_SCHEDULE, SCHOOL_SCHEDULE, UK, bank_holidays, days_left,
                                                is_working_day, next_working_day)
from shared.platform.clock import FixedClock

pytestmark = pytest.mark.unit


def uk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UK)


def test_the_bank_holidays_shipped_are_gov_uks_for_england_and_wales_2025_to_2028():
    days = bank_holidays()
    assert len(days) == 32
    assert {date(2026, 12, 25), date(2026, 12, 28), date(2027, 3, 26), date(2027, 3, 29), date(2027, 12, 27),
            date(2027, 12, 28), date(2028, 1, 3)} <= days
    assert all(day.weekday() < 5 for day in days)  # substitute days are given, never the weekend day


def test_a_provider_reminder_is_due_on_monday_at_ten_uk_time():
    clock = FixedClock(uk("2026-11-30T09:59:59"))
    assert PROVIDER_SCHEDULE.latest_due(clock.now()) is None  # last Monday's is more than a working day old
    clock.at = uk("2026-11-30T10:00:00")
    assert PROVIDER_SCHEDULE.latest_due(clock.now()) == date(2026, 11, 30)
    clock.at = uk("2026-12-01T16:00:00")  # a service down all Monday catches up on Tuesday
    assert PROVIDER_SCHEDULE.latest_due(clock.now()) == date(2026, 11, 30)
    clock.at = uk("2026-12-02T10:00:00")  # ... but never later
    assert PROVIDER_SCHEDULE.latest_due(clock.now()) is None


def test_ten_oclock_is_uk_time_in_summer_too():
    assert PROVIDER_SCHEDULE.latest_due(datetime(2026, 6, 1, 9, 0, 30, tzinfo=timezone.utc)) == date(2026, 6, 1)
    assert PROVIDER_SCHEDULE.latest_due(datetime(2026, 6, 1, 8, 59, tzinfo=timezone.utc)) is None


def test_a_monday_bank_holiday_moves_the_provider_reminder_to_tuesday():
    # Monday 28 December 2026 is the Boxing Day substitute: nothing that day, Tuesday 29th at 10:00.
    assert PROVIDER_SCHEDULE.latest_due(uk("2026-12-28T10:00:30")) is None
    assert PROVIDER_SCHEDULE.latest_due(uk("2026-12-29T09:59:00")) is None
    assert PROVIDER_SCHEDULE.latest_due(uk("2026-12-29T10:00:30")) == date(2026, 12, 29)
    # Easter Monday 29 March 2027 (Good Friday the 26th before it).
    assert PROVIDER_SCHEDULE.latest_due(uk("2027-03-29T10:00:30")) is None
    assert PROVIDER_SCHEDULE.latest_due(uk("2027-03-30T10:00:30")) == date(2027, 3, 30)


def test_two_bank_holidays_in_a_row_move_both_reminders_to_wednesday():
    # Christmas 2027: Monday 27th and Tuesday 28th are substitute days.
    assert PROVIDER_SCHEDULE.due_day_of_week(date(2027, 12, 27)) == date(2027, 12, 29)
    assert SCHOOL_SCHEDULE.due_day_of_week(date(2027, 12, 28)) == date(2027, 12, 29)
    assert SCHOOL_SCHEDULE.latest_due(uk("2027-12-28T10:00:30")) is None
    assert SCHOOL_SCHEDULE.latest_due(uk("2027-12-29T10:00:30")) == date(2027, 12, 29)


def test_a_school_reminder_is_due_on_tuesday_at_ten_and_not_on_monday():
    assert SCHOOL_SCHEDULE.latest_due(uk("2026-11-30T10:00:30")) is None
    assert SCHOOL_SCHEDULE.latest_due(uk("2026-12-01T10:00:30")) == date(2026, 12, 1)
    # The Tuesday after Easter Monday 2027 is a working day: the school's reminder stays on it.
    assert SCHOOL_SCHEDULE.latest_due(uk("2027-03-30T10:00:00")) == date(2027, 3, 30)


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 12, 26))  # Saturday
    assert not is_working_day(date(2026, 12, 27))  # Sunday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute
    assert next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)  # Christmas Friday → Tuesday
    assert next_working_day(date(2028, 1, 1)) == date(2028, 1, 4)  # Saturday, Sunday, substitute Monday


def test_a_week_with_a_bank_holiday_on_another_day_keeps_monday():
    # Good Friday 3 April 2026 does not move Monday 30 March.
    assert PROVIDER_SCHEDULE.latest_due(uk("2026-03-30T10:00:00")) == date(2026, 3, 30)


def test_days_left_counts_to_the_completion_date():
    assert days_left(date(2026, 12, 14), date(2026, 11, 23)) == 21
    assert days_left(date(2026, 12, 14), date(2026, 12, 14)) == 0
    assert days_left(date(2026, 12, 14), date(2026, 12, 16)) == -2
