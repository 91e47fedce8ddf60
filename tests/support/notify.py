"""The notify service run in-process against the real database and broker, and talking to it."""
from __future__ import annotations

import contextlib
from typing import Any, AsyncIterator

import httpx

from services.notify.app import create_app
from services.notify.config import NotifySettings
from shared.contracts import SendNotification
from tests.support.inprocess import in_process
from tests.support.messaging import eventually

#: Fast group joins on Tansu (docs/design.md §2) and fast polling, so the notify tests stay quick.
FAST = {"kafka_session_timeout_ms": 1000, "kafka_heartbeat_interval_ms": 200, "NOTIFY_POLL_INTERVAL_S": 0.05,
        "NOTIFY_RETRY_BASE_S": 0.1, "NOTIFY_RETRY_CAP_S": 0.5}
#: The same, as environment variables for a service in a subprocess.
FAST_ENV = {"KAFKA_SESSION_TIMEOUT_MS": "1000", "KAFKA_HEARTBEAT_INTERVAL_MS": "200", "NOTIFY_POLL_INTERVAL_S": "0.05",
            "NOTIFY_RETRY_BASE_S": "0.1", "NOTIFY_RETRY_CAP_S": "0.5"}


def notify_settings(database_url: str, **overrides: Any) -> NotifySettings:
    return NotifySettings(**{"NOTIFY_DATABASE_URL": database_url, **FAST, **overrides})


@contextlib.asynccontextmanager
async def running_notify(settings: NotifySettings) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process(create_app(settings), name="notify", token=settings.internal_api_token,
                          settings=settings) as client:
        yield client


def command(notification_id: str, *, to: str, template: str = "payer_claims_ready_for_payment",
            reference: str | None = "window-2026", **personalisation: str) -> SendNotification:
    values = personalisation or {"claim_count": "4", "link": "https://claimflow.example/links/pay-1",
                                 "link_expires_on": "2026-11-30"}
    return SendNotification(notification_id=notification_id, template=template, to=to, personalisation=values,
                            reference=reference)


async def notification(client: httpx.AsyncClient, notification_id: str) -> dict[str, Any]:
    r = await client.get(f"/internal/v1/notifications/{notification_id}")
    assert r.status_code == 200, r.text
    return r.json()


async def status_becomes(client: httpx.AsyncClient, notification_id: str, status: str,
                         timeout: float = 15) -> dict[str, Any]:
    async def check():
        r = await client.get(f"/internal/v1/notifications/{notification_id}")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status, r.json()
        return r.json()

    return await eventually(check, timeout=timeout, interval=0.05)
