"""What the sampling handlers depend on, as Protocols: the repositories and unit of work they use
(the real ones are SQL: ``repository.py``, ``unit_of_work.py``), the clock and ids, injected so
that dates in emails and ids in tests are reproducible. The support pages' read-only queries use
the SQL repositories directly."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable, Protocol, Sequence

from shared.contracts import Message
from shared.platform.clock import Clock, FixedClock, SystemClock  # noqa: F401 - re-exported

from .domain import ClaimView


class ProjectionRepository(Protocol):
    """Sampling's copy of the claims and providers it audits (kept from claims' events). Never commits."""

    batch: Any  # rows queued by the projection handlers, written at commit

    async def claim_views(self, references: Sequence[str], *, with_mentors: bool = False,
                          brief: bool = False) -> dict[str, ClaimView]: ...

    async def claim(self, reference: str) -> dict[str, Any] | None: ...

    async def providers(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...

    async def provider(self, provider_id: str) -> dict[str, Any] | None: ...

    async def schools_of(self, references: Sequence[str]) -> dict[str, dict[str, Any]]: ...

    async def mark_awaiting(self, references: list[str], *, status: str, awaiting: str) -> set[str]:
        """Mark the claims in ``status`` as waiting on claims to apply ``awaiting``; the ones marked."""

    async def provider_file_claims(self, sampling_id: str) -> list[ClaimView]: ...


class UploadRepository(Protocol):
    """Sampling and response files held pending until support confirms or cancels. Never commits."""

    async def add(self, **row: Any) -> None: ...

    async def get(self, upload_id: str, *, kind: str | None = None) -> dict[str, Any] | None: ...

    async def decide(self, upload_id: str, *, kind: str, to_status: str, by: str | None, at: datetime
                     ) -> dict[str, Any] | None:
        """Move a pending upload to ``to_status``; None when it was not pending."""

    async def rows(self, upload_id: str) -> Any: ...

    async def add_sample_claims(self, upload_id: str, claims_in_order: Sequence[tuple[str, str, str, int]], *,
                                batch_size: int) -> None: ...

    async def sample_references(self, upload_id: str) -> list[str]: ...


class SamplingRepository(Protocol):
    """Provider samplings, their links and reminders. Never commits, never writes the outbox."""

    async def add_provider_samplings(self, rows: list[dict[str, Any]]) -> None: ...

    async def lock_confirms(self) -> None: ...

    async def upload_conflicts(self, upload_id: str) -> list[tuple[str, int]]: ...

    async def upload_providers(self, upload_id: str) -> dict[str, int]: ...

    async def sampling(self, sampling_id: str) -> dict[str, Any] | None: ...

    async def keep_file(self, sampling_id: str, content: bytes) -> None: ...

    async def latest_for_provider(self, provider_id: str) -> dict[str, Any] | None: ...

    async def of_round(self, upload_id: str, provider_id: str) -> dict[str, Any] | None: ...

    async def add_links(self, rows: list[dict[str, Any]]) -> None: ...

    async def record_answers(self, rows: list[dict[str, Any]]) -> None:
        """Keep provider answers (``provider_answers`` rows); a claim answered before keeps its first."""

    async def answer(self, reference: str) -> dict[str, Any] | None:
        """The answer kept for the claim (``via``, ``assured``, ``answered_at``...), or None."""


class RoundsRepository(Protocol):
    """Sampling rounds (confirmed sample uploads) as support sees them, and the reminders sent
    (each (kind, recipient, due day) once). Never commits."""

    async def rounds(self, *, page: int, per_page: int) -> tuple[list[dict[str, Any]], int]: ...

    async def round(self, upload_id: str) -> dict[str, Any] | None: ...

    async def round_providers(self, upload_id: str) -> list[dict[str, Any]]: ...

    async def round_reasons(self, upload_id: str) -> dict[str, int]: ...

    async def reminders_of(self, kind: str, recipients: Sequence[str]) -> list[dict[str, Any]]: ...

    async def claim_due_day(self, kind: str, due_on: date, *, now: datetime) -> bool: ...

    async def providers_to_remind(self, *, sampled_before: datetime,
                                  provider_id: str | None = None) -> list[dict[str, Any]]: ...

    async def schools_to_remind(self) -> list[dict[str, Any]]: ...

    async def record_reminders(self, kind: str, due_on: date, rows: Sequence[dict[str, Any]], *,
                               now: datetime, sent_by: str) -> set[str]: ...


class GenerationRepository(Protocol):
    """What the generated sample reads from the projection. Never commits."""

    async def population(self, *, claim_window_id: str | None, academic_year: str | None
                         ) -> tuple[list[Any], dict[str, Any], int]: ...

    async def sample_rows(self, upload_id: str) -> list[dict[str, Any]]: ...

    async def outcome(self, upload_id: str) -> tuple[dict[str, Any], dict[str, Any], int]: ...


class SamplingUnitOfWork(Protocol):
    """One transaction: the repositories, the outbox, one commit. ``emit_claims_sampled`` is the
    set-based outbox write of a confirmed sample: the unit of work's, like every outbox write."""

    projection: ProjectionRepository
    uploads: UploadRepository
    samplings: SamplingRepository
    generation: GenerationRepository
    rounds: RoundsRepository
    session: Any  # the one-time links (shared.platform.links) work on the session itself

    def emit(self, message: Message, *, topic: str | None = None) -> None: ...

    async def emit_claims_sampled(self, *, upload_id: str, template: dict[str, Any]) -> int: ...

    async def commit(self) -> None: ...


@dataclass
class Deps:
    """Injected time and ids; the composition root passes each to the handlers as a parameter."""

    clock: Clock = field(default_factory=SystemClock)
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
