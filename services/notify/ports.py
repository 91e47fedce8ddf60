"""What the notify handlers depend on, as Protocols: the notifications repository and unit of work
(the real ones are SQL: ``repository.py``, ``unit_of_work.py``), a clock, randomness, and a
``Sender`` per backend (``senders/``)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shared.contracts import Message

from shared.platform.clock import Clock, SystemClock  # noqa: F401 - re-exported


@dataclass(frozen=True)
class Email:
    """One rendered email, ready for a backend."""

    notification_id: str
    to: str
    subject: str
    body: str
    reference: str | None = None


@dataclass(frozen=True)
class Receipt:
    """The backend accepted the email; ``provider_id`` is its id there (Notify id, Message-ID)."""

    provider_id: str | None = None


class SendError(Exception):
    """A backend refused or could not take an email; ``permanent`` decides retry or give up."""

    permanent: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransientSendError(SendError):
    permanent = False


class PermanentSendError(SendError):
    permanent = True


class Sender(Protocol):
    """An email backend. ``send`` raises ``SendError`` (or times out) when it did not accept.

    ``find_sent`` answers "did an earlier attempt of this notification reach you?" where the
    backend can tell (GOV.UK Notify by reference, the local outbox by id); ``None`` means "not
    found" or "cannot know" (SMTP), and the caller then sends (again).
    """

    name: str

    async def send(self, email: Email) -> Receipt: ...

    async def find_sent(self, email: Email) -> Receipt | None: ...


class NotificationRepository(Protocol):
    """Emails requested, their attempts and outcomes. Never commits, never writes the outbox."""

    async def exists(self, notification_id: str) -> bool: ...

    async def add(self, **row: Any) -> bool: ...

    async def claim_due(self, *, now: datetime, lease_until: datetime, backend: str, limit: int) -> list[Any]:
        """Due rows made ``sending`` with ``attempts + 1`` and a lease (``repository.Claimed``)."""

    async def finish(self, claimed: Any, *, now: datetime, outcome: str, error: str | None = None,
                     **changes: Any) -> bool:
        """Record an attempt's end; False when the attempt had lost the row to another worker."""


class NotifyUnitOfWork(Protocol):
    """One transaction: the repository, the outbox (``emit``), one commit."""

    notifications: NotificationRepository

    def emit(self, message: Message, *, topic: str | None = None) -> None: ...

    async def commit(self) -> None: ...


@dataclass
class Deps:
    """Injected time and randomness (jitter), so tests are reproducible."""

    clock: Clock = field(default_factory=SystemClock)
    rng: random.Random = field(default_factory=random.SystemRandom)
