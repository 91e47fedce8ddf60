"""The payer's download links: one download each, within 7 days (shared.platform.links)."""
from __future__ import annotations

from shared.platform.links import LinkOutcome

from ..ports import Deps, UnitOfWork


async def download(uow: UnitOfWork, deps: Deps, *, token: str) -> LinkOutcome:
    """Spend the link (atomically: two clicks at once download once); commits only a spent link."""
    outcome = await uow.use_link(token, now=deps.clock.now())
    if outcome.status == "ok":
        await uow.commit()
    return outcome
