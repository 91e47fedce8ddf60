"""Composition helpers: every service process is one FastAPI app (internal API, health, metrics)
whose lifespan starts the database engine, the Kafka consumers and the outbox relay."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from datetime import datetime, timedelta, timezone
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable, Sequence

from fastapi import APIRouter, FastAPI, Header, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from aiokafka import ConsumerRebalanceListener
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts import NotFound, Refused

from . import metrics
from .db import make_engine, make_sessionmaker
from .heap import settle_heap
from .logging import correlation_id
from .consumer import Consumer
from .messaging import ensure_topics, group_name, topic_name
from .relay import OutboxRelay
from .settings import ServiceSettings
from .uow import on_events_committed
from .validation_errors import plain_errors

log = logging.getLogger(__name__)


@dataclass
class ServiceRuntime:
    """What a service process runs besides its HTTP routes."""

    settings: ServiceSettings
    metadata: MetaData
    database_url: str
    consumers: list[Consumer] = field(default_factory=list)
    #: Topics this service publishes to (created at start with the configured partitions).
    publishes: Sequence[str] = ()
    #: Extra background jobs: async callables run until the service stops.
    jobs: list[Callable[["ServiceRuntime"], Awaitable[None]]] = field(default_factory=list)
    engine: AsyncEngine | None = None
    sessionmaker: Any = None
    relay: OutboxRelay | None = None
    broker: KafkaBroker | None = None
    _tasks: list[asyncio.Task] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.engine = make_engine(self.database_url, pool_size=self.settings.db_pool_size)
        self.sessionmaker = make_sessionmaker(self.engine)
        self.relay = OutboxRelay(engine=self.engine, outbox=self.metadata.tables["outbox"],
                                 settings=self.settings)
        # A commit that wrote outbox rows wakes the relay: events leave at once, and the relay's
        # idle poll (for rows other processes wrote) can be slow and cheap.
        on_events_committed(self.engine, self.relay.wake)

    def build_broker(self) -> KafkaBroker:
        # A short metadata age lets consumers notice topics re-created after a broker lost its data.
        broker = KafkaBroker(self.settings.kafka_bootstrap_servers, logger=None, metadata_max_age_ms=5000,
                             client_id=self.settings.service_name,
                             description=f"ClaimFlow {self.settings.service_name} service")
        for consumer in self.consumers:
            attach_consumer(broker, consumer)
        return broker

    async def start(self) -> None:
        if not self.settings.run_messaging:
            return
        topics = {*self.publishes}
        for consumer in self.consumers:
            topics.update(consumer.topics)
            topics.add(f"dlq.{consumer.group}")
        self._topics = [topic_name(self.settings, t) for t in sorted(topics)]
        self._marker = topic_name(self.settings, f"claimflow.epoch.{self.settings.service_name}.{uuid.uuid4().hex[:12]}")
        await _retry("create topics", lambda: ensure_topics(self.settings, [*self._topics, self._marker]))
        await self.relay.start()
        if self.settings.outbox_republish_since:
            count = await _retry("republish outbox", lambda: self.relay.republish_since(
                self.settings.outbox_republish_since))
            log.info("re-published %d outbox events since %s", count, self.settings.outbox_republish_since)
        self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        if self.consumers:
            self.broker = self.build_broker()
            await self.broker.start()
        for job in self.jobs:
            self._tasks.append(asyncio.create_task(job(self), name=getattr(job, "__name__", "job")))
        if self.settings.broker_loss_watch:
            self._tasks.append(asyncio.create_task(self._watch_broker(), name="broker-watch"))
        settle_heap()

    async def _watch_broker(self) -> None:
        """Notice a broker that came back without its data (the embedded broker keeps messages in
        memory) and recover by itself: re-create topics, rejoin the consumer groups reading every
        partition from the beginning (committed offsets are gone or stale; consumers are
        idempotent), and re-publish the outbox rows still kept. This instance's marker topic is
        never read or written by anyone, so its absence means the broker lost its data."""
        from aiokafka.admin import AIOKafkaAdminClient

        admin = None
        while True:
            await asyncio.sleep(self.settings.broker_watch_interval_s)
            try:
                if admin is None:
                    admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap_servers)
                    await admin.start()
                present = set(await asyncio.wait_for(admin.list_topics(), 5))
            except asyncio.CancelledError:
                if admin is not None:
                    await admin.close()
                raise
            except Exception as exc:  # noqa: BLE001 - broker away: keep watching
                log.info("broker watch: broker unavailable (%s)", type(exc).__name__)
                if admin is not None:
                    with contextlib.suppress(Exception):
                        await admin.close()
                admin = None
                continue
            if self._marker in present:
                continue
            log.warning("the broker lost its data: re-creating topics, re-reading and re-publishing")
            metrics.BROKER_RECOVERIES.labels(self.settings.service_name).inc()
            try:
                await ensure_topics(self.settings, [*self._topics, self._marker])
                for consumer in self.consumers:
                    consumer.rewind_on_assignment = True
                if self.broker is not None:
                    await self.broker.stop()
                    self.broker = self.build_broker()
                    await self.broker.start()
                since = datetime.now(timezone.utc) - timedelta(hours=self.settings.outbox_retention_hours)
                count = await self.relay.republish_since(since)
                log.warning("recovered from broker data loss: re-published %d outbox events", count)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - try again at the next tick
                log.error("recovery from broker data loss failed: %s; retrying", exc)
                with contextlib.suppress(Exception):
                    await admin.delete_topics([self._marker])

    async def stop(self) -> None:
        for task in self._tasks:
            if task.get_name() == "broker-watch":
                task.cancel()
        if self.broker is not None:
            await self.broker.stop()
        if getattr(self, "_marker", None):
            with contextlib.suppress(Exception):
                from aiokafka.admin import AIOKafkaAdminClient
                admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap_servers)
                await asyncio.wait_for(admin.start(), 3)
                await asyncio.wait_for(admin.delete_topics([self._marker]), 3)
                await admin.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.relay is not None and self.settings.run_messaging:
            await self.relay.stop()
        await self.engine.dispose()

    async def ready(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            async with self.engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), 2)
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported, not swallowed
            checks["database"] = f"unavailable: {type(exc).__name__}"
        if self.settings.run_messaging:
            try:
                if self.relay.producer is None:
                    raise RuntimeError("not started")
                await asyncio.wait_for(self.relay.producer.client.fetch_all_metadata(), 2)
                checks["broker"] = "ok"
            except Exception as exc:  # noqa: BLE001
                checks["broker"] = f"unavailable: {type(exc).__name__}"
        return checks


async def _retry(what: str, action: Callable[[], Awaitable[Any]], attempts: int = 30) -> Any:
    for attempt in range(1, attempts + 1):
        try:
            return await action()
        except Exception as exc:  # noqa: BLE001
            if attempt == attempts:
                raise
            log.warning("%s failed (%s); retrying", what, exc)
            await asyncio.sleep(min(0.2 * attempt, 2))


async def _raw(message: Any) -> Any:
    """The batch handler reads the records themselves, so FastStream decodes nothing: the "body" is
    FastStream's message itself. A coroutine: FastStream runs a plain function decoder in a worker
    thread, a thread hop per batch (5 % of a consumer's time in the bus benchmark). The handler
    takes it as its body rather than through ``Context("message")``, which fast_depends resolves by
    a plain function, in a worker thread too (another hop per batch)."""
    return message


def attach_consumer(broker: KafkaBroker, consumer: Consumer) -> None:
    """Register ``consumer`` as a FastStream batch subscriber; offsets are committed after the
    batch's transaction commits (ack), and a transient failure seeks back (nack) to redeliver."""
    settings = consumer.settings

    async def on_batch(message: Any) -> None:  # the batch's KafkaMessage (``_raw``)
        records = tuple(message.raw_message)
        await consumer.handle_records(records)
        _observe_lag(consumer.group, message, records)

    class _Rewind(ConsumerRebalanceListener):
        """After a broker lost its data, read every assigned partition from the beginning once."""

        subscriber: Any = None

        async def on_partitions_revoked(self, revoked) -> None:
            return None

        async def on_partitions_assigned(self, assigned) -> None:
            kafka = getattr(self.subscriber, "consumer", None)
            if consumer.rewind_on_assignment and assigned and kafka is not None:
                await kafka.seek_to_beginning(*assigned)
                consumer.rewind_on_assignment = False

    on_batch.__name__ = f"consume_{consumer.group.replace('.', '_').replace('-', '_')}"
    rewind = _Rewind()
    subscriber = broker.subscriber(
        *[topic_name(settings, t) for t in consumer.topics],
        group_id=group_name(settings, consumer.group), batch=True,
        max_records=settings.kafka_max_poll_records, batch_timeout_ms=100,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        auto_offset_reset="earliest",  # "latest" is wrong on Tansu; committed offsets decide anyway
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR, decoder=_raw, listener=rewind,
        title=consumer.group, description=f"Handles {', '.join(sorted(consumer.handlers))}",
    )
    subscriber(on_batch)
    rewind.subscriber = subscriber


class CorrelateAndTime:
    """ASGI middleware: the request's ``x-correlation-id`` is the correlation id of everything
    done for it (logs, emitted events), and each request's duration is observed by method and
    status. Plain ASGI rather than ``@app.middleware``: no extra task and body streams per request."""

    def __init__(self, app, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cid = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-correlation-id"), None)
        token = correlation_id.set(cid)
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            correlation_id.reset(token)
            metrics.HTTP_REQUESTS.labels(self.service, scope["method"], str(status)).observe(
                time.perf_counter() - started)


def _observe_lag(group: str, message: Any, records: tuple) -> None:
    """Consumer lag = high-water mark − next offset, summed over the batch's partitions (on Tansu the
    high-water mark can trail by a batch, so this is a lower bound there)."""
    from aiokafka import TopicPartition

    kafka = getattr(message, "consumer", None)
    if kafka is None or not records:
        return
    last: dict[tuple[str, int], int] = {}
    for r in records:
        last[(r.topic, r.partition)] = max(last.get((r.topic, r.partition), -1), r.offset)
    lag = 0
    for (topic, partition), offset in last.items():
        highwater = kafka.highwater(TopicPartition(topic, partition))
        if highwater is not None:
            lag += max(highwater - offset - 1, 0)
    metrics.CONSUMER_LAG.labels(group).set(lag)


def internal_auth(settings: ServiceSettings) -> Callable[..., Awaitable[None]]:
    """Dependency: internal APIs answer only callers holding the shared internal token."""

    async def check(x_internal_token: str = Header(default="")) -> None:
        if x_internal_token != settings.internal_api_token:
            raise HTTPException(status_code=401, detail="internal token required")

    return check


def create_service_app(runtime: ServiceRuntime, *, title: str, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The FastAPI app of a service: its routers plus /healthz, /readyz, /metrics."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, lifespan=lifespan)
    app.state.runtime = runtime
    app.add_middleware(CorrelateAndTime, service=runtime.settings.service_name)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"errors": [error_item(exc)]}, status_code=404)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> JSONResponse:
        errors = getattr(exc, "errors", None) or [exc]  # a CSV upload reports every error at once
        return JSONResponse({"errors": [error_item(e) for e in errors]}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Plain words naming the field, never pydantic's; the Lead Provider API's routes speak JSON:API.
        errors = plain_errors(exc.errors())
        if "/ecf/" in request.url.path:
            errors = [{"title": "Unprocessable Entity", "detail": e["message"]} for e in errors]
        return JSONResponse({"errors": errors}, status_code=422)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.settings.service_name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks = await runtime.ready()
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", **checks}, status_code=200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        if runtime.settings.run_messaging:
            metrics.OUTBOX_BACKLOG.labels(runtime.settings.service_name).set(await runtime.relay.backlog())
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> JSONResponse:
        from faststream.specification import AsyncAPI
        broker = runtime.broker or runtime.build_broker()
        spec = AsyncAPI(broker, title=f"ClaimFlow {runtime.settings.service_name}").to_specification()
        return JSONResponse(spec.to_jsonable())

    for router in routers:
        app.include_router(router)
    return app


def error_item(exc: Refused) -> dict[str, Any]:
    """One entry of the ``{"errors": [...]}`` body every API answers a refusal with."""
    error: dict[str, Any] = {"message": exc.message}
    if exc.row is not None:
        error["row"] = exc.row
    if exc.field is not None:
        error["field"] = exc.field
    if getattr(exc, "file", None) is not None:  # one of several files uploaded together
        error["file"] = exc.file
    return error
