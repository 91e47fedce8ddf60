from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.infra import docker_engine_answers, start_containers, start_embedded, stop

ARTIFACTS = Path(os.environ.get("CLAIMFLOW_TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts"))


def pytest_collection_modifyitems(items):
    """Mark tests by folder so `-m unit` / `-m integration` / `-m e2e` select layers."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        for layer in ("unit", "integration", "e2e"):
            if layer in parts:
                item.add_marker(getattr(pytest.mark, layer))


@pytest.fixture(scope="session")
def infra():
    """Real PostgreSQL + real Kafka-compatible broker for the whole session (started on first use)."""
    started = start_containers() if docker_engine_answers() else start_embedded()
    yield started
    stop(started)


@pytest.fixture
def isolated_env(infra, monkeypatch):
    """Environment for one test: its own topics and consumer groups on the shared broker."""
    env = infra.isolation_env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture(scope="module")
def module_env(infra):
    """Like ``isolated_env`` but shared by a module's tests (pass it to settings explicitly)."""
    return infra.isolation_env()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
