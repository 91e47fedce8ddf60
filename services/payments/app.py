"""Composition root of the payments process: school payments and clawbacks, and the ECF engine
(``services.payments.ecf``), attached here by name, on one database and one outbox."""
from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from fastapi import APIRouter, FastAPI

from shared.contracts.topics import ACTIVITY_EVENTS, ECF_EVENTS, NOTIFY_COMMANDS, PAYMENTS_EVENTS
from shared.platform.service import ServiceRuntime, create_service_app, internal_auth

from . import api
from . import tables as _tables  # noqa: F401  (defines the school payment tables on the metadata)
from .config import PaymentsSettings
from .ecf import api as ecf_api
from .ecf import tables as _ecf_tables  # noqa: F401  (defines the ECF tables on the same metadata)
from .ecf.jobs import deadline_job
from .ecf.unit_of_work import EcfUnitOfWork
from .metadata import metadata
from .ports import Clock, Deps, Payer
from .subscribers import consumers
from .unit_of_work import PaymentsUnitOfWork

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
    ecf = _attach_ecf(runtime, clock=deps.clock, auth=auth, contract_managers=settings.contract_manager_addresses)
    routers = [api.build_router(uow_factory, deps, auth), ecf]
    app = create_service_app(runtime, title="ClaimFlow payments (internal)", routers=routers)
    app.state.uow_factory = uow_factory
    app.state.deps = deps
    return app


def _attach_ecf(runtime: ServiceRuntime, *, clock: Clock, auth,
                contract_managers: tuple[str, ...] = ()) -> APIRouter:
    """The ECF engine in this process: its finance and lead provider API, and its deadline job, on
    the payments database (its own tables, the shared outbox)."""

    def ecf_uow() -> EcfUnitOfWork:
        return EcfUnitOfWork(runtime.sessionmaker)

    runtime.jobs.append(deadline_job(ecf_uow, clock, contract_managers=contract_managers))
    return ecf_api.build_router(ecf_uow, clock, auth)
