"""Crash during work: a 10,000-claim sampling confirm and a payer response apply run through the
real processes while services are killed with SIGKILL at random (seeded) moments and restarted.
Every claim ends in the right status, no status change is applied twice, no email is sent twice,
and the payer's CSV has every claim exactly once."""
from __future__ import annotations

import csv
import io
import os
import random
import re
import subprocess
import sys
import threading
import time

import httpx

from claimflow.registry import SERVICES
from claimflow.runtime import free_port
from claimflow.stack import Stack

SAMPLE = 10_000
SEED_CLAIMS = 34_000
WINDOW = "window-2026-27"


def wait(check, timeout=240, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"{what} not reached within {timeout}s")


def chaos(stack: Stack, victims: list[str], rng: random.Random, stop: threading.Event, kills: list[str]) -> None:
    """Kill a random victim at random moments and start it again, until told to stop."""
    while not stop.is_set():
        time.sleep(rng.uniform(0.3, 2.5))
        if stop.is_set():
            break
        victim = rng.choice(victims)
        stack.kill(victim)
        kills.append(victim)
        time.sleep(rng.uniform(0.0, 1.0))
        stack.restart(victim)


def confirm_despite_kills(url: str, headers: dict[str, str]) -> None:
    """POST a confirm until it answers 202: the service may be down (killed) at the moment we ask,
    so ask again; a confirm applies once however often it is asked."""
    confirm = None
    for _ in range(60):
        try:
            confirm = httpx.post(url, headers=headers, timeout=60)
            if confirm.status_code == 202:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    assert confirm is not None and confirm.status_code == 202, confirm.text if confirm is not None else "no answer"


