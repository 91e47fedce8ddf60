"""The ECF engine's background job in the payments process: passed statement deadlines applied
even when nobody reads (the use cases apply them too, before every read or change), and the
contract managers' and lead providers' emails of the week before an output deadline
(``reminders``; each claimed once per statement, so every replica may run this job)."""
from __future__ import annotations

import logging
from typing import Any, Callable

from shared.platform.jobs import every

from .handlers import Clock, run_deadlines
from .reminders import remind_contract_managers, remind_lead_providers
from .unit_of_work import EcfUnitOfWork

log = logging.getLogger(__name__)


def deadline_job(uow_factory: Callable[[], EcfUnitOfWork], clock: Clock, *, every_s: float = 60.0,
                 contract_managers: tuple[str, ...] = ()):
    """A ``ServiceRuntime.jobs`` entry: apply passed deadlines (and send the deadline emails due)
    every ``every_s`` seconds."""

    async def ecf_deadlines(runtime: Any = None) -> None:
        async with uow_factory() as uow:
            moved = await run_deadlines(uow, clock)
        if moved:
            log.info("ECF deadlines: %d declarations became payable", moved)
        if contract_managers:
            async with uow_factory() as uow:
                await remind_contract_managers(uow, clock, addresses=contract_managers)
        async with uow_factory() as uow:
            await remind_lead_providers(uow, clock)

    # A failed round is retried at the next; the reads apply passed deadlines anyway.
    return every(every_s, ecf_deadlines, what="ECF deadline job", log=log)
