"""Kafka adapters of the sampling service: topic → handler, nothing more."""
from __future__ import annotations

from typing import Callable

from shared.contracts.topics import CLAIMS_EVENTS, ORGANISATIONS_EVENTS
from shared.platform.messaging import Consumer
from shared.platform.settings import ServiceSettings

from .handlers import project_claim_submitted, project_provider, project_status_changed


def consumers(settings: ServiceSettings, uow_factory: Callable) -> list[Consumer]:
    return [
        Consumer(group="sampling.projection", topics=(CLAIMS_EVENTS.name, ORGANISATIONS_EVENTS.name),
                 handlers={"ClaimSubmitted": project_claim_submitted, "ClaimStatusChanged": project_status_changed,
                           "ProviderRegistered": project_provider},
                 uow_factory=uow_factory, settings=settings),
    ]
