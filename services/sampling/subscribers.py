"""Kafka adapters of the sampling service: topic → handler, nothing more."""
from __future__ import annotations

from typing import Callable

from shared.contracts.topics import CLAIMS_EVENTS, ORGANISATIONS_EVENTS
from shared.platform.consumer import Consumer
from shared.platform.settings import ServiceSettings

from .handlers import (handle_claim_submitted, handle_provider_registered, handle_status_changed,
                       handle_statuses_changed)

#: The projection handlers read no clock (the rows keep the events' own values), so the consumer
#: calls them as (message, uow).
PROJECTION = {"ClaimSubmitted": handle_claim_submitted, "ClaimStatusChanged": handle_status_changed,
              "ClaimStatusesChanged": handle_statuses_changed, "ProviderRegistered": handle_provider_registered}


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
