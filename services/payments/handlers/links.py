"""The payer's download links: one download each, within 7 days (shared.platform.links)."""
from __future__ import annotations

from dataclasses import dataclass

from shared.platform.links import LinkOutcome

from ..ports import Clock, UnitOfWork


@dataclass(frozen=True)
class Download:
    """Someone following a link from a payer's email."""

    token: str


async def handle_download(command: Download, uow: UnitOfWork, clock: Clock) -> LinkOutcome:
    """Spend the link (atomically: two clicks at once download once); commits only a spent link."""
    outcome = await uow.use_link(command.token, now=clock.now())
    if outcome.status == "ok":
        await uow.commit()
    return outcome
