"""Kafka adapters of the claims service: topic → handler, nothing more."""
from __future__ import annotations

from typing import Callable

from shared.contracts.topics import ACTIVITY_EVENTS, PAYMENTS_EVENTS, SAMPLING_EVENTS
from shared.platform.messaging import Consumer
from shared.platform.settings import ServiceSettings

from .bulk import apply_sampled_in_bulk
from .handlers import FACTS, apply_fact, record_activities, record_activity


def consumers(settings: ServiceSettings, uow_factory: Callable) -> list[Consumer]:
    return [
        Consumer(group="claims.status", topics=(SAMPLING_EVENTS.name, PAYMENTS_EVENTS.name),
                 handlers={fact.__name__: apply_fact for fact in FACTS}, uow_factory=uow_factory,
                 settings=settings, bulk_handlers={"ClaimSampled": apply_sampled_in_bulk}),
        Consumer(group="claims.activity", topics=(ACTIVITY_EVENTS.name,),
                 handlers={"ActivityRecorded": record_activity}, uow_factory=uow_factory, settings=settings,
                 bulk_handlers={"ActivityRecorded": record_activities}),
    ]
