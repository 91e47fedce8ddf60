"""Command-line administration of the ECF engine (``claimflow lead-providers add --name N``)."""
from __future__ import annotations

import uuid

from shared.platform.db import make_engine, make_sessionmaker

from .handlers import add_lead_provider as _add_lead_provider
from .handlers import new_api_token
from .unit_of_work import EcfUnitOfWork


async def add_lead_provider(database_url: str, *, name: str, email: str | None = None) -> dict:
    """Create a lead provider; returns {"id", "name", "email", "api_token"}. The token is shown this
    once: the database keeps only its SHA-256."""
    engine = make_engine(database_url, pool_size=1)
    try:
        async with EcfUnitOfWork(make_sessionmaker(engine)) as uow:
            return await _add_lead_provider(uow, new_id=str(uuid.uuid4()), name=name, api_token=new_api_token(),
                                             email=email)
    finally:
        await engine.dispose()
