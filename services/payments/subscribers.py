"""Kafka adapters of school payments: topic → handler, nothing more."""
from __future__ import annotations

from typing import Callable

from shared.contracts.topics import CLAIMS_EVENTS, SAMPLING_EVENTS
from shared.platform.consumer import Consumer
from shared.platform.settings import ServiceSettings

from .handlers import on_claim_status_changed, on_claim_submitted, on_provider_response
from .handlers.projection import on_claim_status_batches, on_claim_statuses_changed, on_claims_submitted


def _one(bulk: Callable) -> Callable:
    async def handle(message, uow) -> None:
        await bulk([message], uow)
    return handle


def consumers(settings: ServiceSettings, uow_factory: Callable) -> list[Consumer]:
    return [
        Consumer(group="payments.projection", topics=(CLAIMS_EVENTS.name, SAMPLING_EVENTS.name),
                 handlers={"ClaimSubmitted": on_claim_submitted, "ClaimStatusChanged": on_claim_status_changed,
                           "ClaimStatusesChanged": _one(on_claim_status_batches),
                           "ProviderResponseRecorded": on_provider_response},
                 uow_factory=uow_factory, settings=settings,
                 bulk_handlers={"ClaimSubmitted": on_claims_submitted, "ClaimStatusChanged": on_claim_statuses_changed,
                                "ClaimStatusesChanged": on_claim_status_batches}),
    ]
