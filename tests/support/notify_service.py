"""Run the notify service in-process against the real database and broker, and talk to it."""
from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, AsyncIterator

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.notify.app import create_app
from services.notify.config import NotifySettings
from shared.contracts import Message, SendNotification, decode

#: Fast group joins on Tansu (DESIGN §2) and fast polling, so the notify tests stay quick.
FAST = {"kafka_session_timeout_ms": 1000, "kafka_heartbeat_interval_ms": 200, "NOTIFY_POLL_INTERVAL_S": 0.05,
        "NOTIFY_RETRY_BASE_S": 0.1, "NOTIFY_RETRY_CAP_S": 0.5}
#: The same, as environment variables for a service in a subprocess.
FAST_ENV = {"KAFKA_SESSION_TIMEOUT_MS": "1000", "KAFKA_HEARTBEAT_INTERVAL_MS": "200", "NOTIFY_POLL_INTERVAL_S": "0.05",
            "NOTIFY_RETRY_BASE_S": "0.1", "NOTIFY_RETRY_CAP_S": "0.5"}


def notify_settings(database_url: str, **overrides: Any) -> NotifySettings:
    return NotifySettings(**{"NOTIFY_DATABASE_URL": database_url, **FAST, **overrides})


@contextlib.asynccontextmanager
async def running_notify(settings: NotifySettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://notify",
                                     headers={"x-internal-token": settings.internal_api_token}) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


def command(notification_id: str, *, to: str, template: str = "payer_claims_ready_for_payment",
            reference: str | None = "window-2026", **personalisation: str) -> SendNotification:
    values = personalisation or {"claim_count": "4", "link": "https://claimflow.example/links/pay-1",
                                 "link_expires_on": "2026-11-30"}
    return SendNotification(notification_id=notification_id, template=template, to=to, personalisation=values,
                            reference=reference)


async def publish(env: dict[str, str], *messages: Message, times: int = 1) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], acks="all")
    await producer.start()
    try:
        for _ in range(times):
            for m in messages:
                await producer.send_and_wait(env["KAFKA_TOPIC_PREFIX"] + m.topic, value=m.encode(), key=m.key.encode())
    finally:
        await producer.stop()


async def read_topic(env: dict[str, str], topic: str, *, until: int, timeout: float = 15,
                     settle: float = 0.0) -> list[Message]:
    """Read ``topic`` from the start until ``until`` messages arrived, then ``settle`` seconds more
    (to see that no more come)."""
    consumer = AIOKafkaConsumer(env["KAFKA_TOPIC_PREFIX"] + topic, bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"],
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found: list[Message] = []
    try:
        deadline = time.monotonic() + timeout
        settled_at: float | None = None
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=100)
            for records in batch.values():
                found.extend(decode(r.value) for r in records)
            if len(found) >= until:
                settled_at = settled_at or time.monotonic() + settle
                if time.monotonic() >= settled_at:
                    break
    finally:
        await consumer.stop()
    return found


async def eventually(check, timeout: float = 15, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = await check() if asyncio.iscoroutinefunction(check) else check()
            if result:
                return result
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


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

    return await eventually(check, timeout=timeout)
