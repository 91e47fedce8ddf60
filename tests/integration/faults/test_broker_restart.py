"""The broker goes away mid-flow and comes back empty (the embedded broker keeps messages in
memory): the outbox re-publishes, consumers drop duplicates, and the end state is complete."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from claimflow.runtime import EmbeddedBroker, free_port
from services.claims.config import ClaimsSettings
from services.claims.tables import metadata, status_changes
from services.claims.unit_of_work import ClaimsUnitOfWork
from shared.contracts import ClaimSentToPayer, PayerPaymentRecorded
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.relay import OutboxRelay
from tests.support.claims import SUPPORT, running_claims, setup_organisations, submit

CLAIMS = 40


async def test_a_broker_restart_mid_flow_loses_and_repeats_nothing(infra, tmp_path):
    port = free_port()
    broker = EmbeddedBroker(port=port, log_path=tmp_path / "tansu.log").start()
    env = {**infra.isolation_env(), "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap}
    started = datetime.now(timezone.utc) - timedelta(seconds=5)
    try:
        claims_url = await infra.database("claims")
        async with running_claims(infra, env, database_url=claims_url) as (client, app):
            org = await setup_organisations(client)
            refs = []
            for i in range(CLAIMS):
                r = await submit(client, "100001", org["provider"]["id"], [(f"{1000000 + i}", f"Mentor {i}", 1)])
                refs.append(r.json()["reference"])

            # "Payments": its own outbox, relayed to the broker while the broker is restarted.
            a_url = await infra.database("claims")
            settings = ClaimsSettings(**{k.lower(): v for k, v in env.items()}, CLAIMS_DATABASE_URL=a_url,
                                      SERVICE_NAME="payments-standin")
            engine = make_engine(a_url, pool_size=2)
            relay = OutboxRelay(engine=engine, outbox=metadata.tables["outbox"], settings=settings)
            await relay.start()
            relay_task = asyncio.create_task(relay.run())
            try:
                sessionmaker = make_sessionmaker(engine)
                for i, ref in enumerate(refs):
                    async with ClaimsUnitOfWork(sessionmaker) as uow:
                        uow.emit(ClaimSentToPayer(reference=ref, payment_id="p1"))
                        uow.emit(PayerPaymentRecorded(reference=ref, outcome="paid"))
                        await uow.commit()
                    if i == CLAIMS // 2:
                        broker.kill()  # mid-flow, no goodbye
                        await asyncio.sleep(1.0)
                        broker = EmbeddedBroker(port=port, log_path=tmp_path / "tansu.log").start()
                # The stand-in has no runtime watching the broker: its operator re-publishes by hand
                # (`claimflow outbox republish --since`); the claims service recovers by itself.
                await asyncio.sleep(2.0)
                await relay.republish_since(started)

                claims_engine = app.state.runtime.engine

                async def all_paid() -> bool:
                    async with claims_engine.connect() as conn:
                        paid = await conn.scalar(select(func.count()).select_from(status_changes)
                                                 .where(status_changes.c.to_status == "paid"))
                    return paid == CLAIMS

                deadline = asyncio.get_running_loop().time() + 90
                while not await all_paid():
                    assert asyncio.get_running_loop().time() < deadline, "not every claim reached Paid"
                    await asyncio.sleep(0.5)
                await asyncio.sleep(1.0)
                async with claims_engine.connect() as conn:
                    per_claim = (await conn.execute(
                        select(status_changes.c.claim_reference, func.count())
                        .group_by(status_changes.c.claim_reference))).all()
                assert len(per_claim) == CLAIMS
                assert {count for _, count in per_claim} == {3}  # submitted, payment_in_progress, paid: once each
                detail = (await client.get(f"/internal/v1/claims/{refs[-1]}", headers=SUPPORT)).json()
                assert detail["status"] == "paid"
            finally:
                relay_task.cancel()
                await relay.stop()
                await engine.dispose()
    finally:
        broker.stop()
