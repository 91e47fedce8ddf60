"""The ECF engine's background job in the payments process: passed statement deadlines applied
even when nobody reads (the use cases apply them too, before every read or change)."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable

from .handlers import Clock, run_deadlines
from .unit_of_work import EcfUnitOfWork

log = logging.getLogger(__name__)


def deadline_job(uow_factory: Callable[[], EcfUnitOfWork], clock: Clock, *, every_s: float = 60.0):
    """A ``ServiceRuntime.jobs`` entry: apply passed deadlines every ``every_s`` seconds."""

    async def ecf_deadlines(runtime: Any = None) -> None:
        while True:
            try:
                async with uow_factory() as uow:
                    moved = await run_deadlines(uow, clock)
                if moved:
                    log.info("ECF deadlines: %d declarations became payable", moved)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - logged and retried next round; the reads apply it anyway
                log.exception("ECF deadline job failed; retrying in %ss", every_s)
            await asyncio.sleep(every_s)

    return ecf_deadlines
