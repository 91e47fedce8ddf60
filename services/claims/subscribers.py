"""Kafka adapters of the claims service: topic → handler, nothing more."""
from __future__ import annotations

from functools import partial
from typing import Callable

from shared.contracts.topics import ACTIVITY_EVENTS, CLAIMS_EVENTS, ECF_EVENTS, PAYMENTS_EVENTS, SAMPLING_EVENTS
from shared.platform.consumer import Consumer
from shared.platform.messaging import known_partitions, topic_name
from shared.platform.settings import ServiceSettings

from .handlers import (FACTS, ItemDeadLetters, handle_activities, handle_activity, handle_claims_sampled,
                       handle_ecf_mentor_registered, handle_fact, handle_sampled_in_bulk)
from .ports import Clock

STATUS_GROUP = "claims.status"


def consumers(settings: ServiceSettings, uow_factory: Callable, clock: Clock) -> list[Consumer]:
    # A batch applies in one statement whether it comes alone or in a run; refused claims of it
    # are dead-lettered one by one by the handler itself (handlers/sampled.py).
    # The resulting changes go out as batches per partition of the claims topic once the runtime
    # has read its partition count at start.
    dead_letters = ItemDeadLetters(group=STATUS_GROUP, original_topic=topic_name(settings, SAMPLING_EVENTS.name))
    events_partitions = partial(known_partitions, topic_name(settings, CLAIMS_EVENTS.name))

    async def batches(messages, uow) -> None:
        await handle_claims_sampled(messages, uow, clock, dead_letters=dead_letters,
                                    events_partitions=events_partitions)

    async def one_batch(message, uow) -> None:
        await batches([message], uow)

    async def fact(message, uow) -> None:
        await handle_fact(message, uow, clock)

    async def sampled_in_bulk(messages, uow) -> None:
        await handle_sampled_in_bulk(messages, uow, clock)

    async def activity(message, uow) -> None:
        await handle_activity(message, uow, clock)

    async def activities(messages, uow) -> None:
        await handle_activities(messages, uow, clock)

    async def ecf_mentor(message, uow) -> None:
        await handle_ecf_mentor_registered(message, uow, clock)

    return [
        Consumer(group=STATUS_GROUP, topics=(SAMPLING_EVENTS.name, PAYMENTS_EVENTS.name),
                 handlers={**{f.__name__: fact for f in FACTS}, "ClaimsSampled": one_batch},
                 uow_factory=uow_factory, settings=settings,
                 bulk_handlers={"ClaimSampled": sampled_in_bulk, "ClaimsSampled": batches}),
        Consumer(group="claims.activity", topics=(ACTIVITY_EVENTS.name,),
                 handlers={"ActivityRecorded": activity}, uow_factory=uow_factory, settings=settings,
                 bulk_handlers={"ActivityRecorded": activities}),
        # ECF mentors' TRNs, for the warning on the school's "Check your answers" (docs/design.md §11).
        Consumer(group="claims.ecf", topics=(ECF_EVENTS.name,), handlers={"EcfMentorRegistered": ecf_mentor},
                 uow_factory=uow_factory, settings=settings),
    ]
