"""What the payments use cases depend on, as Protocols: the repositories and the unit of work that
owns them (``repository.py`` and ``unit_of_work.py`` are the SQL adapters), the clock, ids, and
where the payer's emails go. Handlers name these, never SQLAlchemy: each is
``handle_x(command, uow: UnitOfWork, clock: Clock, *, ...)`` with ``new_id``, ``payer`` and
``catch_up`` by keyword where the use case needs them (``Deps`` holds them in the composition root).

Rows travel as dicts keyed by column name (``tables.py``); ``effective_status`` is the status
payments decides on (claims' word, or where payments' own last fact is taking the claim)."""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Iterable, Protocol, Sequence

from shared.contracts import Message
from shared.platform.clock import Clock, FixedClock, SystemClock  # noqa: F401 - re-exported
from shared.platform.links import LinkOutcome

Row = dict[str, Any]


class Claims(Protocol):
    """Payments' projection of claims (fed by claims' and sampling's events)."""

    async def upsert_submitted(self, claim: Row, mentors: list[Row]) -> None: ...
    async def upsert_submitted_many(self, claims: list[Row], mentors: list[Row]) -> None: ...
    async def status_changed(self, reference: str, *, to_status: str, caused_by: str) -> None: ...
    async def status_changed_many(self, changes: list[Any]) -> None: ...
    async def record_assurance(self, reference: str, rows: list[Row]) -> None: ...
    async def get(self, reference: str, *, for_update: bool = False) -> Row: ...
    async def expect(self, references: Sequence[str], status: str, **values: Any) -> None: ...
    async def mentors(self, reference: str) -> list[Row]: ...
    async def references_in(self, references: Iterable[str], status: str, *, for_update: bool = False
                            ) -> set[str]: ...
    async def unknown(self, references: Sequence[str]) -> list[str]: ...
    async def take_submitted(self, claim_window_id: str, payment_id: str) -> list[Row]: ...
    async def by_references(self, references: Sequence[str]) -> dict[str, Row]: ...
    async def search(self, *, statuses: Sequence[str] = (), claim_window_id: str | None = None, page: int = 1,
                     per_page: int = 25) -> tuple[list[Row], int]: ...
    async def submitted_by_window(self) -> list[Row]: ...


class Payments(Protocol):
    async def add_batch(self, batch: Row, claims: list[Row]) -> None: ...
    async def batches(self, *, page: int, per_page: int) -> tuple[list[Row], int]: ...
    async def batch(self, payment_id: str) -> tuple[Row, list[Row]]: ...


class Uploads(Protocol):
    """The payer's response files, kept pending until a support user confirms or cancels them."""

    async def add(self, row: Row) -> None: ...
    async def get(self, upload_id: str, kind: str, *, for_update: bool = False) -> Row: ...
    async def decide(self, upload_id: str, *, status: str, by: str | None, at: datetime) -> None: ...


class Clawbacks(Protocol):
    async def add(self, row: Row) -> None: ...
    async def latest(self, reference: str) -> Row | None: ...
    async def open_for_update(self, reference: str, status: str) -> Row | None: ...
    async def update(self, clawback_id: str, **values: Any) -> None: ...
    async def set_status(self, references: Sequence[str], *, from_status: str, to_status: str) -> None: ...
    async def take_approved(self, batch_id: str) -> list[Row]: ...
    async def add_batch(self, row: Row) -> None: ...
    async def finish_batch(self, batch_id: str, **values: Any) -> None: ...
    async def search(self, *, statuses: Sequence[str] = (), page: int = 1, per_page: int = 25
                     ) -> tuple[list[Row], int]: ...
    async def batches(self, *, page: int, per_page: int) -> tuple[list[Row], int]: ...


class UnitOfWork(Protocol):
    """One transaction: the repositories, the outbox (``emit``, written at ``commit``) and the
    payer's download links. Nothing is kept unless ``commit`` is called."""

    claims: Claims
    payments: Payments
    uploads: Uploads
    clawbacks: Clawbacks

    def emit(self, message: Message, *, topic: str | None = None) -> None: ...
    async def create_link(self, *, kind: str, subject_id: str, file_name: str, content: bytes, now: datetime,
                          recipient: str, lifetime: timedelta) -> tuple[str, datetime]: ...
    async def use_link(self, token: str, *, now: datetime) -> LinkOutcome: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


@dataclass(frozen=True)
class Payer:
    """The payer's email addresses and how links reach people (from settings)."""

    addresses: tuple[str, ...] = ()
    public_base_url: str = "http://127.0.0.1:8000"
    link_lifetime: timedelta = timedelta(days=7)

    def link(self, token: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/links/{token}"


@dataclass(frozen=True)
class CatchUp:
    """How long sending to the payer waits for claims submitted a moment before to reach payments'
    projection (at most ``within``, looking every ``poll``, waiting with ``sleep``)."""

    within: timedelta = timedelta(seconds=5)
    poll: timedelta = timedelta(milliseconds=50)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


@dataclass
class Deps:
    """Injected time, ids and waiting (reproducible in tests), and the payer's contacts; the
    composition root passes each to the handlers as a parameter (the clock third, the rest by
    keyword: ``new_id``, ``payer``, ``catch_up``)."""

    clock: Clock = field(default_factory=SystemClock)
    new_id: Callable[[], str] = field(default_factory=lambda: lambda: uuid.uuid4().hex)
    payer: Payer = field(default_factory=Payer)
    catch_up: CatchUp = field(default_factory=CatchUp)
