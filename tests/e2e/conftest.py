"""The running system for end-to-end tests: every service as a real process (the same
orchestration as `claimflow up`), on free ports, with a throwaway data directory, once per session."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from claimflow.registry import SERVICES
from claimflow.runtime import free_port
from claimflow.stack import DEMO_PASSWORD, Stack


@dataclass
class RunningSystem:
    stack: Stack
    url: str
    service_urls: dict[str, str]

    def token(self, email: str, password: str = DEMO_PASSWORD) -> str:
        r = httpx.post(f"{self.url}/api/v1/auth/token", json={"email": email, "password": password}, timeout=10)
        r.raise_for_status()
        return r.json()["access_token"]

    def api(self, email: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30,
                            headers={"Authorization": f"Bearer {self.token(email)}"})

    @property
    def internal_token(self) -> str:
        return self.stack.env["INTERNAL_API_TOKEN"]


@pytest.fixture(scope="session")
def system(tmp_path_factory) -> RunningSystem:
    """The whole system with the demo data (`claimflow up` minus the terminal)."""
    ports = {f"{s.name.upper()}_PORT": str(free_port()) for s in SERVICES if s.name != "gateway"}
    gateway_port = free_port()
    saved = {k: os.environ.pop(k) for k in ("KAFKA_TOPIC_PREFIX", "KAFKA_GROUP_SUFFIX") if k in os.environ}
    stack = Stack(data_dir=tmp_path_factory.mktemp("system"), gateway_port=gateway_port, durable=False,
                  extra_env={**ports, "KAFKA_SESSION_TIMEOUT_MS": "1000", "KAFKA_HEARTBEAT_INTERVAL_MS": "200",
                             "LOG_JSON": "true"})
    try:
        stack.start()
        yield RunningSystem(stack=stack, url=f"http://127.0.0.1:{gateway_port}",
                            service_urls={s.name: f"http://127.0.0.1:{ports[f'{s.name.upper()}_PORT']}"
                                          for s in SERVICES if s.name != "gateway"})
    finally:
        stack.stop()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def screenshots(artifacts) -> Path:
    path = artifacts / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
