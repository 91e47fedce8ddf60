"""The production-like stack cannot run here (no Docker engine): check what can be checked."""
from __future__ import annotations

from pathlib import Path

import yaml

from claimflow.registry import SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_kafka_in_kraft_mode_and_postgres():
    kafka = COMPOSE["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert COMPOSE["services"]["postgres"]["image"].startswith("postgres")


def test_compose_runs_every_service_from_the_one_image_with_its_database_and_port():
    for spec in SERVICES:
        service = COMPOSE["services"][spec.name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert service["command"] == ["service", spec.name]
        env = service["environment"]
        assert env[spec.database_env].endswith(f"/{spec.database}")
        assert env[spec.port_env] == env["PORT_CHECK"]
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_every_service_database_is_created_in_postgres():
    init = (ROOT / "deploy" / "postgres-init.sql").read_text()
    created = {line.split()[2] for line in init.splitlines() if line.startswith("CREATE DATABASE")}
    created.add(COMPOSE["services"]["postgres"]["environment"]["POSTGRES_DB"])
    assert created == {s.database for s in SERVICES}


def test_the_image_installs_the_project_and_runs_as_a_non_root_user():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "pip install --no-cache-dir ." in dockerfile
    assert "USER claimflow" in dockerfile
    assert 'ENTRYPOINT ["claimflow"]' in dockerfile
