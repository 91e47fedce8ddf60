"""The services' background jobs (``ServiceRuntime.jobs``): one round of work, repeated at an
interval for as long as the service runs. A round that fails is logged with its trace and the next
round tries again; the work itself makes each due thing happen once (claimed rows, unique keys), so
every replica may run the same job."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable


def every(seconds: float, one_round: Callable[[Any], Awaitable[Any]], *, what: str,
          log: logging.Logger) -> Callable[..., Awaitable[None]]:
    """A job running ``one_round(runtime)`` every ``seconds`` (named after the round); ``what`` names
    the work in the log line of a failed round."""
    async def job(runtime: Any = None) -> None:
        while True:
            try:
                await one_round(runtime)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - logged with its trace; the next round tries again
                log.exception("%s failed; retrying in %ss", what, seconds)
            await asyncio.sleep(seconds)

    job.__name__ = job.__qualname__ = one_round.__name__
    return job
