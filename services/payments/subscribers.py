"""Kafka adapters of school payments: topic → handler, nothing more."""
from __future__ import annotations

from typing import Callable

from shared.contracts.topics import CLAIMS_EVENTS, SAMPLING_EVENTS
from shared.platform.consumer import Consumer
from shared.platform.settings import ServiceSettings

from .handlers import (handle_claim_status_batches, handle_claim_status_changed, handle_claim_statuses_changed,
                       handle_claim_submitted, handle_claims_submitted, handle_provider_response)


def _one(bulk: Callable) -> Callable:
    async def handle(message, uow) -> None:
        await bulk([message], uow)
    return handle


def consumers(settings: ServiceSettings, uow_factory: Callable) -> list[Consumer]:
    # The projection handlers read no clock (the rows keep the events' own values), so the consumer
    # calls them as (message, uow).
    return [
        Consumer(group="payments.projection", topics=(CLAIMS_EVENTS.name, SAMPLING_EVENTS.name),
                 handlers={"ClaimSubmitted": handle_claim_submitted, "ClaimStatusChanged": handle_claim_status_changed,
                           "ClaimStatusesChanged": _one(handle_claim_status_batches),
                           "ProviderResponseRecorded": handle_provider_response},
                 uow_factory=uow_factory, settings=settings,
                 bulk_handlers={"ClaimSubmitted": handle_claims_submitted,
                                "ClaimStatusChanged": handle_claim_statuses_changed,
                                "ClaimStatusesChanged": handle_claim_status_batches}),
    ]
