"""Composition root of the payments process: school payments and clawbacks, and the ECF engine
(``services.payments.ecf``) when it is installed, on one database and one outbox."""
from __future__ import annotations

import dataclasses
import importlib.util
import inspect
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from fastapi import APIRouter, FastAPI

from shared.contracts.topics import ACTIVITY_EVENTS, ECF_EVENTS, NOTIFY_COMMANDS, PAYMENTS_EVENTS
from shared.platform.service import ServiceRuntime, create_service_app, internal_auth

from . import api
from .config import PaymentsSettings
from .metadata import metadata
from .ports import Deps, Payer
from .subscribers import consumers
from .unit_of_work import PaymentsUnitOfWork
from . import tables as _tables  # noqa: F401  (defines the school payment tables on the metadata)

SERVICE_DIR = Path(__file__).parent


def create_app(settings: PaymentsSettings | None = None, deps: Deps | None = None) -> FastAPI:
    settings = settings or PaymentsSettings()
    deps = dataclasses.replace(deps or Deps(), payer=Payer(
        addresses=settings.payer_addresses, public_base_url=settings.public_base_url,
        link_lifetime=timedelta(days=settings.link_lifetime_days)))
    runtime = ServiceRuntime(settings=settings, metadata=metadata, database_url=settings.database_url,
                             publishes=(PAYMENTS_EVENTS.name, ACTIVITY_EVENTS.name, NOTIFY_COMMANDS.name,
                                        ECF_EVENTS.name))

    def uow_factory() -> PaymentsUnitOfWork:
        return PaymentsUnitOfWork(runtime.sessionmaker)

    auth = internal_auth(settings)
    runtime.consumers = consumers(settings, uow_factory)
    routers = [api.build_router(uow_factory, deps, auth)]
    ecf = _ecf(runtime, available={"uow_source": runtime.sessionmaker, "sessionmaker": runtime.sessionmaker,
                                   "clock": deps.clock, "auth": auth, "settings": settings})
    if ecf is not None:
        routers.append(ecf)
    app = create_service_app(runtime, title="ClaimFlow payments (internal)", routers=routers)
    app.state.uow_factory = uow_factory
    app.state.deps = deps
    return app


def _call(function: Callable[..., Any], available: dict[str, Any]) -> Any:
    """Call ``function`` with the values it names (the ECF module's factories pick what they need)."""
    params = inspect.signature(function).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return function(**available)
    return function(**{name: value for name, value in available.items() if name in params})


def _ecf(runtime: ServiceRuntime, *, available: dict[str, Any]) -> APIRouter | None:
    """The ECF engine's router (``services.payments.ecf.api.build_router``) and its deadline job
    (``services.payments.ecf.handlers.deadline_job``), when that module is installed."""
    if importlib.util.find_spec("services.payments.ecf.api") is None:
        return None
    from services.payments.ecf import api as ecf_api

    router = _call(ecf_api.build_router, available)
    ecf_handlers = importlib.import_module("services.payments.ecf.handlers")
    if hasattr(ecf_handlers, "deadline_job"):
        from services.payments.ecf.unit_of_work import EcfUnitOfWork

        def ecf_uow() -> EcfUnitOfWork:
            return EcfUnitOfWork(runtime.sessionmaker)

        runtime.jobs.append(_call(ecf_handlers.deadline_job, {**available, "uow_factory": ecf_uow}))
    return router
