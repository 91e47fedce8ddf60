"""Demo and benchmark data for the claims service (``claimflow seed``, ``./cf up``'s first start,
``bench/claims_search.py``), written in bulk through the service's own tables and outbox (so every
other service builds its projection from the usual events).

Realistic shape: schools in all four regions (some in multi-academy trusts), ~170 accredited
providers, mentors with 7-digit TRNs, a past and a current claim window, and claims in every
status. Claims beyond ``submitted`` are given the status the facts of other services would have
produced; their history records ``seed`` as the cause.

Speed (``--claims 100000`` must take seconds): the organisations are written from Python, but the
claims, their mentor lines, history and outbox events are generated inside PostgreSQL with
``INSERT ... SELECT`` over ``generate_series`` (a Python loop building a Pydantic event per claim
took minutes). The SQL-built event payloads are read back and checked against the Pydantic
contracts, so the two cannot drift apart. A big seed into the (necessarily empty) claims tables
drops their secondary indexes and foreign keys and recreates them from their own catalogue
definitions once the rows are in (one index build is far cheaper than a million insertions), all in
the seed's one transaction; then VACUUM ANALYZE sets the visibility map (index-only scans, which
the exact search counts rely on) and the statistics.
"""
from __future__ import annotations

import random
import time
import uuid
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import func, insert, select, text

from shared.contracts import ClaimStatusChanged, ClaimSubmitted, ProviderRegistered, decode
from shared.platform.db import make_engine

from services.claims.domain.funding import HOURLY_RATES
from services.claims.domain.status import STATUSES
from services.claims.tables import claim_windows, claims, platform, providers, schools, trusts

FIRST = ["Amara", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hassan", "Isla", "Jack", "Kiran", "Leah",
         "Mohammed", "Nia", "Oliver", "Priya", "Quinn", "Ruby", "Sam", "Tariq", "Uma", "Vikram", "Wren", "Zoë"]
LAST = ["Adeyemi", "Brown", "Chen", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones", "Khan",
        "Lewis", "Morgan", "Nowak", "O'Brien", "Patel", "Roberts", "Smith", "Taylor", "Walker", "Wilson", "Young"]
TOWNS = {"Inner London": [("Hackney", "E8"), ("Camden", "NW1"), ("Lambeth", "SE11")],
         "Outer London": [("Barnet", "EN5"), ("Croydon", "CR0"), ("Harrow", "HA1")],
         "Fringe": [("Slough", "SL1"), ("Watford", "WD17"), ("Crawley", "RH10")],
         "Rest of England": [("Leeds", "LS1"), ("Bristol", "BS1"), ("Norwich", "NR1"), ("Durham", "DH1")]}
TYPES = ["Academy converter", "Community school", "Voluntary aided school", "Foundation school",
         "Academy sponsor led", "Free schools"]
PROVIDER_WORDS = ["Teach", "Learning", "Partnership", "SCITT", "Institute", "Alliance", "Network", "Academy"]
PLACES = ["Northern", "Pennine", "Thames", "Mersey", "Severn", "Wessex", "Anglia", "Kent", "Solent", "Humber",
          "Cotswold", "Chiltern", "Peak", "Tyne", "Trent", "Avon", "Mendip", "Weald", "Fenland", "Dales"]
STATUS_WEIGHTS = {s: 1 for s in STATUSES} | {"submitted": 12, "paid": 20, "draft": 3, "payment_in_progress": 4,
                                            "sampling_in_progress": 4}
NOW = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)
#: From this many claims on, indexes and foreign keys are rebuilt after the load instead of maintained row by row.
BULK = 10_000
#: Event payloads of each type read back and compared with the Pydantic contracts.
CHECKED = 25
#: Tables the seed fills (the search words and vocabulary through claims' insert trigger, migration 0004):
#: their secondary indexes are rebuilt after a big load, and they are vacuumed and analysed.
SEEDED_TABLES = ("claims", "claim_mentors", "status_changes", "claim_search_words", "search_vocabulary")

