"""Scale-out: two instances of every service share each consumer group's partitions; a large
payment flow ends exactly as it would with one instance, and nothing is applied twice."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx

from claimflow.registry import SERVICES
from claimflow.runtime import free_port
from claimflow.stack import Stack

CLAIMS = 3000
WINDOW = "window-2026-27"


def wait(check, timeout=180, interval=0.5, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s")


def handled(url: str, group: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=5).text
    return sum(float(m.group(1)) for m in re.finditer(
        rf'claimflow_messages_handled_total{{group="{re.escape(group)}",type="[^"]+"}} ([0-9.e+]+)', text))


def test_two_instances_of_every_service_process_a_large_flow_once(tmp_path):
    ports = {f"{s.name.upper()}_PORT": str(free_port()) for s in SERVICES if s.name != "gateway"}
    saved = {k: os.environ.pop(k) for k in ("KAFKA_TOPIC_PREFIX", "KAFKA_GROUP_SUFFIX") if k in os.environ}
    stack = Stack(data_dir=tmp_path / "data", gateway_port=free_port(), replicas=2, seed=False, durable=False,
                  extra_env={**ports, "KAFKA_SESSION_TIMEOUT_MS": "1000", "KAFKA_HEARTBEAT_INTERVAL_MS": "200"})
    try:
        stack.start()
        assert len([p for p in stack.processes if p.spec.name == "claims"]) == 2
        subprocess.run([sys.executable, "-m", "claimflow", "seed", "--claims", str(CLAIMS)], env=stack.env,
                       check=True, capture_output=True, timeout=300)
        sql = lambda q: stack.pg.psql(q, "claimflow_claims")  # noqa: E731
        submitted = int(sql(f"SELECT count(*) FROM claims WHERE status = 'submitted' AND claim_window_id = '{WINDOW}'"))
        assert submitted > 100
        token = {"x-internal-token": stack.env["INTERNAL_API_TOKEN"], "x-actor-email": "support@example.com",
                 "x-actor-role": "support"}
        payments = f"http://127.0.0.1:{ports['PAYMENTS_PORT']}"

        def projection_ready():
            ready = httpx.get(f"{payments}/internal/v1/payments/ready", headers=token, timeout=10).json()
            items = ready.get("items", ready) if isinstance(ready, dict) else ready
            return any(i.get("claim_window_id") == WINDOW and i.get("claim_count") == submitted for i in items)

        wait(projection_ready, what="payments projection of the seed")
        sent = httpx.post(f"{payments}/internal/v1/payments", json={"claim_window_id": WINDOW}, headers=token, timeout=60)
        assert sent.status_code == 201, sent.text
        assert sent.json()["claim_count"] == submitted
        sent_refs = ("SELECT claim_reference FROM status_changes WHERE caused_by = 'ClaimSentToPayer'")
        in_progress = lambda: int(sql(  # noqa: E731
            f"SELECT count(*) FROM claims WHERE status = 'payment_in_progress' AND reference IN ({sent_refs})"))
        wait(lambda: in_progress() == submitted, what="every claim in Payment in progress")

        refs = sql(sent_refs).split()
        assert len(refs) == submitted
        response = "claim_reference,claim_status,claim_unpaid_reason\n" + "".join(f"{r},paid,\n" for r in refs)
        upload = httpx.post(f"{payments}/internal/v1/payments/responses", headers=token, timeout=60,
                            files={"file": ("response.csv", response.encode(), "text/csv")})
        assert upload.status_code == 201, upload.text
        confirm = httpx.post(f"{payments}/internal/v1/payments/responses/{upload.json()['upload_id']}/confirm",
                             headers=token, timeout=60)
        assert confirm.status_code == 202, confirm.text
        wait(lambda: in_progress() == 0, what="every claim Paid")

        moved = sql("SELECT count(*) FROM status_changes WHERE to_status IN ('payment_in_progress', 'paid') "
                    "AND caused_by <> 'seed'")
        twice = sql("SELECT count(*) FROM (SELECT claim_reference, to_status FROM status_changes "
                    "WHERE caused_by <> 'seed' GROUP BY 1, 2 HAVING count(*) > 1) AS d")
        assert int(moved) == 2 * submitted and int(twice) == 0
        # Both claims instances took part: the group's partitions were shared.
        claims_urls = [f"http://127.0.0.1:{p.port}" for p in stack.processes if p.spec.name == "claims"]
        shares = [handled(u, "claims.status") for u in claims_urls]
        assert all(s > 0 for s in shares), shares
        assert sum(shares) >= 2 * submitted
    finally:
        stack.stop()
        os.environ.update(saved)
