"""Outbox, idempotent consumers and dead letters over the real broker and real PostgreSQL (issue 2)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from services.claims.config import ClaimsSettings
from services.claims.tables import metadata, platform
from services.claims.unit_of_work import ClaimsUnitOfWork
from shared.contracts import ClaimSampled, ClaimSentToPayer, PayerPaymentRecorded
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.relay import OutboxRelay
from tests.support.claims import SUPPORT, running_claims, setup_organisations, submit
from tests.support.messaging import eventually, publish, read_topic


async def _status(client, ref):
    return (await client.get(f"/internal/v1/claims/{ref}", headers=SUPPORT)).json()


async def test_an_event_committed_while_the_relay_is_down_arrives_once_after_restart(infra, isolated_env):
    """Service A commits a change + event, crashes before publishing; on restart the event is
    published, and published again on purpose: service B applies it exactly once."""
    async with running_claims(infra, isolated_env) as (client, _):
        org = await setup_organisations(client)
        ref = (await submit(client, "100001", org["provider"]["id"], [("1234567", "Ada Lovelace", 5)])).json()["reference"]

        # Service A: its own database and outbox (a second claims-schema database stands in for it).
        a_url = await infra.database("claims")
        settings_a = ClaimsSettings(CLAIMS_DATABASE_URL=a_url, SERVICE_NAME="service-a")
        engine = make_engine(a_url, pool_size=2)
        try:
            async with ClaimsUnitOfWork(make_sessionmaker(engine)) as uow:
                uow.emit(ClaimSentToPayer(reference=ref, payment_id="pay-1"))
                await uow.commit()
            # Relay not running ("crashed between commit and publish"): nothing reaches B.
            await asyncio.sleep(1.0)
            assert (await _status(client, ref))["status"] == "submitted"
            async with engine.connect() as conn:
                assert await conn.scalar(select(func.count()).select_from(platform["outbox_pending"])) == 1

            relay = OutboxRelay(engine=engine, outbox=metadata.tables["outbox"], settings=settings_a)
            await relay.start()
            try:
                assert await relay.publish_pending() == 1
                assert await relay.publish_pending() == 0  # marked published after the broker's ack
                # An operator re-publishes after a broker loss: the duplicate is harmless.
                assert await relay.republish_since(datetime.now(timezone.utc) - timedelta(hours=1)) == 1
            finally:
                await relay.stop()
        finally:
            await engine.dispose()

        detail = await eventually(lambda: _expect(client, ref, "payment_in_progress"))
        await asyncio.sleep(1.0)  # give the duplicate time to arrive
        detail = await _status(client, ref)
        assert [h["to_status"] for h in detail["history"]] == ["payment_in_progress", "submitted"]


async def _expect(client, ref, status):
    detail = await _status(client, ref)
    assert detail["status"] == status, detail["status"]
    return detail


async def test_a_poison_message_is_dead_lettered_and_replayed_after_the_cause_is_fixed(infra, isolated_env):
    async with running_claims(infra, isolated_env) as (client, _):
        org = await setup_organisations(client)
        ref = (await submit(client, "100001", org["provider"]["id"], [("1234567", "Ada Lovelace", 5)])).json()["reference"]
        sampled = ClaimSampled(reference=ref, sample_reason="Random sample", upload_id="u1", provider_id="p")
        await publish(isolated_env, sampled)  # the claim is not paid yet: refused
        letters = await read_topic(isolated_env, "dlq.claims.status", until=1)
        assert letters[0].original_event_id == str(sampled.event_id)

        env = {**os.environ, **isolated_env}
        listed = subprocess.run([sys.executable, "-m", "claimflow", "dlq", "list", "claims.status"], env=env,
                                capture_output=True, text=True, timeout=60)
        assert listed.returncode == 0, listed.stderr
        assert str(sampled.event_id) in listed.stdout and "1 dead letters" in listed.stdout

        # Redelivery of the same poison message does not dead-letter it twice.
        await publish(isolated_env, sampled)
        # Fix the cause: the claim is paid.
        await publish(isolated_env, ClaimSentToPayer(reference=ref, payment_id="p1"),
                      PayerPaymentRecorded(reference=ref, outcome="paid"))
        await eventually(lambda: _expect(client, ref, "paid"))
        assert len(await read_topic(isolated_env, "dlq.claims.status", until=2, timeout=2)) == 1

        replayed = subprocess.run([sys.executable, "-m", "claimflow", "dlq", "replay", "claims.status"], env=env,
                                  capture_output=True, text=True, timeout=60)
        assert replayed.returncode == 0, replayed.stderr
        assert "replayed 1 of 1" in replayed.stdout
        detail = await eventually(lambda: _expect(client, ref, "sampling_in_progress"))
        assert detail["sample_reason"] == "Random sample"


async def test_tail_prints_the_topic_decoded_through_the_contracts(infra, isolated_env):
    message = ClaimSentToPayer(reference="12345678", payment_id="p1")
    await publish(isolated_env, message)
    env = {**os.environ, **isolated_env}
    out = subprocess.run([sys.executable, "-m", "claimflow", "tail", "claimflow.payments.events", "--from-beginning",
                          "--max", "1"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert '"type": "ClaimSentToPayer"' in out.stdout and str(message.event_id) in out.stdout
