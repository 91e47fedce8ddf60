"""Kafka adapters of the claims service: topic → handler, nothing more."""
from __future__ import annotations

from functools import partial
from typing import Callable

from shared.contracts.topics import ACTIVITY_EVENTS, CLAIMS_EVENTS, PAYMENTS_EVENTS, SAMPLING_EVENTS
from shared.platform.consumer import Consumer
from shared.platform.messaging import known_partitions, topic_name
from shared.platform.settings import ServiceSettings

from .bulk import ItemDeadLetters, apply_claims_sampled, apply_sampled_in_bulk
from .handlers import FACTS, apply_fact, record_activities, record_activity

STATUS_GROUP = "claims.status"


def consumers(settings: ServiceSettings, uow_factory: Callable) -> list[Consumer]:
    # A batch applies in one statement whether it comes alone or in a run; refused claims of it
    # are dead-lettered one by one by the handler itself (services/claims/bulk.py).
    # The resulting changes go out as batches per partition of the claims topic once the runtime
    # has read its partition count at start.
    batches = partial(apply_claims_sampled, dead_letters=ItemDeadLetters(
        group=STATUS_GROUP, original_topic=topic_name(settings, SAMPLING_EVENTS.name)),
        events_partitions=partial(known_partitions, topic_name(settings, CLAIMS_EVENTS.name)))

    async def one_batch(message, uow) -> None:
        await batches([message], uow)

    return [
        Consumer(group=STATUS_GROUP, topics=(SAMPLING_EVENTS.name, PAYMENTS_EVENTS.name),
                 handlers={**{fact.__name__: apply_fact for fact in FACTS}, "ClaimsSampled": one_batch},
                 uow_factory=uow_factory, settings=settings,
                 bulk_handlers={"ClaimSampled": apply_sampled_in_bulk, "ClaimsSampled": batches}),
        Consumer(group="claims.activity", topics=(ACTIVITY_EVENTS.name,),
                 handlers={"ActivityRecorded": record_activity}, uow_factory=uow_factory, settings=settings,
                 bulk_handlers={"ActivityRecorded": record_activities}),
    ]
