"""What the payments handlers depend on: time, ids and where the payer's emails go."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass
class FixedClock:
    at: datetime

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()

    def advance(self, delta: timedelta) -> None:
        self.at = self.at + delta


@dataclass(frozen=True)
class Payer:
    """The payer's email addresses and how links reach people (from settings)."""

    addresses: tuple[str, ...] = ()
    public_base_url: str = "http://127.0.0.1:8000"
    link_lifetime: timedelta = timedelta(days=7)

    def link(self, token: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/links/{token}"


@dataclass
class Deps:
    """Injected time and ids (reproducible in tests), and the payer's contacts."""

    clock: Clock = field(default_factory=SystemClock)
    new_id: Callable[[], str] = field(default_factory=lambda: lambda: uuid.uuid4().hex)
    payer: Payer = field(default_factory=Payer)
