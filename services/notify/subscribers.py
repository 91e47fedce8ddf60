"""Kafka adapters of the notify service: topic → handler, nothing more."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from shared.contracts.topics import NOTIFY_COMMANDS
from shared.platform.consumer import Consumer
from shared.platform.settings import ServiceSettings

from .domain.templates import Catalogue
from .handlers import SEND_GROUP, handle_send_notification
from .ports import Deps


@dataclass
class WakingConsumer(Consumer):
    """A consumer that tells the dispatcher once a batch has committed, so new emails go out at once
    instead of at the next poll."""

    after_commit: Callable[[], None] | None = None

    async def handle_records(self, records) -> None:
        await super().handle_records(records)
        if self.after_commit is not None:
            self.after_commit()


def consumers(settings: ServiceSettings, uow_factory: Callable, *, catalogue: Catalogue,
              service_wide: Mapping[str, str], deps: Deps, wake: Callable[[], None]) -> list[Consumer]:
    async def on_send_notification(message, uow) -> None:
        await handle_send_notification(message, uow, deps.clock, catalogue=catalogue, service_wide=service_wide)

    return [WakingConsumer(group=SEND_GROUP, topics=(NOTIFY_COMMANDS.name,),
                           handlers={"SendNotification": on_send_notification}, uow_factory=uow_factory,
                           settings=settings, after_commit=wake)]
