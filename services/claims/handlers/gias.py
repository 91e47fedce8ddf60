"""Schools from GIAS (docs/design.md §14): a validated extract is kept pending with the counts support
reviews, and written once when confirmed.

Counts, each school in one of them: *new* — a URN ClaimFlow does not know; *closed* — a known
school that was not closed and is closed in the extract; *changed* — any other known school whose
values differ. Schools missing from the extract are left as they are. A school's region comes from
its district (§3); its trust is the extract's (none when the extract names none); its successor
comes from the links file when one is uploaded, and is kept as it was otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from shared.contracts import ActivityRecorded, Actor, Refused

from ..domain.funding import region_for
from ..gias.extract import CLOSED, GiasSchool
from ..gias.repository import COMPARED
from ..ports import Clock, ClaimsUnitOfWork


@dataclass(frozen=True)
class UploadGias:
    schools: list[GiasSchool]
    successors: dict[str, str] | None
    file_name: str
    links_file_name: str | None
    actor: Actor


def trust_id_of(school: GiasSchool) -> str | None:
    if school.trust_code:
        return school.trust_code
    if school.trust_name:
        return "".join(ch if ch.isalnum() else "-" for ch in school.trust_name.lower()).strip("-")[:64] or None
    return None


async def handle_upload_gias(command: UploadGias, uow: ClaimsUnitOfWork, clock: Clock, *,
                             districts: dict[str, str], new_id: Callable[[], str]) -> dict[str, Any]:
    known = await uow.gias.known_schools()
    successor_at = COMPARED.index("successor_urn")
    closed_at = COMPARED.index("establishment_status")
    rows: list[dict[str, Any]] = []
    trusts: dict[str, str] = {}
    new = changed = closed = 0
    for s in command.schools:
        trust_id = trust_id_of(s)
        if trust_id:
            trusts[trust_id] = s.trust_name or trusts.get(trust_id) or trust_id
        before = known.get(s.urn)
        successor = (command.successors.get(s.urn) if command.successors is not None
                     else before[successor_at] if before else None)
        values = (s.name, s.postcode, s.local_authority, s.type_of_establishment, s.district_code or None,
                  region_for(None, s.district_code, districts), trust_id, s.phase_of_education, s.urban_rural,
                  s.establishment_status, s.closed_on, successor)
        if before is None:
            new += 1
        elif s.establishment_status == CLOSED and before[closed_at] != CLOSED:
            closed += 1
        elif values != before:
            changed += 1
        row = dict(zip(COMPARED, values))
        row["urn"] = s.urn
        row["closed_on"] = s.closed_on.isoformat() if s.closed_on else None
        rows.append(row)
    upload = {"id": new_id(), "status": "pending", "file_name": command.file_name[:300],
              "links_file_name": (command.links_file_name or "")[:300] or None, "created_by": command.actor.email,
              "created_at": clock.now(), "row_count": len(rows), "new_count": new, "changed_count": changed,
              "closed_count": closed, "schools": rows,
              "trusts": [{"id": k, "name": v} for k, v in trusts.items()]}
    await uow.gias.add_upload(upload)
    await uow.commit()
    return {"upload_id": upload["id"], "new": new, "changed": changed, "closed": closed}


@dataclass(frozen=True)
class FinishGias:
    upload_id: str
    confirm: bool
    actor: Actor


async def handle_finish_gias(command: FinishGias, uow: ClaimsUnitOfWork, clock: Clock) -> dict[str, Any]:
    """Confirm (apply) or cancel a pending upload, once: a second confirm or cancel is refused."""
    upload = await uow.gias.upload(command.upload_id, for_update=True)
    if upload["status"] != "pending":
        raise Refused(f"This file has already been {upload['status']}", field="upload_id")
    if command.confirm:
        await uow.gias.apply(command.upload_id)
        uow.emit(ActivityRecorded(
            title=f"Schools updated from GIAS: {upload['new_count']:,} new, {upload['changed_count']:,} changed, "
                  f"{upload['closed_count']:,} closed", action="schools_imported",
            files=tuple({"name": name, "kind": "upload", "rows": upload["row_count"]}
                        for name in (upload["file_name"], upload["links_file_name"]) if name),
            source="claims", actor=command.actor, occurred_at=clock.now()))
    await uow.gias.finish(command.upload_id, status="confirmed" if command.confirm else "cancelled", at=clock.now())
    await uow.commit()
    return {"upload_id": command.upload_id, "status": "confirmed" if command.confirm else "cancelled",
            "new": upload["new_count"], "changed": upload["changed_count"], "closed": upload["closed_count"]}
