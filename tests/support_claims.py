"""Helpers to run the claims service in-process against the real database and broker."""
from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from datetime import date, datetime, timezone
from typing import Any, AsyncIterator

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.claims.app import create_app
from services.claims.config import ClaimsSettings
from services.claims.ports import Deps, FixedClock
from shared.contracts import Message, decode

def settings_kwargs(env: dict[str, str]) -> dict[str, str]:
    """Isolation settings for a service built in-process (field names are the lower-cased variables)."""
    return {k.lower(): v for k, v in env.items()}


SUPPORT = {"x-actor-email": "support@example.com", "x-actor-role": "support"}


def school_headers(urn: str) -> dict[str, str]:
    return {"x-actor-email": f"head@{urn}.example", "x-actor-role": "school", "x-actor-school": urn}


@contextlib.asynccontextmanager
async def running_claims(infra, env: dict[str, str], *, today: date = date(2026, 11, 23),
                         database_url: str | None = None) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    url = database_url or await infra.database("claims")
    settings = ClaimsSettings(**settings_kwargs(env), CLAIMS_DATABASE_URL=url)
    deps = Deps(clock=FixedClock(datetime.combine(today, datetime.min.time(), tzinfo=timezone.utc).replace(hour=10)),
                rng=random.Random(7))
    app = create_app(settings, deps)
    async with app.router.lifespan_context(app):
        headers = {"x-internal-token": settings.internal_api_token}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://claims",
                                     headers=headers) as client:
            client.settings = settings  # type: ignore[attr-defined]
            client.app = app  # type: ignore[attr-defined]
            yield client, app


SCHOOLS_CSV = (
    "urn,name,postcode,local_authority,type_of_establishment,region,group,district_code\n"
    "100001,Hackney Primary,E8 1AA,Hackney,Community school,Inner London,,\n"
    "100002,Barnet Academy,EN5 1AA,Barnet,Academy converter,,Northern Trust,E09000003\n"
    "100003,Leeds High,LS1 1AA,Leeds,Academy converter,Rest of England,Northern Trust,\n"
    "100004,Slough Juniors,SL1 1AA,Slough,Foundation school,,,E06000039\n"
)


async def setup_organisations(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.post("/internal/v1/schools/import", headers=SUPPORT,
                          files={"file": ("schools.csv", SCHOOLS_CSV.encode(), "text/csv")})
    assert r.status_code == 200, r.text
    r = await client.post("/internal/v1/providers", headers=SUPPORT,
                          json={"name": "Best Practice Network", "code": "BPN", "email_addresses": ["audit@bpn.example"]})
    assert r.status_code == 201, r.text
    provider = r.json()
    r = await client.post("/internal/v1/claim-windows", headers=SUPPORT,
                          json={"starts_on": "2026-09-01", "ends_on": "2027-07-31", "academic_year": "2026/27"})
    assert r.status_code == 201, r.text
    return {"provider": provider, "window": r.json()}


async def submit(client, urn: str, provider_id: str, mentors: list[tuple[str, str, int]]) -> httpx.Response:
    return await client.post("/internal/v1/claims", headers=school_headers(urn), json={
        "school_urn": urn, "provider_id": provider_id,
        "mentors": [{"trn": t, "full_name": n, "hours": h} for t, n, h in mentors]})


async def publish(env: dict[str, str], *messages: Message, times: int = 1) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], acks="all")
    await producer.start()
    try:
        for _ in range(times):
            for m in messages:
                await producer.send_and_wait(env["KAFKA_TOPIC_PREFIX"] + m.topic, m.encode(), key=m.key.encode())
    finally:
        await producer.stop()


async def read_topic(env: dict[str, str], topic: str, *, until: int, timeout: float = 20) -> list[Message]:
    """Read ``topic`` from the beginning until ``until`` messages arrived (or time out)."""
    consumer = AIOKafkaConsumer(env["KAFKA_TOPIC_PREFIX"] + topic, bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"],
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found: list[Message] = []
    try:
        deadline = time.monotonic() + timeout
        while len(found) < until and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                found.extend(decode(r.value) for r in records)
    finally:
        await consumer.stop()
    return found


async def eventually(check, timeout: float = 20, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = await check()
            if result:
                return result
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
