"""The payer's download links: one download each, within 7 days (shared.platform.links)."""
from __future__ import annotations

from shared.platform.links import LinkOutcome, use_link

from ..ports import Deps
from ..unit_of_work import PaymentsUnitOfWork


async def download(uow: PaymentsUnitOfWork, deps: Deps, *, token: str) -> LinkOutcome:
    """Spend the link (atomically: two clicks at once download once); commits only a spent link."""
    outcome = await use_link(uow.session, uow.links, token, now=deps.clock.now())
    if outcome.status == "ok":
        await uow.commit()
    return outcome
