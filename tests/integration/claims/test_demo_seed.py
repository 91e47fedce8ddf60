"""The demo seed (``claimflow seed --demo``, run by ``./cf up`` on its first start) loads the data the
README's sign-ins rely on, from its home next to the command line (``claimflow/demo/``)."""
from __future__ import annotations

from sqlalchemy import text

from claimflow.demo.claims import seed
from shared.contracts import decode
from shared.platform.db import make_engine


async def test_the_demo_seed_loads_sixty_claims_and_the_demo_school_and_trust_once(infra):
    url = await infra.database("claims")
    result = await seed(url, claims_count=60, progress=lambda line: None)
    assert result == {"schools": 20, "providers": 170, "claims": 60}
    assert await seed(url, claims_count=60, progress=lambda line: None) == {"claims": 0}  # a second start skips

    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM claims")) == 60
            assert await conn.scalar(text("SELECT trust_id FROM schools WHERE urn = '100002'")) == "northern-trust"
            assert await conn.scalar(text("SELECT count(*) FROM schools WHERE urn = '100001'")) == 1
            assert await conn.scalar(text("SELECT name FROM providers WHERE code = 'P001'")) == "Best Practice Network"
            statuses = set((await conn.execute(text("SELECT DISTINCT status FROM claims"))).scalars())
            assert {"submitted", "paid", "draft"} <= statuses
            payloads = (await conn.execute(text(
                "SELECT payload::text FROM outbox WHERE type = 'ClaimSubmitted' LIMIT 5"))).scalars()
            for payload in payloads:
                assert decode(payload.encode()).type == "ClaimSubmitted"
    finally:
        await engine.dispose()
