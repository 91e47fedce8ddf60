"""Reading the invitation emails a gateway queued (its outbox: the tests run without a broker)."""
from __future__ import annotations

import json

from sqlalchemy import text

from shared.platform.db import make_engine


async def sql(database_url: str, statement: str, **params):
    engine = make_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(statement), params)
            return result.all() if result.returns_rows else None
    finally:
        await engine.dispose()


async def invitations_to(database_url: str, email: str) -> list[dict]:
    """Every invitation email queued for ``email``, oldest first (the SendNotification payloads)."""
    rows = await sql(database_url, "SELECT payload::text FROM outbox WHERE type = 'SendNotification' ORDER BY id")
    found = [json.loads(r[0]) for r in rows]
    return [p for p in found if p["template"] == "user_invitation" and p["to"] == email]


async def latest_link(database_url: str, email: str) -> str:
    return (await invitations_to(database_url, email))[-1]["personalisation"]["link"]


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]
