"""PostgreSQL goes away mid-flow (killed, then started again on the same data): the services
reconnect, transient failures are retried, and nothing is lost or applied twice."""
from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from claimflow.runtime import EmbeddedPostgres, free_port
from services.claims.tables import status_changes
from shared.contracts import ClaimSentToPayer, PayerPaymentRecorded
from shared.platform.migrations import upgrade
from tests.support.claims import running_claims, setup_organisations, submit
from tests.support.infra import ROOT
from tests.support.messaging import publish

CLAIMS = 30


async def test_a_database_restart_mid_flow_loses_and_repeats_nothing(infra, isolated_env, tmp_path):
    pg = EmbeddedPostgres(tmp_path / "pg", port=free_port(), durable=True).start()
    try:
        pg.create_database("claims")
        url = pg.url("claims")
        await upgrade(ROOT / "services" / "claims", url)
        async with running_claims(infra, isolated_env, database_url=url) as (client, app):
            org = await setup_organisations(client)
            refs = [(await submit(client, "100001", org["provider"]["id"], [(f"{2000000 + i}", f"Mentor {i}", 1)])).json()["reference"]
                    for i in range(CLAIMS)]
            half = CLAIMS // 2
            await publish(isolated_env, *[m for r in refs[:half] for m in (
                ClaimSentToPayer(reference=r, payment_id="p"), PayerPaymentRecorded(reference=r, outcome="paid"))])
            pg.kill()  # no clean shutdown
            await publish(isolated_env, *[m for r in refs[half:] for m in (
                ClaimSentToPayer(reference=r, payment_id="p"), PayerPaymentRecorded(reference=r, outcome="paid"))])
            await asyncio.sleep(2.0)  # consumers meet the dead database and back off
            pg.start()

            engine = app.state.runtime.engine

            async def paid() -> int:
                async with engine.connect() as conn:
                    return await conn.scalar(select(func.count()).select_from(status_changes)
                                             .where(status_changes.c.to_status == "paid"))

            deadline = asyncio.get_running_loop().time() + 90
            while True:
                try:
                    if await paid() == CLAIMS:
                        break
                except Exception:  # noqa: BLE001 - the pool is reconnecting
                    pass
                assert asyncio.get_running_loop().time() < deadline, "not every claim reached Paid"
                await asyncio.sleep(0.5)
            await asyncio.sleep(1.0)
            async with engine.connect() as conn:
                counts = (await conn.execute(select(status_changes.c.claim_reference, func.count())
                                             .group_by(status_changes.c.claim_reference))).all()
            assert len(counts) == CLAIMS and {c for _, c in counts} == {3}
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
    finally:
        pg.stop()
