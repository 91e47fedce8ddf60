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

        from .stack import DEMO_PASSWORD, DEMO_USERS

        url = GatewaySettings().database_url
        for email, role, school, trust in DEMO_USERS:
            await add_user(url, email, DEMO_PASSWORD, role, school_urn=school, trust_id=trust)
        print(f"{len(DEMO_USERS)} demo users saved", flush=True)
    return 0
