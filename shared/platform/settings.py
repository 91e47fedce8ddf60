"""Settings common to every service; each service subclasses ``ServiceSettings``.

Every value comes from environment variables (names in upper case). Nothing is read at import:
a composition root builds the settings object and passes it on.
"""
from __future__ import annotations

import functools
from datetime import datetime

from pydantic import Field, create_model
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    service_name: str = "claimflow"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    #: Partitions each topic gets when a service creates it at start.
    topic_partitions: int = 4
    #: Consumer group session: short, so group joins take ~1 s on Tansu rather than ~5 s.
    kafka_session_timeout_ms: int = 6000
    kafka_heartbeat_interval_ms: int = 500
    kafka_max_poll_records: int = 500
    #: A fetched batch of at most this many bytes of messages is one transaction; a larger one is
    #: applied per partition in transactions of about this size (always at least one message).
    #: A ClaimsSampled of 1,000 claims is ~100 KB, so a large sample is applied a few thousand
    #: claims at a time: no transaction holds back vacuum (and the outbox relay's scans) for
    #: seconds, and the relay publishes the first claims' events while the next ones apply.
    #: Small events still go ~500 to a transaction.
    consumer_transaction_bytes: int = 256 * 1024
    #: How many partitions of a fetched batch a consumer applies at the same time, each in its own
    #: transactions (order is kept within a partition, the only order Kafka gives). 2 = the cores
    #: of the reference machine; 1 applies a batch's partitions one after another.
    consumer_concurrency: int = 2
    #: How long the broker may hold a fetch that found nothing new. It bounds idle polling (each
    #: consumer group fetches ~1/this per second when idle) but, on Tansu, also adds up to about this
    #: much to delivery latency (500 ms: p50 150 ms at 1,000 events/s; 150 ms: p99 130–180 ms;
    #: 50 ms: p99 ~100 ms but idle services spin). 100 ms keeps p99 well under 200 ms.
    kafka_fetch_max_wait_ms: int = 100
    #: Suffix added to every consumer group (tests use it to isolate runs).
    kafka_group_suffix: str = ""
    #: Suffix added to every topic name (tests use it to isolate runs).
    kafka_topic_prefix: str = ""
    #: The relay wakes on every local commit that wrote outbox rows; this poll only picks up rows
    #: written by other processes (replicas, command-line tools), so it can be slow and cheap.
    outbox_poll_interval_s: float = 0.5
    outbox_batch_size: int = 1000
    #: Published outbox rows are kept this long so operators can re-publish after a broker loss.
    outbox_retention_hours: int = 168
    #: Attempts at a message before a transient failure becomes a dead letter.
    consumer_max_attempts: int = 5
    log_level: str = "INFO"
    log_json: bool = True
    http_host: str = "127.0.0.1"
    internal_api_token: str = Field(default="dev-internal-token-change-me")
    #: Connections a service process keeps to its database, and as many more under bursts. Five is
    #: plenty for an asyncio process on a few cores (more only queue inside PostgreSQL), and each
    #: PostgreSQL backend costs ~5 MiB of real memory (PSS).
    db_pool_size: int = 5
    #: Re-publish outbox rows created since then at start (set by `claimflow up` after a broker restart).
    outbox_republish_since: datetime | None = None
    #: Watch for a broker that lost its data (the embedded one keeps it in memory) and recover.
    broker_loss_watch: bool = True
    broker_watch_interval_s: float = 2.0
    #: Start the consumers and relay (off for a process that only serves HTTP, e.g. in some tests).
    run_messaging: bool = True

    @classmethod
    def for_service(cls, name: str, *, port: int) -> type["ServiceSettings"]:
        """The base of a service's settings: ``class ClaimsSettings(ServiceSettings.for_service("claims",
        port=8101))`` has ``service_name`` "claims", ``database_url`` from ``CLAIMS_DATABASE_URL``
        (by default the local PostgreSQL's ``claimflow_claims``) and ``http_port`` from
        ``CLAIMS_PORT`` (by default ``port``)."""
        return _service_base(cls, name, port)


@functools.cache
def _service_base(base: type[ServiceSettings], name: str, port: int) -> type[ServiceSettings]:
    prefix = name.upper()
    return create_model(
        f"_{name.title()}ServiceSettings", __base__=base, __module__=base.__module__,
        service_name=(str, name),
        database_url=(str, Field(default=f"postgresql+asyncpg://postgres@127.0.0.1:5432/claimflow_{name}",
                                 validation_alias=f"{prefix}_DATABASE_URL")),
        http_port=(int, Field(default=port, validation_alias=f"{prefix}_PORT")))
