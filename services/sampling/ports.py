"""What the sampling handlers depend on besides the unit of work: time and ids, injected so that
dates in emails and ids in tests are reproducible."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Callable, Protocol


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
    """A clock standing still (tests move it by assigning ``at``)."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()


@dataclass
class Deps:
    clock: Clock = field(default_factory=SystemClock)
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
