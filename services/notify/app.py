"""Composition root of the notify service."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from shared.contracts.topics import NOTIFY_EVENTS
from shared.platform.service import ServiceRuntime, create_service_app, internal_auth

from . import api
from .config import NotifySettings
from .dispatcher import Dispatcher
from .domain.templates import Catalogue
from .handlers import DLQ_TOPIC
from .ports import Deps, Sender
from .senders import build_sender
from .subscribers import consumers
from .tables import metadata
from .unit_of_work import NotifyUnitOfWork

SERVICE_DIR = Path(__file__).parent
TEMPLATES_DIR = SERVICE_DIR / "templates"


def load_catalogue(directory: Path = TEMPLATES_DIR) -> Catalogue:
    """Every ``*.md`` / ``*.txt`` file of ``directory`` is one template, named after the file."""
    files = [p for p in sorted(directory.iterdir()) if p.suffix in (".md", ".txt") and p.stem.upper() != "README"]
    return Catalogue.from_texts({p.stem: p.read_text(encoding="utf-8") for p in files})


def create_app(settings: NotifySettings | None = None, deps: Deps | None = None,
               sender: Sender | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    deps = deps or Deps()
    runtime = ServiceRuntime(settings=settings, metadata=metadata, database_url=settings.database_url,
                             publishes=(NOTIFY_EVENTS.name, DLQ_TOPIC))

    def uow_factory() -> NotifyUnitOfWork:
        return NotifyUnitOfWork(runtime.sessionmaker)

    catalogue = load_catalogue()
    service_wide = {"product_name": settings.product_name, "support_email": settings.support_email}
    sender = sender or build_sender(settings, runtime.sessionmaker)
    dispatcher = Dispatcher(uow_factory=uow_factory, sender=sender, settings=settings, deps=deps)
    runtime.consumers = consumers(settings, uow_factory, catalogue=catalogue, service_wide=service_wide, deps=deps,
                                  wake=dispatcher.wake)
    runtime.jobs.append(dispatcher.run)
    router = api.build_router(uow_factory, internal_auth(settings))
    app = create_service_app(runtime, title="ClaimFlow notify (internal)", routers=[router])
    app.state.uow_factory = uow_factory
    app.state.dispatcher = dispatcher
    return app
