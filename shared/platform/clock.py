"""Time, injected: handlers ask a clock instead of calling ``datetime.now()``, so deadlines, dates in
emails and tests are reproducible. Every service's ``ports.py`` re-exports these."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def today(self) -> date:
        return self.now().date()


@dataclass
class FixedClock:
    """A clock standing still (tests move it by assigning ``at`` or calling ``advance``)."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()

    def advance(self, delta: timedelta) -> None:
        self.at = self.at + delta
