"""Demo and benchmark data for the claims service, written in bulk through the service's own
tables and outbox (so every other service builds its projection from the usual events).

Realistic shape: schools in all four regions (some in multi-academy trusts), ~170 accredited
providers, mentors with 7-digit TRNs, a past and a current claim window, and claims in every
status. Claims beyond ``submitted`` are given the status the facts of other services would have
produced; their history records ``seed`` as the cause.
"""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select

from shared.contracts import ClaimStatusChanged, ClaimSubmitted, MentorLine, ProviderRegistered, ProviderSnapshot, SchoolSnapshot
from shared.platform.db import make_engine

from .domain.funding import HOURLY_RATES
from .domain.status import STATUSES
from .tables import claim_mentors, claim_windows, claims, platform, providers, schools, status_changes, trusts

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


def _chunks(rows: list[Any], size: int = 5000):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


async def seed(database_url: str, *, claims_count: int = 60, schools_count: int | None = None,
               providers_count: int = 170, rng_seed: int = 2026, progress=print) -> dict[str, int]:
    rng = random.Random(rng_seed)
    engine = make_engine(database_url, pool_size=2)
    try:
        async with engine.begin() as conn:
            if await conn.scalar(select(func.count()).select_from(claims)):
                progress("claims already present: skipping the seed")
                return {"claims": 0}
            schools_count = schools_count or max(20, min(claims_count // 5, 20000))
            trust_rows = [{"id": f"{p.lower()}-trust", "name": f"{p} Trust"} for p in PLACES[:8]]
            await conn.execute(insert(trusts), trust_rows)
            school_rows = []
            for i in range(schools_count):
                region = list(TOWNS)[i % 4] if i < 4 else rng.choice(list(TOWNS))
                town, pc = rng.choice(TOWNS[region])
                trust = trust_rows[i % len(trust_rows)]["id"] if i % 3 == 1 else None
                if i == 1:
                    trust = "northern-trust"
                school_rows.append({"urn": str(100001 + i), "name": f"{town} {rng.choice(['Primary', 'Academy', 'High', 'Juniors', 'C of E School'])} {i + 1}",
                                    "postcode": f"{pc} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
                                    "local_authority": town, "type_of_establishment": rng.choice(TYPES),
                                    "district_code": None, "region": region, "trust_id": trust,
                                    "email": f"office@school{i + 1}.example"})
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
            outbox = [_row(ProviderRegistered(provider_id=p["id"], name=p["name"], code=p["code"],
                                              email_addresses=tuple(p["email_addresses"]))) for p in provider_rows]
            await conn.execute(insert(platform["outbox"]), outbox)

            statuses, weights = zip(*STATUS_WEIGHTS.items())
            references = rng.sample(range(100_000_000), claims_count)
            trust_names = {t["id"]: t["name"] for t in trust_rows}
            claim_rows, mentor_rows, change_rows, outbox = [], [], [], []
            mentor_pool = [(f"{rng.randrange(10**6, 10**7)}", f"{rng.choice(FIRST)} {rng.choice(LAST)}")
                           for _ in range(max(50, claims_count // 2))]
            for n, ref_number in enumerate(references):
                reference = f"{ref_number:08d}"
                school = school_rows[n % len(school_rows)] if n < len(school_rows) else rng.choice(school_rows)
                provider = provider_rows[n % len(provider_rows)] if n < len(provider_rows) else rng.choice(provider_rows)
                window = windows[1] if rng.random() < 0.7 else windows[0]
                status = statuses[n] if n < len(statuses) else rng.choices(statuses, weights)[0]
                picked = {}
                while len(picked) < rng.choice((1, 1, 2, 2, 3)):
                    trn, name = rng.choice(mentor_pool)
                    picked[trn] = name
                lines = [MentorLine(trn=t, full_name=nm, hours=rng.randint(1, 6)) for t, nm in picked.items()]
                rate = HOURLY_RATES[school["region"]]
                total = sum(m.hours for m in lines)
                amount = (rate * total).quantize(Decimal("0.01"))
                submitted_at = None if status == "draft" else NOW - timedelta(days=rng.randint(0, 300), minutes=rng.randint(0, 1440))
                claim_rows.append({
                    "reference": reference, "school_urn": school["urn"], "school_name": school["name"],
                    "trust_id": school["trust_id"], "provider_id": provider["id"], "provider_name": provider["name"],
                    "claim_window_id": window["id"], "academic_year": window["academic_year"], "status": status,
                    "region": school["region"], "hourly_rate": rate, "total_hours": total, "amount": amount,
                    "mentor_names": "; ".join(f"{m.trn} {m.full_name}" for m in lines),
                    "created_by": "seed@claimflow", "created_at": submitted_at or NOW, "submitted_at": submitted_at,
                    "sample_reason": "Random sample" if status.startswith(("sampling", "clawback")) else None,
                    "provider_comment": "Mentor did not attend all sessions"
                    if status in ("sampling_provider_not_approved", "sampling_not_approved") or status.startswith("clawback") else None,
                    "clawback_amount": (rate * lines[0].hours).quantize(Decimal("0.01")) if status.startswith("clawback") else None,
                })
                for m in lines:
                    mentor_rows.append({"claim_reference": reference, "trn": m.trn, "full_name": m.full_name,
                                        "hours": m.hours, "provider_id": provider["id"]})
                change_rows.append({"claim_reference": reference, "from_status": None, "to_status": status,
                                    "caused_by": "seed", "changed_at": submitted_at or NOW})
                if status != "draft":
                    outbox.append(_row(ClaimSubmitted(
                        reference=reference, status="submitted",
                        school=SchoolSnapshot(urn=school["urn"], name=school["name"], postcode=school["postcode"],
                                              local_authority=school["local_authority"],
                                              type_of_establishment=school["type_of_establishment"],
                                              region=school["region"], group=trust_names.get(school["trust_id"], ""),
                                              email=school["email"]),
                        provider=ProviderSnapshot(id=provider["id"], name=provider["name"], code=provider["code"],
                                                  email_addresses=tuple(provider["email_addresses"])),
                        claim_window_id=window["id"], academic_year=window["academic_year"], hourly_rate=rate,
                        amount=amount, mentors=tuple(lines), submitted_at=submitted_at.isoformat())))
                    if status != "submitted":
                        outbox.append(_row(ClaimStatusChanged(reference=reference, from_status="submitted",
                                                              to_status=status, caused_by="seed",
                                                              provider_id=provider["id"], amount=amount)))
                if len(claim_rows) >= 5000:
                    await _flush(conn, claim_rows, mentor_rows, change_rows, outbox)
                    progress(f"  {n + 1:,} of {claims_count:,} claims")
            await _flush(conn, claim_rows, mentor_rows, change_rows, outbox)
        return {"schools": len(school_rows), "providers": len(provider_rows), "claims": claims_count}
    finally:
        await engine.dispose()


async def _flush(conn, claim_rows, mentor_rows, change_rows, outbox) -> None:
    for table, rows in ((claims, claim_rows), (claim_mentors, mentor_rows), (status_changes, change_rows),
                        (platform["outbox"], outbox)):
        for chunk in _chunks(rows, 3000):
            await conn.execute(insert(table), chunk)
        rows.clear()


def _row(message) -> dict[str, Any]:
    return {"event_id": message.event_id, "topic": message.topic, "key": message.key, "type": message.type,
            "payload": message.to_wire()}
