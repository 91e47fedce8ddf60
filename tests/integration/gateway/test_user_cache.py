"""The API's look-up of a token's user may be cached briefly (GATEWAY_USER_CACHE_S): a role change
or a removal reaches the API within that bound, never later; signing out of pages is immediate."""
from __future__ import annotations

import asyncio

from sqlalchemy import delete

from services.gateway.tables import users
from services.gateway.users import add_user
from shared.platform.db import make_engine

from tests.support.system import PASSWORD, running_system


async def _me(system, headers) -> tuple[int, str | None]:
    r = await system.client.get("/api/v1/me", headers=headers)
    return r.status_code, (r.json().get("role") if r.status_code == 200 else None)


async def test_a_role_change_reaches_the_api_within_the_user_cache_bound(infra):
    async with running_system(infra, GATEWAY_USER_CACHE_S=1) as system:
        headers = await system.as_user("support2@example.com")
        assert await _me(system, headers) == (200, "support")
        await add_user(system.gateway_db, "support2@example.com", PASSWORD, "finance")
        await asyncio.sleep(1.2)
        assert await _me(system, headers) == (200, "finance")
        r = await system.client.get("/api/v1/claims", headers=headers)
        assert r.status_code == 403


async def test_a_removed_users_token_stops_working_within_the_user_cache_bound(infra):
    async with running_system(infra, GATEWAY_USER_CACHE_S=1) as system:
        headers = await system.as_user("support2@example.com")
        assert await _me(system, headers) == (200, "support")
        engine = make_engine(system.gateway_db, pool_size=1)
        try:
            async with engine.begin() as conn:
                await conn.execute(delete(users).where(users.c.email == "support2@example.com"))
        finally:
            await engine.dispose()
        await asyncio.sleep(1.2)
        assert (await _me(system, headers))[0] == 401


async def test_without_the_cache_a_role_change_is_seen_by_the_next_request(infra):
    async with running_system(infra, GATEWAY_USER_CACHE_S=0) as system:
        headers = await system.as_user("support2@example.com")
        assert await _me(system, headers) == (200, "support")
        await add_user(system.gateway_db, "support2@example.com", PASSWORD, "finance")
        assert await _me(system, headers) == (200, "finance")