def test_killing_services_at_random_moments_loses_and_repeats_nothing(tmp_path):
    ports = {f"{s.name.upper()}_PORT": str(free_port()) for s in SERVICES if s.name != "gateway"}
    saved = {k: os.environ.pop(k) for k in ("KAFKA_TOPIC_PREFIX", "KAFKA_GROUP_SUFFIX") if k in os.environ}
    stack = Stack(data_dir=tmp_path / "data", gateway_port=free_port(), seed=False, durable=False,
                  extra_env={**ports, "KAFKA_SESSION_TIMEOUT_MS": "1000", "KAFKA_HEARTBEAT_INTERVAL_MS": "200",
                             "NOTIFY_BACKEND": "outbox", "PAYER_EMAIL_ADDRESSES": "payer@example.com"})
    internal = lambda name: f"http://127.0.0.1:{ports[name.upper() + '_PORT']}/internal/v1"  # noqa: E731
    try:
        stack.start()
        headers = {"x-internal-token": stack.env["INTERNAL_API_TOKEN"], "x-actor-email": "support@example.com",
                   "x-actor-role": "support"}
        subprocess.run([sys.executable, "-m", "claimflow", "seed", "--claims", str(SEED_CLAIMS)], env=stack.env,
                       check=True, capture_output=True, timeout=600)
        claims_sql = lambda q: stack.pg.psql(q, "claimflow_claims")  # noqa: E731
        paid = claims_sql(f"SELECT reference FROM claims WHERE status = 'paid' ORDER BY reference LIMIT {SAMPLE}").split()
        assert len(paid) == SAMPLE
        wait(lambda: int(stack.pg.psql("SELECT count(*) FROM claims WHERE status = 'paid'", "claimflow_sampling"))
             >= int(claims_sql("SELECT count(*) FROM claims WHERE status = 'paid'")), what="sampling projection")

        # 1. A 10,000-claim sampling confirm while claims and sampling are killed again and again.
        upload = httpx.post(f"{internal('sampling')}/sampling/uploads", headers=headers, timeout=120, files={
            "file": ("sample.csv", ("claim_reference,sample_reason\n" + "".join(f"{r},Random sample\n" for r in paid)).encode(),
                     "text/csv")})
        assert upload.status_code == 201, upload.text
        stop, kills = threading.Event(), []
        monkey = threading.Thread(target=chaos, args=(stack, ["claims", "sampling"], random.Random(20261123), stop, kills))
        monkey.start()
        confirm_despite_kills(f"{internal('sampling')}/sampling/uploads/{upload.json()['upload_id']}/confirm", headers)
        refs = "'" + "','".join(paid) + "'"
        sampled = lambda: int(claims_sql(  # noqa: E731
            f"SELECT count(*) FROM claims WHERE status = 'sampling_in_progress' AND reference IN ({refs})"))
        time.sleep(6)
        stop.set()
        monkey.join()
        wait(lambda: sampled() == SAMPLE, what="every sampled claim in Sampling in progress")
        assert kills, "the chaos thread killed nothing"
        assert claims_sql("SELECT count(*) FROM status_changes WHERE caused_by = 'ClaimSampled'") == str(SAMPLE)
        assert claims_sql("SELECT count(*) FROM (SELECT claim_reference FROM status_changes WHERE caused_by <> 'seed' "
                          "GROUP BY claim_reference, to_status HAVING count(*) > 1) d") == "0"
        providers = int(claims_sql(f"SELECT count(DISTINCT provider_id) FROM claims WHERE reference IN ({refs})"))
        notify_sql = lambda q: stack.pg.psql(q, "claimflow_notify")  # noqa: E731
        wait(lambda: int(notify_sql("SELECT count(*) FROM local_outbox")) >= providers, what="provider emails")
        time.sleep(2)
        assert int(notify_sql("SELECT count(*) FROM notifications WHERE template = 'provider_sampling_request'")) == providers
        assert notify_sql("SELECT count(*) FROM (SELECT to_address, subject FROM local_outbox "
                          "GROUP BY 1, 2 HAVING count(*) > 1) d") == "0"  # no email twice

        # 2. Send to the payer, then a payer response apply while payments and claims are killed.
        submitted = int(claims_sql(f"SELECT count(*) FROM claims WHERE status = 'submitted' AND claim_window_id = '{WINDOW}'"))
        wait(lambda: any(i.get("claim_window_id") == WINDOW and i.get("claim_count") == submitted for i in
                         httpx.get(f"{internal('payments')}/payments/ready", headers=headers, timeout=10).json()["items"]),
             what="payments projection")
        sent = httpx.post(f"{internal('payments')}/payments", json={"claim_window_id": WINDOW}, headers=headers, timeout=120)
        assert sent.status_code == 201 and sent.json()["claim_count"] == submitted, sent.text
        sent_refs = "SELECT claim_reference FROM status_changes WHERE caused_by = 'ClaimSentToPayer'"
        wait(lambda: int(claims_sql(f"SELECT count(*) FROM claims WHERE status = 'payment_in_progress' "
                                    f"AND reference IN ({sent_refs})")) == submitted, what="Payment in progress")
        body = notify_sql("SELECT body FROM local_outbox WHERE to_address = 'payer@example.com' ORDER BY stored_at DESC LIMIT 1")
        token = re.search(r"/links/([A-Za-z0-9_\-]+)", body).group(1)
        payer_csv = httpx.get(f"{internal('payments')}/links/{token}", headers=headers, timeout=60)
        assert payer_csv.status_code == 200
        rows = list(csv.DictReader(io.StringIO(payer_csv.content.decode("utf-8-sig"))))
        listed = [r["claim_reference"] for r in rows]
        assert len(listed) == submitted and len(set(listed)) == submitted  # none missing, none repeated
        response = "claim_reference,claim_status,claim_unpaid_reason\n" + "".join(f"{r},paid,\n" for r in listed)
        upload = httpx.post(f"{internal('payments')}/payments/responses", headers=headers, timeout=120,
                            files={"file": ("response.csv", response.encode(), "text/csv")})
        assert upload.status_code == 201, upload.text
        stop, kills = threading.Event(), []
        monkey = threading.Thread(target=chaos, args=(stack, ["claims", "payments"], random.Random(42), stop, kills))
        monkey.start()
        confirm_despite_kills(f"{internal('payments')}/payments/responses/{upload.json()['upload_id']}/confirm", headers)
        time.sleep(6)
        stop.set()
        monkey.join()
        wait(lambda: claims_sql(f"SELECT count(*) FROM claims WHERE status <> 'paid' AND reference IN ({sent_refs})") == "0",
             what="every sent claim Paid")
        assert claims_sql("SELECT count(*) FROM (SELECT claim_reference FROM status_changes WHERE caused_by <> 'seed' "
                          "GROUP BY claim_reference, to_status HAVING count(*) > 1) d") == "0"
        assert int(claims_sql("SELECT count(*) FROM status_changes WHERE caused_by = 'PayerPaymentRecorded'")) == submitted
    finally:
        stop_all = getattr(stack, "stop")
        stop_all()
        os.environ.update(saved)
