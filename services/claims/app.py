"""Composition root of the claims service."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from shared.contracts.topics import ACTIVITY_EVENTS, CLAIMS_EVENTS, ORGANISATIONS_EVENTS
from shared.platform.service import ServiceRuntime, create_service_app, internal_auth

from . import api, schools_api, settings_api
from .config import ClaimsSettings
from .handlers import load_districts
from .ports import Deps
from .subscribers import consumers
from .tables import metadata
from .unit_of_work import ClaimsUnitOfWork

SERVICE_DIR = Path(__file__).parent


def create_app(settings: ClaimsSettings | None = None, deps: Deps | None = None) -> FastAPI:
    settings = settings or ClaimsSettings()
    deps = deps or Deps()
    runtime = ServiceRuntime(settings=settings, metadata=metadata, database_url=settings.database_url,
                             publishes=(CLAIMS_EVENTS.name, ORGANISATIONS_EVENTS.name, ACTIVITY_EVENTS.name))

    def uow_factory() -> ClaimsUnitOfWork:
        return ClaimsUnitOfWork(runtime.sessionmaker)

    runtime.consumers = consumers(settings, uow_factory, deps.clock)
    districts = load_districts(settings.regions_csv or None)
    routers = [module.build_router(uow_factory, deps, districts, internal_auth(settings))
               for module in (schools_api, settings_api, api)]
    app = create_service_app(runtime, title="ClaimFlow claims (internal)", routers=routers)
    app.state.uow_factory = uow_factory
    return app
