"""What the payments handlers depend on: time, ids and where the payer's emails go."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from shared.platform.clock import Clock, FixedClock, SystemClock  # noqa: F401 - re-exported


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
