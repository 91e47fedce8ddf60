"""Schools, accredited providers and claim windows: the organisations claims are made for."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from shared.contracts import ActivityRecorded, Actor, ClaimWindowOpened, ProviderRegistered, Refused

from ..domain.funding import academic_year_start, region_for
from ..ports import Clock, ClaimsUnitOfWork

REGIONS_CSV = Path(__file__).parent.parent / "domain" / "regions.csv"


def load_districts(path: str | Path | None = None) -> dict[str, str]:
    source = Path(path) if path else REGIONS_CSV
    with open(source, newline="", encoding="utf-8") as fh:
        return {r["district_code"].strip().upper(): r["region"].strip() for r in csv.DictReader(fh)}


def parse_schools_csv(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]


@dataclass(frozen=True)
class ImportSchools:
    """GIAS-style rows, already validated as a file."""

    rows: list[dict[str, str]]
    actor: Actor
    file_name: str


async def handle_import_schools(command: ImportSchools, uow: ClaimsUnitOfWork, clock: Clock, *,
                                districts: dict[str, str]) -> dict[str, int]:
    """Create or update schools (and their trusts, from the group column)."""
    trusts = {}
    schools = []
    for r in command.rows:
        group = (r.get("group") or "").strip()
        trust_id = _slug(group) if group else None
        if trust_id:
            trusts[trust_id] = {"id": trust_id, "name": group}
        schools.append({
            "urn": r["urn"].strip(), "name": r["name"].strip(), "postcode": (r.get("postcode") or "").strip(),
            "local_authority": (r.get("local_authority") or "").strip(),
            "type_of_establishment": (r.get("type_of_establishment") or "").strip(),
            "district_code": (r.get("district_code") or "").strip() or None,
            "region": region_for(r.get("region"), r.get("district_code"), districts),
            "trust_id": trust_id, "email": (r.get("email") or "").strip() or None,
            "phase_of_education": (r.get("phase_of_education") or "").strip()[:100],
            "urban_rural": (r.get("urban_rural") or "").strip()[:100],
        })
    await uow.organisations.upsert_trusts(list(trusts.values()))
    created, updated = await uow.organisations.upsert_schools(schools)
    uow.emit(ActivityRecorded(title=f"Schools imported: {created} added, {updated} updated", action="schools_imported",
                              files=({"name": command.file_name, "kind": "upload", "rows": len(command.rows)},),
                              source="claims", actor=command.actor, occurred_at=clock.now()))
    await uow.commit()
    return {"created": created, "updated": updated}


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")[:64]


@dataclass(frozen=True)
class AddProvider:
    name: str
    code: str
    email_addresses: list[str]
    actor: Actor | None


async def handle_add_provider(command: AddProvider, uow: ClaimsUnitOfWork, clock: Clock, *,
                              new_id: Callable[[], str]) -> dict[str, Any]:
    """Register an accredited provider: a name, a code no other provider has, and well-formed
    email addresses (blank ones dropped)."""
    if not command.name.strip():
        raise Refused("Enter the accredited provider’s name", field="name")
    if not command.code.strip():
        raise Refused("Enter the accredited provider’s code", field="code")
    emails = [e.strip() for e in command.email_addresses if e.strip()]
    for e in emails:
        if "@" not in e or " " in e:
            raise Refused("Enter an email address in the correct format, like name@example.com",
                          field="email_addresses")
    row = {"id": new_id(), "name": command.name.strip(), "code": command.code.strip().upper(), "email_addresses": emails}
    await uow.organisations.add_provider(row)
    uow.emit(ProviderRegistered(provider_id=row["id"], name=row["name"], code=row["code"],
                                email_addresses=tuple(emails), actor=command.actor, occurred_at=clock.now()))
    await uow.commit()
    return row


@dataclass(frozen=True)
class AddClaimWindow:
    starts_on: date
    ends_on: date
    academic_year: str
    actor: Actor | None


async def handle_add_claim_window(command: AddClaimWindow, uow: ClaimsUnitOfWork, clock: Clock, *,
                                  new_id: Callable[[], str]) -> dict[str, Any]:
    """Open a claim window: it closes after it opens, names a valid academic year and overlaps no
    other window."""
    if command.ends_on <= command.starts_on:
        raise Refused("Enter a window closing date that is after the opening date", field="ends_on")
    academic_year_start(command.academic_year)
    row = {"id": new_id(), "starts_on": command.starts_on, "ends_on": command.ends_on,
           "academic_year": command.academic_year.strip()}
    await uow.organisations.add_window(row)
    uow.emit(ClaimWindowOpened(claim_window_id=row["id"], starts_on=command.starts_on, ends_on=command.ends_on,
                               academic_year=row["academic_year"], actor=command.actor))
    await uow.commit()
    return row
