"""The background job that sends due emails (new ones and scheduled retries), registered in
``ServiceRuntime.jobs``. Several replicas may run it: rows are claimed with ``SKIP LOCKED`` and a
lease, so each attempt has one owner."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Callable

from shared.platform.logging import log_fields
from shared.platform.messaging import is_transient

from . import handlers
from .config import NotifySettings
from .domain.policy import RetryPolicy
from .ports import Deps, Sender
from .repository import Claimed
from .unit_of_work import NotifyUnitOfWork

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, *, uow_factory: Callable[[], NotifyUnitOfWork], sender: Sender, settings: NotifySettings,
                 deps: Deps) -> None:
        self.uow_factory = uow_factory
        self.sender = sender
        self.settings = settings
        self.deps = deps
        self.policy = RetryPolicy(max_attempts=settings.max_attempts, base_s=settings.retry_base_s,
                                  cap_s=settings.retry_cap_s)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Hint that new emails were accepted (called after a consumer batch commits)."""
        self._wake.set()

    async def run_once(self) -> int:
        """Claim what is due, send it, record it. Returns how many attempts were made."""
        async with self.uow_factory() as uow:
            claimed = await handlers.handle_claim_due(
                handlers.ClaimDue(backend=self.sender.name, lease_s=self.settings.lease_s,
                                  limit=self.settings.dispatch_batch), uow, self.deps.clock)
        if claimed:
            deliveries = asyncio.gather(*(self._deliver(c) for c in claimed))
            try:
                await asyncio.shield(deliveries)
            except asyncio.CancelledError:
                # Stopping: let sends under way finish and be recorded (each is bounded by the send
                # timeout) rather than cut them off inside the send-then-record window.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(deliveries, self.settings.lease_s)
                raise
        return len(claimed)

    async def _deliver(self, claimed: Claimed) -> None:
        outcome = await handlers.attempt_delivery(claimed, self.sender, timeout_s=self.settings.send_timeout_s)
        if outcome.kind == "sent" and self.settings.test_pause_after_send_s:
            await asyncio.sleep(self.settings.test_pause_after_send_s)  # test hook: the crash window
        log.info("notification %s attempt %d: %s", claimed.id, claimed.attempt, outcome.kind,
                 extra=log_fields(notification_id=claimed.id, outcome=outcome.kind, error=outcome.error))
        delay = 0.1
        for attempt in range(8):
            try:
                async with self.uow_factory() as uow:
                    await handlers.handle_attempted(handlers.Attempted(claimed, outcome), uow, self.deps.clock,
                                                    backend=self.sender.name, policy=self.policy, rng=self.deps.rng)
                return
            except Exception as exc:  # noqa: BLE001 - transient database trouble is retried, the rest raised
                if not is_transient(exc) or attempt == 7:
                    # Left in ``sending``: once its lease runs out the row is recovered, and the
                    # recovery asks the backend first (see handlers), so this does not send twice
                    # where the backend can tell.
                    log.error("could not record the outcome of notification %s: %s", claimed.id, exc)
                    return
                await asyncio.sleep(delay + random.uniform(0, delay))
                delay = min(delay * 2, 5.0)

    async def run(self, runtime=None) -> None:
        """Forever: send what is due; sleep until woken or the poll interval passes."""
        delay = self.settings.poll_interval_s
        while True:
            try:
                busy = await self.run_once()
                delay = self.settings.poll_interval_s
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001
                if not is_transient(exc):
                    log.exception("notify dispatcher failed; retrying")
                else:
                    log.warning("notify dispatcher: %s; retrying in %.1fs", exc, delay)
                busy = 0
                delay = min(delay * 2 + random.uniform(0, 0.1), 5.0)
            if busy:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass
