"""Talking to the broker and waiting in tests: publish messages, read a topic from its start, read
what a service's outbox holds, and poll a check until it holds. One copy of each for every service's tests; the defaults are the
claims tests' (20 s, polling every 0.1 s) and a caller that needs other timings passes them."""
from __future__ import annotations

import asyncio
import inspect
import json
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.contracts import Message, decode


def settings_kwargs(env: dict[str, str]) -> dict[str, str]:
    """Isolation settings for a service built in-process (field names are the lower-cased variables)."""
    return {k.lower(): v for k, v in env.items()}


async def publish(env: dict[str, str], *messages: Message, times: int = 1) -> None:
    """Publish ``messages`` (each ``times`` times, in order) on the test's own topics."""
    producer = AIOKafkaProducer(bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], acks="all")
    await producer.start()
    try:
        for _ in range(times):
            for m in messages:
                await producer.send_and_wait(env["KAFKA_TOPIC_PREFIX"] + m.topic, value=m.encode(), key=m.key.encode())
    finally:
        await producer.stop()


async def read_topic(env: dict[str, str], topic: str, *, until: int, timeout: float = 20,
                     settle: float = 0.0) -> list[Message]:
    """Read ``topic`` from the start until ``until`` messages arrived (or ``timeout`` passed), then
    ``settle`` seconds more (to see that no more come)."""
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


async def outbox_payloads(database_url: str, type_: str) -> list[dict]:
    """The payloads of the ``type_`` messages in the outbox of the database at ``database_url``, in
    the order they were written."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT payload::text FROM outbox WHERE type = :t ORDER BY id"),
                                       {"t": type_})).scalars().all()
    finally:
        await engine.dispose()
    return [json.loads(r) for r in rows]


async def eventually(check, timeout: float = 20, interval: float = 0.1):
    """Call ``check`` (plain or async) until it returns something truthy, and return that. An
    AssertionError it raises counts as "not yet" until ``timeout``, then is raised."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
