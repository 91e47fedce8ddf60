"""``claimflow seed``: demo data (``claimflow/demo/``, written through each service's own tables), and the
demo sign-ins."""
from __future__ import annotations

import time

from .registry import BY_NAME


async def seed(*, claims: int | None, demo: bool) -> int:
    from services.claims.config import ClaimsSettings

    from .demo.claims import seed as seed_claims

    count = claims if claims is not None else 60
    started = time.perf_counter()
    print(f"seeding {count:,} claims...", flush=True)
    result = await seed_claims(ClaimsSettings().database_url, claims_count=count,
                               progress=lambda line: print(line, flush=True))
    print(f"claims: {result} in {time.perf_counter() - started:.1f}s", flush=True)
    if BY_NAME["gateway"].available:
        from services.gateway.config import GatewaySettings
        from services.gateway.users import add_user

        from .stack import DEMO_PASSWORD, DEMO_PROVIDER_USER, DEMO_USERS

        url = GatewaySettings().database_url
        for email, role, school, trust in DEMO_USERS:
            await add_user(url, email, DEMO_PASSWORD, role, school_urn=school, trust_id=trust)
        provider_id = await _provider_with_most_audits(ClaimsSettings().database_url)
        if provider_id:
            await add_user(url, DEMO_PROVIDER_USER, DEMO_PASSWORD, "provider", provider_ids=(provider_id,))
        print(f"{len(DEMO_USERS) + bool(provider_id)} demo users saved", flush=True)
    return 0


async def _provider_with_most_audits(database_url: str) -> str | None:
    """The demo provider with the most claims in sampling_in_progress (the seed gives claims their
    status directly), so the demo provider user has claims to assure; no new sampling is made."""
    from sqlalchemy import text

    from shared.platform.db import make_engine

    engine = make_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return await conn.scalar(text(
                "SELECT provider_id FROM claims WHERE status = 'sampling_in_progress'"
                " GROUP BY provider_id ORDER BY count(*) DESC, provider_id LIMIT 1"))
    finally:
        await engine.dispose()