# One row per claim: the random draws (school, provider, window, status, one to three distinct mentors
# of a pool with their hours, submission time). References are 8 digits, unique and scattered:
# n -> n * 73939133 + offset (mod 10^8) is a bijection, the multiplier being prime to 10^8. Mentor i of
# the pool has TRN 1000000 + (i * 7919 + offset) mod 9000000 (a bijection too: distinct TRNs) and a
# name picked from FIRST and LAST by two multiplicative hashes of i, so no pool table is needed.
_DRAWS = """
INSERT INTO seed_draws (n, reference, school_urn, provider_code, window_id, status, trns, names, hours, submitted_at)
SELECT n, lpad(((n::bigint * 73939133 + $2::bigint) % 100000000)::text, 8, '0'), school_urn, provider_code,
       window_id, status,
       (ARRAY[(1000000 + (m1::bigint * 7919 + $9::bigint) % 9000000)::text,
              (1000000 + (m2::bigint * 7919 + $9::bigint) % 9000000)::text,
              (1000000 + (m3::bigint * 7919 + $9::bigint) % 9000000)::text])[1:k],
       (ARRAY[($10::text[])[1 + (m1::bigint * 40503 % 65521) % cardinality($10::text[])] || ' ' ||
              ($11::text[])[1 + (m1::bigint * 69069 % 65519) % cardinality($11::text[])],
              ($10::text[])[1 + (m2::bigint * 40503 % 65521) % cardinality($10::text[])] || ' ' ||
              ($11::text[])[1 + (m2::bigint * 69069 % 65519) % cardinality($11::text[])],
              ($10::text[])[1 + (m3::bigint * 40503 % 65521) % cardinality($10::text[])] || ' ' ||
              ($11::text[])[1 + (m3::bigint * 69069 % 65519) % cardinality($11::text[])]])[1:k],
       hours[1:k], submitted_at
FROM (SELECT n, m AS m1, (m + 1 + floor(random() * ($5::int / 3))::int) % $5::int AS m2,
             (m + $5::int / 3 + floor(random() * ($5::int / 3))::int) % $5::int AS m3,
             (ARRAY[1, 1, 2, 2, 3])[1 + floor(random() * 5)::int] AS k,
             (100000 + CASE WHEN n <= $3::int THEN n ELSE 1 + floor(random() * $3::int)::int END)::text AS school_urn,
             'P' || lpad((CASE WHEN n <= $4::int THEN n ELSE 1 + floor(random() * $4::int)::int END)::text, 3, '0')
                 AS provider_code,
             CASE WHEN random() < 0.7 THEN 'window-2026-27' ELSE 'window-2025-26' END AS window_id,
             CASE WHEN n <= cardinality($6::text[]) THEN ($6::text[])[n]
                  ELSE ($7::text[])[1 + floor(random() * cardinality($7::text[]))::int] END AS status,
             ARRAY[1 + floor(random() * 6)::int, 1 + floor(random() * 6)::int, 1 + floor(random() * 6)::int] AS hours,
             $8::timestamptz - make_interval(days => floor(random() * 301)::int, mins => floor(random() * 1441)::int)
                 AS submitted_at
      FROM (SELECT n, floor(random() * $5::int)::int AS m FROM generate_series(1, $1::int) n) picks) draws
"""
_DEMO_SCHOOL = """
UPDATE seed_draws SET school_urn = '100001',
       window_id = CASE WHEN n IN (1, 2, 6) THEN 'window-2026-27' ELSE window_id END
WHERE n IN (1, 2, 6, 8, 14) AND EXISTS (SELECT 1 FROM schools WHERE urn = '100001')
"""
_CLAIMS = """
INSERT INTO claims (reference, school_urn, school_name, trust_id, provider_id, provider_name, claim_window_id,
                    academic_year, status, region, hourly_rate, total_hours, amount, mentor_names, created_by,
                    created_at, submitted_at, sample_reason, provider_comment, clawback_amount)
SELECT d.reference, s.urn, s.name, s.trust_id, p.id, p.name, w.id, w.academic_year, d.status, s.region, r.rate,
       t.hours, r.rate * t.hours,
       (SELECT string_agg(trn || ' ' || name, '; ' ORDER BY o) FROM unnest(d.trns, d.names) WITH ORDINALITY u(trn, name, o)),
       'seed@claimflow', coalesce(t.submitted_at, $1), t.submitted_at,
       CASE WHEN d.status LIKE 'sampling%' OR d.status LIKE 'clawback%' THEN 'Random sample' END,
       CASE WHEN d.status IN ('sampling_provider_not_approved', 'sampling_not_approved') OR d.status LIKE 'clawback%'
            THEN 'Mentor did not attend all sessions' END,
       CASE WHEN d.status LIKE 'clawback%' THEN r.rate * d.hours[1] END
FROM seed_draws d
CROSS JOIN LATERAL (SELECT (SELECT sum(h)::int FROM unnest(d.hours) h) AS hours,
                           CASE WHEN d.status <> 'draft' THEN d.submitted_at END AS submitted_at) t
JOIN schools s ON s.urn = d.school_urn JOIN providers p ON p.code = d.provider_code
JOIN claim_windows w ON w.id = d.window_id JOIN seed_rates r ON r.region = s.region
ORDER BY d.n
"""
_MENTORS = """
INSERT INTO claim_mentors (claim_reference, trn, full_name, hours, provider_id)
SELECT d.reference, u.trn, u.name, u.hours, p.id
FROM seed_draws d JOIN providers p ON p.code = d.provider_code
CROSS JOIN LATERAL unnest(d.trns, d.names, d.hours) WITH ORDINALITY u(trn, name, hours, o)
ORDER BY d.n, u.o
"""
_HISTORY = """
INSERT INTO status_changes (claim_reference, from_status, to_status, caused_by, changed_at)
SELECT d.reference, NULL, d.status, 'seed', CASE WHEN d.status <> 'draft' THEN d.submitted_at ELSE $1 END
FROM seed_draws d ORDER BY d.n
"""
# Envelope members as Message.to_wire() writes them. Event and correlation ids are a random per-seed
# prefix and a per-claim counter ($5 || 12 hex digits): unique, and far cheaper than gen_random_uuid().
# The payload is built as json and stored as jsonb (jsonb_build_object sorts keys at every level: slower).
def _envelope(kind: int) -> str:
    return f"""'type', $2::text, 'event_id', ($5::text || lpad(to_hex(d.n::bigint * 4 + {kind}), 12, '0')),
    'occurred_at', $4::text, 'schema_version', $3::text,
    'correlation_id', ($5::text || lpad(to_hex(d.n::bigint * 4 + 3), 12, '0')), 'actor', NULL"""


