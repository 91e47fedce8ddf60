"""Composition root of the sampling service."""
from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI

from shared.contracts.topics import ACTIVITY_EVENTS, NOTIFY_COMMANDS, SAMPLING_EVENTS
from shared.platform.jobs import every
from shared.platform.service import ServiceRuntime, create_service_app, internal_auth

from . import api, handlers, provider_api
from .config import SamplingSettings
from .ports import Deps
from .subscribers import consumers
from .tables import metadata
from .unit_of_work import SamplingUnitOfWork

SERVICE_DIR = Path(__file__).parent
log = logging.getLogger(__name__)


def create_app(settings: SamplingSettings | None = None, deps: Deps | None = None) -> FastAPI:
    settings = settings or SamplingSettings()
    deps = deps or Deps()
    runtime = ServiceRuntime(settings=settings, metadata=metadata, database_url=settings.database_url,
                             publishes=(SAMPLING_EVENTS.name, ACTIVITY_EVENTS.name, NOTIFY_COMMANDS.name))

    def uow_factory() -> SamplingUnitOfWork:
        return SamplingUnitOfWork(runtime.sessionmaker)

    async def reminders(rt: ServiceRuntime) -> None:
        """Send the reminders that are due (docs/design.md §12), looking every minute by default; each
        due day's reminders go once across restarts and replicas (``handlers.reminders``)."""
        async with uow_factory() as uow:
            sent = await handlers.handle_send_reminders(handlers.SendReminders(), uow, deps.clock)
        if sent:
            rt.relay.wake()
            log.info("sent sampling reminders to %d providers and schools", sent)

    runtime.consumers = consumers(settings, uow_factory)
    runtime.jobs.append(every(settings.reminder_interval_s, reminders, what="sampling reminders", log=log))
    router = api.build_router(uow_factory, deps, settings, internal_auth(settings))
    providers_router = provider_api.build_provider_router(uow_factory, deps, internal_auth(settings))
    app = create_service_app(runtime, title="ClaimFlow sampling (internal)", routers=[router, providers_router])
    app.state.uow_factory = uow_factory
    app.state.deps = deps
    return app
