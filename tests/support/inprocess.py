"""What every ``running_*`` set-up shares: a service app started for one test and stopped after it.

``in_process`` runs the app's lifespan (database pool, outbox relay and consumers when messaging is
on) and yields an httpx client that calls it without a socket, carrying the internal API token as
the gateway does. ``serve`` runs an app on a free local port instead, for a test that needs real HTTP
between services (the gateway calling claims)."""
from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime, timezone
from typing import Any, AsyncIterator

import httpx
import uvicorn

from claimflow.runtime import free_port


def at(day: date, hour: int = 10) -> datetime:
    """``day`` at ``hour`` o'clock UTC: the time a test's fixed clock shows."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


@contextlib.asynccontextmanager
async def in_process(app: Any, *, name: str, token: str, **attributes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Start ``app``, yield a client for it at ``http://<name>``; ``attributes`` (settings, clock…)
    are set on the client, beside ``app``, for tests that reach behind the API."""
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}",
                                     headers={"x-internal-token": token}) as client:
            client.app = app  # type: ignore[attr-defined]
            for key, value in attributes.items():
                setattr(client, key, value)
            yield client


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Run ``app`` with uvicorn in this process on a free port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                           lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
