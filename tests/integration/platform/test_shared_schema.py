"""The messaging tables every service's migrations create (``shared.platform.schema_ops`` and the
outbox revisions of ``shared.platform.migrations``) end up defined identically in every service,
including the gateway, whose first migration still spells them out itself."""
from __future__ import annotations

import asyncio

SERVICES = ("claims", "sampling", "payments", "notify", "gateway")
TABLES = ("dead_letters", "outbox", "outbox_pending", "processed_messages")

# Columns, constraints, indexes and triggers of TABLES, one sorted line each, as PostgreSQL prints them.
_DESCRIBE = f"""
WITH t AS (SELECT oid, relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
           AND relkind = 'r' AND relname IN ({", ".join(f"'{t}'" for t in TABLES)}))
SELECT line FROM (
    SELECT format('column %s.%s %s %s default %s', t.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                  CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END, pg_get_expr(d.adbin, d.adrelid)) AS line
    FROM t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum
    UNION ALL
    SELECT format('constraint %s.%s %s', t.relname, c.conname, pg_get_constraintdef(c.oid))
    FROM t JOIN pg_constraint c ON c.conrelid = t.oid
    UNION ALL
    SELECT format('index %s', pg_get_indexdef(i.indexrelid)) FROM t JOIN pg_index i ON i.indrelid = t.oid
    UNION ALL
    SELECT format('trigger %s', pg_get_triggerdef(g.oid)) FROM t JOIN pg_trigger g ON g.tgrelid = t.oid
    WHERE NOT g.tgisinternal
) lines ORDER BY line"""


async def _describe(infra, service: str) -> str:
    database = (await infra.database(service)).rsplit("/", 1)[1]
    return await asyncio.to_thread(infra.admin_sql, _DESCRIBE, database)


async def test_every_service_defines_the_messaging_tables_exactly_alike(infra):
    described = {service: await _describe(infra, service) for service in SERVICES}

    gateway = described["gateway"]
    assert {service: text for service, text in described.items() if text != gateway} == {}
    for table in TABLES:
        assert f"column {table}." in gateway
    assert "column outbox.payload json not null" in gateway
    assert "trigger CREATE TRIGGER outbox_pending_add AFTER INSERT ON public.outbox" in gateway
