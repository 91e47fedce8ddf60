"""The activity log lines payments' use cases record (shown on claims' activity pages)."""
from __future__ import annotations

from typing import Iterable

from shared.contracts import ActivityRecorded, Actor, FileRef

from ..ports import Clock, UnitOfWork


def claims_phrase(count: int) -> str:
    return f"{count} claim{'' if count == 1 else 's'}"


def record_activity(uow: UnitOfWork, clock: Clock, *, title: str, action: str, actor: Actor | None,
                    references: Iterable[str] = (), files: Iterable[FileRef] = ()) -> None:
    uow.emit(ActivityRecorded(title=title, action=action, claim_references=tuple(references), files=tuple(files),
                              source="payments", actor=actor, occurred_at=clock.now()))
