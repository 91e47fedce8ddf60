"""Schools, accredited providers and claim windows: the organisations claims are made for."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from shared.contracts import ActivityRecorded, Actor, ClaimWindowOpened, ProviderRegistered, Refused
from shared.contracts.identifiers import email_error

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
    values = _provider_values(command.name, command.code, command.email_addresses)
    row = {"id": new_id(), **values}
    emails = values["email_addresses"]
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
    check_window_dates(command.starts_on, command.ends_on, await uow.organisations.list_windows())
    academic_year_start(command.academic_year)
    row = {"id": new_id(), "starts_on": command.starts_on, "ends_on": command.ends_on,
           "academic_year": command.academic_year.strip()}
    await uow.organisations.add_window(row)
    uow.emit(ClaimWindowOpened(claim_window_id=row["id"], starts_on=command.starts_on, ends_on=command.ends_on,
                               academic_year=row["academic_year"], actor=command.actor))
    await uow.commit()
    return row


def _provider_values(name: str, code: str, email_addresses: list[str]) -> dict[str, Any]:
    if not name.strip():
        raise Refused("Enter the accredited provider’s name", field="name")
    if not code.strip():
        raise Refused("Enter the accredited provider’s code", field="code")
    emails = [e.strip() for e in email_addresses if e.strip()]
    for e in emails:
        if error := email_error(e):
            raise Refused(error, field="email_addresses")
    return {"name": name.strip()[:300], "code": code.strip().upper()[:32], "email_addresses": emails}


@dataclass(frozen=True)
class EditProvider:
    provider_id: str
    name: str
    code: str
    email_addresses: list[str]
    actor: Actor | None


async def handle_edit_provider(command: EditProvider, uow: ClaimsUnitOfWork, clock: Clock) -> dict[str, Any]:
    """Change a provider's name, code or sampling email addresses, by the rules of adding one; the
    other services learn the new details from ``ProviderRegistered`` again."""
    await uow.organisations.provider(command.provider_id)
    values = _provider_values(command.name, command.code, command.email_addresses)
    await uow.organisations.update_provider(command.provider_id, values)
    uow.emit(ProviderRegistered(provider_id=command.provider_id, name=values["name"], code=values["code"],
                                email_addresses=tuple(values["email_addresses"]), actor=command.actor,
                                occurred_at=clock.now()))
    await uow.commit()
    return {"id": command.provider_id, **values}


def check_window_dates(starts_on: date, ends_on: date, others: list[dict[str, Any]]) -> None:
    """A window closes after it opens; neither date falls within another window, and it does not
    enclose another window (DfE's three messages)."""
    if ends_on <= starts_on:
        raise Refused("Enter a window closing date that is after the opening date", field="ends_on")
    for field_name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if any(w["starts_on"] <= day <= w["ends_on"] for w in others):
            raise Refused("Select a date that is not within an existing claim window", field=field_name)
    if any(starts_on <= w["starts_on"] and w["ends_on"] <= ends_on for w in others):
        raise Refused("A claim window already exists within the selected dates", field="starts_on")


@dataclass(frozen=True)
class EditClaimWindow:
    claim_window_id: str
    starts_on: date
    ends_on: date
    academic_year: str
    actor: Actor | None


async def handle_edit_claim_window(command: EditClaimWindow, uow: ClaimsUnitOfWork, clock: Clock) -> dict[str, Any]:
    await uow.organisations.window(command.claim_window_id)
    others = [w for w in await uow.organisations.list_windows() if w["id"] != command.claim_window_id]
    check_window_dates(command.starts_on, command.ends_on, others)
    academic_year_start(command.academic_year)
    values = {"starts_on": command.starts_on, "ends_on": command.ends_on,
              "academic_year": command.academic_year.strip()}
    await uow.organisations.update_window(command.claim_window_id, values)
    uow.emit(ClaimWindowOpened(claim_window_id=command.claim_window_id, starts_on=command.starts_on,
                               ends_on=command.ends_on, academic_year=values["academic_year"], actor=command.actor))
    await uow.commit()
    return {"id": command.claim_window_id, **values}


@dataclass(frozen=True)
class DeleteClaimWindow:
    claim_window_id: str
    actor: Actor | None


async def handle_delete_claim_window(command: DeleteClaimWindow, uow: ClaimsUnitOfWork, clock: Clock) -> None:
    """Only a window that has not opened yet (and so has no claims) can be deleted."""
    window = await uow.organisations.window(command.claim_window_id)
    if window["starts_on"] <= clock.today() or await uow.organisations.window_has_claims(command.claim_window_id):
        raise Refused("You can only delete a claim window that has not opened yet", field="claim_window_id")
    await uow.organisations.delete_window(command.claim_window_id)
    await uow.commit()
