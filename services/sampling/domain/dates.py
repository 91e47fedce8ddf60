"""The date a provider must answer by (docs/design.md §5): 21 days after the day the sample is sent,
moved to the next weekday (Monday) when it falls on a Saturday or Sunday. Bank holidays are not
considered."""
from __future__ import annotations

from datetime import date, timedelta

RESPONSE_DAYS = 21


def completion_date(sent_on: date) -> date:
    due = sent_on + timedelta(days=RESPONSE_DAYS)
    weekday = due.weekday()  # Monday 0 ... Sunday 6
    if weekday >= 5:
        due += timedelta(days=7 - weekday)
    return due