_SUBMITTED = f"""
INSERT INTO outbox (event_id, topic, key, type, payload)
SELECT ($5::text || lpad(to_hex(d.n::bigint * 4), 12, '0'))::uuid, $1::text, d.reference, $2::text,
       json_build_object({_envelope(0)},
    'reference', d.reference, 'status', 'submitted',
    'school', json_build_object('urn', s.urn, 'name', s.name, 'postcode', s.postcode,
                                 'local_authority', s.local_authority, 'type_of_establishment', s.type_of_establishment,
                                 'region', s.region, 'group', coalesce(tr.name, ''), 'email', coalesce(s.email, ''),
                                 'phase_of_education', '', 'urban_rural', ''),
    'provider', json_build_object('id', p.id, 'name', p.name, 'code', p.code, 'email_addresses', to_json(p.email_addresses)),
    'claim_window_id', w.id, 'academic_year', w.academic_year, 'hourly_rate', r.rate::text,
    'amount', (r.rate * (SELECT sum(h) FROM unnest(d.hours) h))::text,
    'mentors', (SELECT json_agg(json_build_object('trn', trn, 'full_name', name, 'hours', hours) ORDER BY o)
                FROM unnest(d.trns, d.names, d.hours) WITH ORDINALITY u(trn, name, hours, o)),
    'submitted_at', to_char(d.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '+00:00',
    -- A third of the demo claims are submitted by their first mentor (the generated sample's mentor rule).
    'submitted_by_name', CASE WHEN d.n % 3 = 0 THEN d.names[1] ELSE '' END)::jsonb
FROM seed_draws d JOIN schools s ON s.urn = d.school_urn JOIN providers p ON p.code = d.provider_code
JOIN claim_windows w ON w.id = d.window_id JOIN seed_rates r ON r.region = s.region
LEFT JOIN trusts tr ON tr.id = s.trust_id
WHERE d.status <> 'draft' ORDER BY d.n
"""
_CHANGED = f"""
INSERT INTO outbox (event_id, topic, key, type, payload)
SELECT ($5::text || lpad(to_hex(d.n::bigint * 4 + 1), 12, '0'))::uuid, $1::text, d.reference, $2::text,
       json_build_object({_envelope(1)},
    'reference', d.reference, 'from_status', 'submitted', 'to_status', d.status, 'caused_by', 'seed',
    'caused_by_event_id', NULL, 'reason', NULL, 'provider_id', p.id,
    'amount', (r.rate * (SELECT sum(h) FROM unnest(d.hours) h))::text)::jsonb
FROM seed_draws d JOIN schools s ON s.urn = d.school_urn JOIN providers p ON p.code = d.provider_code
JOIN seed_rates r ON r.region = s.region
WHERE d.status NOT IN ('draft', 'submitted') ORDER BY d.n
"""


