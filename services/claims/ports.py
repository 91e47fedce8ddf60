"""What the claims handlers depend on, as Protocols: the repositories and unit of work they use,
the clock, ids and randomness. The real adapters are SQL (``repository.py``, ``organisations.py``,
``activity.py``, ``bulk_repository.py``, ``unit_of_work.py``); the unit tests' in-memory fakes
satisfy the same Protocols (``tests/support/claims_fakes.py``).

Only what handlers use is here: the support search and the read-only pages of the internal API
query the SQL repositories directly.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Protocol

from shared.contracts import Message
from shared.platform.clock import Clock, FixedClock, SystemClock  # noqa: F401 - re-exported

from .domain.funding import PriorLine


class ClaimRepository(Protocol):
    """Claims, their mentor lines and status history. Never commits."""

    async def exists(self, reference: str) -> bool: ...

    async def add(self, claim: dict[str, Any], mentors: list[dict[str, Any]]) -> None: ...

    async def get(self, reference: str, *, for_update: bool = False) -> dict[str, Any]:
        """The claim; ``NotFound`` naming the reference if there is none."""

    async def mentors(self, reference: str) -> list[dict[str, Any]]: ...

    async def prior_lines(self, provider_id: str, trns: Iterable[str]) -> dict[str, list[PriorLine]]:
        """Every line of these mentors with this provider, any year and status."""

    async def update(self, reference: str, **values: Any) -> None: ...

    async def update_mentor(self, reference: str, trn: str, **values: Any) -> None: ...

    async def add_status_change(self, **row: Any) -> None: ...

    async def history(self, reference: str) -> list[dict[str, Any]]:
        """The claim's status changes, newest first."""


class OrganisationRepository(Protocol):
    """Schools, trusts, accredited providers and claim windows. Never commits."""

    async def upsert_trusts(self, rows: list[dict[str, Any]]) -> None: ...

    async def upsert_schools(self, rows: list[dict[str, Any]]) -> tuple[int, int]:
        """Insert or update schools; (created, updated)."""

    async def school(self, urn: str) -> dict[str, Any]:
        """The school with its trust's name; ``NotFound`` if there is none."""

    async def add_provider(self, row: dict[str, Any]) -> None:
        """``Refused`` if a provider with that code exists."""

    async def provider(self, provider_id: str) -> dict[str, Any]: ...

    async def add_window(self, row: dict[str, Any]) -> None:
        """``Refused`` if the window overlaps another."""

    async def window_on(self, day: date) -> dict[str, Any] | None: ...

    async def update_provider(self, provider_id: str, values: dict[str, Any]) -> None:
        """``Refused`` if another provider has the code."""

    async def window(self, window_id: str) -> dict[str, Any]:
        """``NotFound`` if there is none."""

    async def list_windows(self) -> list[dict[str, Any]]: ...

    async def update_window(self, window_id: str, values: dict[str, Any]) -> None:
        """``Refused`` if the window would overlap another."""

    async def delete_window(self, window_id: str) -> None: ...

    async def window_has_claims(self, window_id: str) -> bool: ...


class GiasRepository(Protocol):
    """Pending GIAS uploads and the school values an extract sets. Never commits."""

    async def known_schools(self) -> dict[str, tuple]:
        """URN -> the values an extract sets, in ``gias.repository.COMPARED`` order."""

    async def add_upload(self, row: dict[str, Any]) -> None: ...

    async def upload(self, upload_id: str, *, for_update: bool = False) -> dict[str, Any]:
        """The upload without its rows; ``NotFound`` if there is none."""

    async def apply(self, upload_id: str) -> None:
        """Write the upload's trusts and schools."""

    async def finish(self, upload_id: str, *, status: str, at: Any) -> None: ...


class ActivityRepository(Protocol):
    """The activity log. Never commits."""

    async def add_many(self, entries: list[Any]) -> None: ...


class BulkClaimRepository(Protocol):
    """Set-based reads and writes of claims for the bulk fact handlers. Never commits, never
    writes the outbox."""

    async def lock(self, references: list[str]) -> dict[str, Any]:
        """reference -> row (``status``, ``provider_id``, ``amount``) of the claims that exist, locked."""

    async def sample(self, references: list[str], statuses: list[str], reasons: list[str]) -> None: ...

    async def add_history(self, rows: list[dict[str, Any]]) -> None: ...

    async def statuses(self, references: list[str]) -> dict[str, str]:
        """reference -> status of the claims that exist."""


class ClaimsUnitOfWork(Protocol):
    """One transaction: the repositories, the outbox (``emit``), dead letters, one commit.

    ``apply_sampled_batches`` is the one set-based write that builds outbox rows in SQL: it is the
    unit of work's, like every outbox write, and never a repository's."""

    claims: ClaimRepository
    organisations: OrganisationRepository
    activity: ActivityRepository
    bulk: BulkClaimRepository
    gias: GiasRepository

    def emit(self, message: Message, *, topic: str | None = None) -> None: ...

    async def record_dead_letter(self, **row: Any) -> None: ...

    async def apply_sampled_batches(self, *, batch_ids: list[str], actor_emails: list[str | None],
                                    changed_ats: list[Any], templates: list[str], references: list[str],
                                    reasons: list[str], batch_of: list[int], partitions: list[int] | None,
                                    moves: dict[str, str], caused_by: str, topic: str) -> list[int]:
        """Move each claim ``references[i]`` (of batch ``batch_of[i]``, 1-based) by ``moves``
        (from-status -> to-status), with its history row and its status-change event in the outbox
        (one per batch and partition when ``partitions`` are given, else one per claim, from the
        batch's ``templates``); the 1-based positions of the claims it refused."""

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


@dataclass
class Deps:
    """Injected time, randomness and ids for handlers (reproducible in tests); the composition root
    passes each to the handlers as a parameter."""

    clock: Clock = field(default_factory=SystemClock)
    rng: random.Random = field(default_factory=random.SystemRandom)
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
