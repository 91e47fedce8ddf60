"""The first README command, as a person runs it: `./cf up` from the repository, every /readyz
answers, sign in through the gateway, Ctrl-C stops everything, and a second start reuses the data."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from claimflow.registry import available_services
from claimflow.runtime import free_port

ROOT = Path(__file__).resolve().parents[2]


def start(data_dir: Path, port: int, ports: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, "CLAIMFLOW_DATA_DIR": str(data_dir), "GATEWAY_PORT": str(port),
           "CLAIMFLOW_VENV": str(Path(sys.prefix)), **ports}
    for key in ("KAFKA_TOPIC_PREFIX", "KAFKA_GROUP_SUFFIX", "KAFKA_BOOTSTRAP_SERVERS"):
        env.pop(key, None)
    return subprocess.Popen([str(ROOT / "cf"), "up"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def wait_for_url(proc: subprocess.Popen, timeout: float = 240) -> tuple[str, list[str]]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line.rstrip())
        found = re.search(r"ClaimFlow is running: (http://127\.0\.0\.1:\d+)", line)
        if found:
            return found.group(1), lines
    raise AssertionError("`./cf up` did not print its URL:\n" + "\n".join(lines))


def stop(proc: subprocess.Popen) -> str:
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0, out
    return out


def claimflow(data_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """A command in a second terminal: only the data directory, no database or broker settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.endswith(("_DATABASE_URL", "_URL")) and not k.startswith("KAFKA_")}
    env["CLAIMFLOW_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "claimflow", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def commands_find_the_running_system(data_dir: Path, url: str, token: str) -> None:
    """`claimflow users add` and `claimflow tail` from a second terminal reach the running system
    (issue 24: they tried 127.0.0.1:5432)."""
    added = claimflow(data_dir, "users", "add", "--email", "second-terminal@example.com", "--password",
                      "a long password", "--role", "support")
    assert added.returncode == 0, added.stderr
    signed_in = httpx.post(f"{url}/api/v1/auth/token", json={"email": "second-terminal@example.com",
                                                             "password": "a long password"}, timeout=10)
    assert signed_in.status_code == 200, signed_in.text
    provider = httpx.post(f"{url}/api/v1/providers", timeout=10, headers={"Authorization": f"Bearer {token}"},
                          json={"name": "Second Terminal Teaching", "code": "STT1", "email_addresses": []})
    assert provider.status_code == 201, provider.text
    deadline = time.monotonic() + 60
    seen = ""
    while "Second Terminal Teaching" not in seen and time.monotonic() < deadline:
        tail = claimflow(data_dir, "tail", "claimflow.organisations.events", "--from-beginning", "--max", "500",
                         "--exit-when-idle")
        assert tail.returncode == 0, tail.stderr
        seen = tail.stdout
    assert '"type": "ProviderRegistered"' in seen and "Second Terminal Teaching" in seen


def test_cf_up_starts_everything_signs_in_and_stops_cleanly(tmp_path):
    port = free_port()
    ports = {f"{s.name.upper()}_PORT": str(free_port()) for s in available_services() if s.name != "gateway"}
    proc = start(tmp_path / "data", port, ports)
    try:
        url, lines = wait_for_url(proc)
        assert url == f"http://127.0.0.1:{port}"
        assert any(re.match(r"\[\d+/\d+\] Starting PostgreSQL", line) for line in lines)  # progress lines
        for name, value in ports.items():
            assert httpx.get(f"http://127.0.0.1:{value}/readyz", timeout=5).status_code == 200, name
        assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200
        token = httpx.post(f"{url}/api/v1/auth/token", json={"email": "support@example.com",
                                                              "password": "claimflow-demo"}, timeout=10)
        assert token.status_code == 200, token.text
        claims = httpx.get(f"{url}/api/v1/claims", timeout=10,
                           headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        assert claims.status_code == 200 and claims.json()["total"] > 0  # demo data loaded
        first_total = claims.json()["total"]
        commands_find_the_running_system(tmp_path / "data", url, token.json()["access_token"])
    finally:
        out = stop(proc)
    assert "Stopped." in out
    assert not (tmp_path / "data" / "running.json").exists()
    stopped = claimflow(tmp_path / "data", "users", "add", "--email", "late@example.com", "--password",
                        "a long password", "--role", "support")
    assert stopped.returncode == 2 and "No running ClaimFlow was found" in stopped.stderr, stopped.stderr
    for value in ports.values():
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{value}/healthz", timeout=2)

    # Running it again reuses the data directory: the same data, no second demo load.
    proc = start(tmp_path / "data", port, ports)
    try:
        url, lines = wait_for_url(proc)
        assert any("Demo data already loaded" in line for line in lines)
        token = httpx.post(f"{url}/api/v1/auth/token", json={"email": "support@example.com",
                                                              "password": "claimflow-demo"}, timeout=10)
        claims = httpx.get(f"{url}/api/v1/claims", timeout=10,
                           headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        assert claims.json()["total"] == first_total
    finally:
        stop(proc)