def _chunks(rows: list[Any], size: int = 5000):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


async def seed(database_url: str, *, claims_count: int = 60, schools_count: int | None = None,
               providers_count: int = 170, rng_seed: int = 2026, progress=print) -> dict[str, int]:
    rng = random.Random(rng_seed)
    engine = make_engine(database_url, pool_size=2)
    started = time.perf_counter()

    def step(what: str) -> None:
        if claims_count >= BULK:
            progress(f"  {time.perf_counter() - started:5.1f}s {what}")

    try:
        async with engine.begin() as conn:
            if await conn.scalar(select(func.count()).select_from(claims)):
                progress("claims already present: skipping the seed")
                return {"claims": 0}
            schools_count = schools_count or max(20, min(claims_count // 5, 20000))
            trust_rows = [{"id": f"{p.lower()}-trust", "name": f"{p} Trust"} for p in PLACES[:8]]
            await conn.execute(insert(trusts), trust_rows)
            school_rows = _schools(rng, schools_count, trust_rows)
            for chunk in _chunks(school_rows):
                await conn.execute(insert(schools), chunk)
            provider_rows = []
            for i in range(providers_count):
                name = "Best Practice Network" if i == 0 else f"{PLACES[i % len(PLACES)]} {PROVIDER_WORDS[i % len(PROVIDER_WORDS)]} {i // len(PLACES) + 1}"
                provider_rows.append({"id": uuid.UUID(int=rng.getrandbits(128)).hex, "name": name, "code": f"P{i + 1:03d}",
                                      "email_addresses": [f"audit@provider{i + 1}.example"]})
            await conn.execute(insert(providers), provider_rows)
            windows = [{"id": "window-2025-26", "starts_on": date(2025, 9, 1), "ends_on": date(2026, 7, 31),
                        "academic_year": "2025/26"},
                       {"id": "window-2026-27", "starts_on": date(2026, 9, 1), "ends_on": date(2027, 7, 31),
                        "academic_year": "2026/27"}]
            await conn.execute(insert(claim_windows), windows)
            await conn.execute(insert(platform["outbox"]), [
                _row(ProviderRegistered(provider_id=p["id"], name=p["name"], code=p["code"],
                                        email_addresses=tuple(p["email_addresses"]))) for p in provider_rows])
            step("organisations")

            raw = (await conn.get_raw_connection()).driver_connection
            rebuild = await _drop_indexes_and_keys(raw) if claims_count >= BULK else []
            await _generate(raw, rng, claims_count=claims_count, schools_count=schools_count,
                            providers_count=providers_count, step=step)
            if rebuild:
                await raw.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for statement in rebuild:
                    await raw.execute(statement)
                step(f"{len(rebuild)} indexes and foreign keys rebuilt")
            await _check_events(raw)
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in (*SEEDED_TABLES, "outbox"):
                await conn.execute(text(f"VACUUM (ANALYZE) {table}"))
        step("vacuumed and analysed")
        return {"schools": len(school_rows), "providers": len(provider_rows), "claims": claims_count}
    finally:
        await engine.dispose()


def _schools(rng: random.Random, count: int, trust_rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    school_rows = []
    for i in range(count):
        region = list(TOWNS)[i % 4] if i < 4 else rng.choice(list(TOWNS))
        town, pc = rng.choice(TOWNS[region])
        trust = trust_rows[i % len(trust_rows)]["id"] if i % 3 == 1 else None
        if i in (1, 4):  # the demo MAT user (northern-trust) has two schools at least
            trust = "northern-trust"
        school_rows.append({"urn": str(100001 + i), "name": f"{town} {rng.choice(['Primary', 'Academy', 'High', 'Juniors', 'C of E School'])} {i + 1}",
                            "postcode": f"{pc} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
                            "local_authority": town, "type_of_establishment": rng.choice(TYPES),
                            "district_code": None, "region": region, "trust_id": trust,
                            "email": f"office@school{i + 1}.example"})
    return school_rows


async def _generate(raw, rng: random.Random, *, claims_count: int, schools_count: int, providers_count: int,
                    step) -> None:
    """Claims, mentor lines, history and outbox events, generated in PostgreSQL from seeded random draws."""
    # The draws table is read several times: keep it in memory (allowed before the session's first temp table).
    await raw.execute("SET LOCAL temp_buffers = '512MB'")
    await raw.execute("SET LOCAL work_mem = '256MB'")  # the ORDER BY n of each load sorts in memory
    await raw.execute("""
        CREATE TEMP TABLE seed_rates (region text PRIMARY KEY, rate numeric(8, 2)) ON COMMIT DROP;
        CREATE TEMP TABLE seed_draws (n int, reference text, school_urn text, provider_code text, window_id text,
                                      status text, trns text[], names text[], hours int[], submitted_at timestamptz)
            ON COMMIT DROP;
    """)
    await raw.copy_records_to_table("seed_rates", records=list(HOURLY_RATES.items()))
    await raw.execute("SELECT setseed($1)", rng.uniform(-1, 1))
    weighted = [s for s, w in STATUS_WEIGHTS.items() for _ in range(w)]
    await raw.execute(_DRAWS, claims_count, rng.randrange(100_000_000), schools_count, providers_count,
                      max(50, claims_count // 2), list(STATUSES), weighted, NOW, rng.randrange(9_000_000), FIRST, LAST)
    # The demo school (URN 100001, school@example.com) has a draft and claims in several statuses, the
    # draft and the newest in the open window (docs/design.md §11): the first draws have a status each, in order.
    await raw.execute(_DEMO_SCHOOL)
    await raw.execute("ANALYZE seed_draws")
    step("random draws")
    await raw.execute(_CLAIMS, NOW)
    await raw.execute(_MENTORS)
    await raw.execute(_HISTORY, NOW)
    step(f"{claims_count:,} claims with their mentors and history")
    occurred = datetime.now(timezone.utc)
    occurred_json = ClaimStatusChanged(reference="-", from_status="-", to_status="-", caused_by="seed",
                                       occurred_at=occurred).to_wire()["occurred_at"]
    prefix = str(uuid.UUID(int=random.SystemRandom().getrandbits(128), version=4))[:24]  # unique per run
    for statement, message in ((_SUBMITTED, ClaimSubmitted), (_CHANGED, ClaimStatusChanged)):
        await raw.execute(statement, message.topic, message.__name__, "1.0", occurred_json, prefix)
    step("outbox events")


async def _check_events(raw) -> None:
    """The SQL-built payloads must read back as exactly what the Pydantic contracts write."""
    rows = await raw.fetch(
        "(SELECT payload::text FROM outbox WHERE type = 'ClaimSubmitted' ORDER BY id DESC LIMIT $1) UNION ALL "
        "(SELECT payload::text FROM outbox WHERE type = 'ClaimStatusChanged' ORDER BY id DESC LIMIT $1)", CHECKED)
    import json

    for (payload,) in rows:
        data = json.loads(payload)
        if decode(dict(data)).to_wire() != data:
            raise AssertionError(f"a seeded event does not match its contract: {payload}")


async def _drop_indexes_and_keys(raw) -> list[str]:
    """Drop the seeded tables' secondary indexes and foreign keys; return the statements that recreate them.

    The definitions are read from the catalogue, so the rebuild always matches the migrations.
    Primary keys stay (the foreign keys need them).
    """
    keys = await raw.fetch(
        "SELECT conrelid::regclass::text AS tab, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid::regclass::text = ANY($1::text[]) ORDER BY conname", list(SEEDED_TABLES))
    indexes = await raw.fetch(
        "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i "
        "WHERE i.indrelid::regclass::text = ANY($1::text[]) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
        list(SEEDED_TABLES))
    for k in keys:
        await raw.execute(f'ALTER TABLE {k["tab"]} DROP CONSTRAINT "{k["conname"]}"')
    for i in indexes:
        await raw.execute(f'DROP INDEX {i["name"]}')
    return [i["def"] for i in indexes] + [f'ALTER TABLE {k["tab"]} ADD CONSTRAINT "{k["conname"]}" {k["def"]}'
                                          for k in keys]


def _row(message) -> dict[str, Any]:
    return {"event_id": message.event_id, "topic": message.topic, "key": message.key, "type": message.type,
            "payload": message.to_wire()}
