"""Kafka adapters of the sampling service: topic → handler, nothing more."""
from __future__ import annotations

from typing import Callable

from shared.contracts.topics import CLAIMS_EVENTS, ORGANISATIONS_EVENTS
from shared.platform.consumer import Consumer
from shared.platform.settings import ServiceSettings

from .handlers import project_claim_submitted, project_provider, project_status_changed
from .handlers.projection import project_statuses_changed

PROJECTION = {"ClaimSubmitted": project_claim_submitted, "ClaimStatusChanged": project_status_changed,
              "ClaimStatusesChanged": project_statuses_changed, "ProviderRegistered": project_provider}


def _in_bulk(handler: Callable) -> Callable:
    # The projection handlers only queue rows (written at commit), so a run of them needs no
    # savepoint per message; a refused one makes the consumer fall back to one at a time.
    async def apply_all(messages, uow) -> None:
        mark = uow.projection.batch.mark()
        try:
            for message in messages:
                await handler(message, uow)
        except Exception:
            uow.projection.batch.reset(mark)  # the one-at-a-time fallback queues them again
            raise
    return apply_all


def consumers(settings: ServiceSettings, uow_factory: Callable) -> list[Consumer]:
    return [
        Consumer(group="sampling.projection", topics=(CLAIMS_EVENTS.name, ORGANISATIONS_EVENTS.name),
                 handlers=PROJECTION, bulk_handlers={name: _in_bulk(h) for name, h in PROJECTION.items()},
                 uow_factory=uow_factory, settings=settings),
    ]
