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


def _k8s_documents():
    for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path.name, doc


def test_kubernetes_manifests_are_valid_against_the_api_schemas():
    import kubernetes_validate

    checked = 0
    for name, doc in _k8s_documents():
        kubernetes_validate.validate(doc, "1.31.0", strict=True)
        checked += 1
    assert checked >= 17


def test_every_service_runs_replicated_with_readiness_on_readyz_and_its_own_port():
    deployments = {doc["metadata"]["name"]: doc for _, doc in _k8s_documents() if doc["kind"] == "Deployment"}
    assert set(deployments) == {s.name for s in SERVICES}
    for spec in SERVICES:
        d = deployments[spec.name]
        assert d["spec"]["replicas"] >= 2
        container = d["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == ["service", spec.name]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert {"name": spec.port_env, "value": str(spec.port)} in container["env"]
        assert container["ports"][0]["containerPort"] == spec.port


def test_kustomization_lists_every_manifest_but_the_secret_example():
    listed = set(yaml.safe_load((ROOT / "deploy" / "k8s" / "kustomization.yaml").read_text())["resources"])
    present = {p.name for p in (ROOT / "deploy" / "k8s").glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert listed == present
