"""Composition root of the claims service."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

import logging

from shared.contracts.topics import ACTIVITY_EVENTS, CLAIMS_EVENTS, NOTIFY_COMMANDS, ORGANISATIONS_EVENTS
from shared.platform.jobs import every
from shared.platform.service import ServiceRuntime, create_service_app, internal_auth

from . import api, handlers, schools_api, settings_api
from .config import ClaimsSettings
from .handlers import load_districts
from .ports import Deps
from .subscribers import consumers
from .tables import metadata
from .unit_of_work import ClaimsUnitOfWork

SERVICE_DIR = Path(__file__).parent
log = logging.getLogger(__name__)


def create_app(settings: ClaimsSettings | None = None, deps: Deps | None = None) -> FastAPI:
    settings = settings or ClaimsSettings()
    deps = deps or Deps()
    runtime = ServiceRuntime(settings=settings, metadata=metadata, database_url=settings.database_url,
                             publishes=(CLAIMS_EVENTS.name, ORGANISATIONS_EVENTS.name, ACTIVITY_EVENTS.name,
                                       NOTIFY_COMMANDS.name))

    def uow_factory() -> ClaimsUnitOfWork:
        return ClaimsUnitOfWork(runtime.sessionmaker)

    async def reminders(rt: ServiceRuntime) -> None:
        """Weekly invalid-provider reminders (docs/design.md §11); each due time is sent once (handler)."""
        async with uow_factory() as uow:
            sent = await handlers.handle_send_due_reminders(handlers.SendDueReminders(), uow, deps.clock,
                                                            base_url=settings.public_base_url)
        if sent:
            rt.relay.wake()
            log.info("sent invalid-provider reminders for %d claims", sent)

    runtime.consumers = consumers(settings, uow_factory, deps.clock)
    runtime.jobs.append(every(settings.reminder_interval_s, reminders, what="invalid-provider reminders", log=log))
    districts = load_districts(settings.regions_csv or None)
    routers = [module.build_router(uow_factory, deps, districts, internal_auth(settings))
               for module in (schools_api, settings_api)]
    routers.append(api.build_router(uow_factory, deps, districts, internal_auth(settings),
                                    base_url=settings.public_base_url))
    app = create_service_app(runtime, title="ClaimFlow claims (internal)", routers=routers)
    app.state.uow_factory = uow_factory
    return app
