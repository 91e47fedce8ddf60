"""``claimflow up``: the whole system on the embedded default, as local processes.

Order: PostgreSQL (one database per service, migrated) → Tansu broker → every service (N replicas
each when asked) → gateway, each health-checked on ``/readyz`` before the next step; demo data on
first start. Every process inherits this process's environment plus the addresses it needs.
Ctrl-C (or SIGTERM) stops everything in reverse order. The data directory is reused by the next run.

The embedded broker keeps messages in memory, so a new run starts with empty topics: services are
asked to re-publish their outbox since the previous run started (consumers drop what they already
applied), so nothing published but not yet consumed is lost across restarts.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import httpx

from . import running
from .registry import SERVICES, ServiceSpec, available_services
from .runtime import EmbeddedBroker, EmbeddedPostgres, free_port

DEMO_PASSWORD = "claimflow-demo"
DEMO_USERS = (
    ("support@example.com", "support", None, None),
    ("support2@example.com", "support", None, None),
    ("school@example.com", "school", "100001", None),
    ("mat@example.com", "mat", None, "northern-trust"),
    ("finance@example.com", "finance", None, None),
)
#: The demo's accredited provider user (docs/design.md §12): tied by the seed to the demo provider with
#: the most claims in sampling_in_progress, so it has claims to assure.
DEMO_PROVIDER_USER = "provider@example.com"


def say(message: str) -> None:
    print(message, flush=True)


@dataclass
class Process:
    spec: ServiceSpec
    replica: int
    port: int
    proc: subprocess.Popen
    log: Path


@dataclass
class Stack:
    data_dir: Path
    gateway_port: int = 8000
    replicas: int = 1
    seed: bool = True
    durable: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    pg: EmbeddedPostgres | None = None
    broker: EmbeddedBroker | None = None
    processes: list[Process] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------------------------------
    def _state(self) -> dict:
        path = self.data_dir / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def _save_state(self, state: dict) -> None:
        (self.data_dir / "state.json").write_text(json.dumps(state, indent=2))

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "logs").mkdir(exist_ok=True)
        state = self._state()
        services = available_services()
        steps = 4 + len(services)
        step = 0

        def progress(text: str) -> None:
            nonlocal step
            step += 1
            say(f"[{step}/{steps}] {text}")

        progress(f"Starting PostgreSQL (data in {self.data_dir / 'postgres'})")
        self.pg = EmbeddedPostgres(self.data_dir / "postgres", port=free_port(state.get("pg_port")),
                                   durable=self.durable).start()
        for spec in SERVICES:
            self.pg.create_database(spec.database)

        progress("Starting the Kafka-compatible broker (Tansu, in memory)")
        self.broker = EmbeddedBroker(port=free_port(state.get("kafka_port") or 9092),
                                     log_path=self.data_dir / "logs" / "tansu.log").start()

        secrets_file = self.data_dir / "secrets.json"
        if not secrets_file.exists():
            secrets_file.write_text(json.dumps({"INTERNAL_API_TOKEN": secrets.token_urlsafe(32),
                                                "SECRET_KEY": secrets.token_urlsafe(48)}))
            secrets_file.chmod(0o600)
        generated = json.loads(secrets_file.read_text())
        self.env = {**os.environ, **{k: v for k, v in generated.items() if k not in os.environ},
                    "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap, "GATEWAY_PORT": str(self.gateway_port),
                    "NOTIFY_BACKEND": os.environ.get("NOTIFY_BACKEND", "outbox"),
                    # The embedded default serves plain http on 127.0.0.1: a Secure cookie would never be sent.
                    "GATEWAY_COOKIE_SECURE": os.environ.get("GATEWAY_COOKIE_SECURE", "false"),
                    "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{self.gateway_port}"),
                    "PAYER_EMAIL_ADDRESSES": os.environ.get("PAYER_EMAIL_ADDRESSES", "payer@example.com"),
                    "PYTHONUNBUFFERED": "1", **self.extra_env}
        for spec in SERVICES:
            self.env.setdefault(spec.database_env, self.pg.url(spec.database))
            self.env[spec.url_env] = f"http://127.0.0.1:{self._port(spec)}"
        if state.get("started_at"):
            # The broker starts empty: re-publish what the previous run published (consumers dedupe).
            since = datetime.fromisoformat(state["started_at"]) - timedelta(minutes=5)
            self.env["OUTBOX_REPUBLISH_SINCE"] = since.isoformat()
        self._save_state({"pg_port": self.pg.port, "kafka_port": self.broker.port,
                          "started_at": datetime.now(timezone.utc).isoformat()})
        # Commands in another terminal find this system through it (removed on stop).
        running.record(self.data_dir, self.env)

        progress("Applying database migrations")
        run = subprocess.run([sys.executable, "-m", "claimflow", "migrate"], env=self.env, capture_output=True,
                             text=True)
        if run.returncode:
            raise RuntimeError(f"migrations failed:\n{run.stdout}\n{run.stderr}")

        for spec in services:
            count = 1 if spec.name == "gateway" else self.replicas
            progress(f"Starting {spec.name}" + (f" ({count} replicas)" if count > 1 else ""))
            started = [self._spawn(spec, i) for i in range(count)]
            for p in started:
                self._wait_ready(p)

        self._load_demo_data(progress)

    def _load_demo_data(self, progress: Callable[[str], None]) -> None:
        """Load the demo data on the first start unless told not to (--no-seed), and say which."""
        if self.demo_data_loaded:
            progress("Demo data already loaded")
        elif self.seed:
            progress("Loading demo data (first start only)")
            run = subprocess.run([sys.executable, "-m", "claimflow", "seed", "--demo"], env=self.env,
                                 capture_output=True, text=True)
            if run.returncode:
                raise RuntimeError(f"demo data failed:\n{run.stdout}\n{run.stderr}")
            (self.data_dir / "seeded").write_text(datetime.now(timezone.utc).isoformat())
        else:
            progress("No demo data loaded (--no-seed)")

    @property
    def demo_data_loaded(self) -> bool:
        """Whether this data directory holds the demo data and its sign-ins (loaded on an earlier start)."""
        return (self.data_dir / "seeded").exists()

    def _port(self, spec: ServiceSpec) -> int:
        if spec.name == "gateway":
            return self.gateway_port
        return int(self.extra_env.get(spec.port_env) or os.environ.get(spec.port_env) or spec.port)

    def _spawn(self, spec: ServiceSpec, replica: int) -> Process:
        port = self._port(spec) + 10 * replica
        if replica:
            port = free_port(port)
        env = {**self.env, spec.port_env: str(port), "SERVICE_REPLICA": str(replica)}
        log = self.data_dir / "logs" / f"{spec.name}{'-' + str(replica) if replica else ''}.log"
        proc = subprocess.Popen([sys.executable, "-m", "claimflow", "service", spec.name], env=env,
                                stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        process = Process(spec, replica, port, proc, log)
        self.processes.append(process)
        return process

    def _wait_ready(self, p: Process, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{p.port}/readyz"
        while time.monotonic() < deadline:
            if p.proc.poll() is not None:
                tail = p.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{p.spec.name} exited with code {p.proc.returncode}:\n{tail}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{p.spec.name} was not ready within {timeout:.0f}s (see {p.log})")

    def kill(self, name: str, replica: int = 0) -> None:
        """SIGKILL one service process (fault tests): no shutdown, no goodbye."""
        for p in self.processes:
            if p.spec.name == name and p.replica == replica and p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait(10)

    def restart(self, name: str, replica: int = 0) -> None:
        """Start a killed service process again on its port and wait until it is ready."""
        for i, p in enumerate(self.processes):
            if p.spec.name == name and p.replica == replica:
                if p.proc.poll() is None:
                    raise RuntimeError(f"{name} is still running")
                env = {**self.env, p.spec.port_env: str(p.port), "SERVICE_REPLICA": str(replica)}
                proc = subprocess.Popen([sys.executable, "-m", "claimflow", "service", name], env=env,
                                        stdout=open(p.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
                self.processes[i] = Process(p.spec, replica, p.port, proc, p.log)
                self._wait_ready(self.processes[i])
                return
        raise KeyError(name)

    def stop(self) -> None:
        running.forget(self.data_dir)
        for p in reversed(self.processes):
            if p.proc.poll() is None:
                p.proc.send_signal(signal.SIGTERM)
        for p in reversed(self.processes):
            try:
                p.proc.wait(15)
            except subprocess.TimeoutExpired:
                p.proc.kill()
        self.processes.clear()
        if self.broker:
            self.broker.stop()
        if self.pg:
            self.pg.stop()

    def wait(self) -> None:
        """Block until a signal or a process dies (then say which)."""
        stop = {"now": False}

        def handler(signum, frame):
            stop["now"] = True

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)
        while not stop["now"]:
            for p in self.processes:
                if p.proc.poll() is not None:
                    say(f"{p.spec.name} stopped unexpectedly (exit {p.proc.returncode}); see {p.log}")
                    stop["now"] = True
                    break
            time.sleep(0.5)
