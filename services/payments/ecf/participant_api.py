"""Internal routes of docs/design.md §15 (added to ``api.build_router``'s two routers):

Lead providers (JSON:API, v3 shapes): ``GET /ecf/participants``, ``GET /ecf/participants/{id}``,
``PUT /ecf/participants/{id}/withdraw`` | ``/defer`` | ``/resume`` | ``/change-schedule``.

Finance: ``GET /finance/participants?q=&duplicates=true``, ``GET /finance/participants/{id}``,
``POST /finance/participants/{id}/eligible``, ``POST /finance/participants/{id}/induction-start-date``,
``POST /finance/cohorts/{cohort}/freeze``, ``GET /finance/cohorts/frozen``, ``POST
/finance/statements/{id}/notes``, ``POST /finance/contracts/{id}/bands/{band}/capacity``,
``GET /finance/schedules``.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from fastapi import APIRouter, Depends, Request

from shared.contracts import Actor, NotFound
from shared.contracts.http.ecf import (BandCapacity, CohortFrozen, CohortList, Participant, ParticipantChanged,
                                       ParticipantList, ScheduleList, StatementNotes)

from . import handlers, jsonapi, participant_handlers as ph
from .http import (DEFAULT_PER_PAGE, MAX_PER_PAGE, BadRequest, CapacityIn, FreezeIn, InductionStartIn, NoteIn,
                   actor_of, cohort_filter, page_number, parse, read_body, updated_since_filter)
from .rows import as_uuid

ACTIONS = ("withdraw", "defer", "resume")


def _attributes(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw or b"null")
    except ValueError:
        document = None
    data = document.get("data") if isinstance(document, dict) else None
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict):
        raise BadRequest("Bad or missing parameters", "Correct json data structure required. See API docs for reference.")
    return attributes


def participant_document(row: dict[str, Any]) -> dict[str, Any]:
    """Finance's view of a participant (``GET /finance/participants``)."""
    changes = list(row.get("changes") or ())
    return {"id": row["id"], "lead_provider_id": row["lead_provider_id"], "cohort": row["cohort"],
            "schedule_identifier": row["schedule_identifier"], "trn": row["trn"], "full_name": row["full_name"],
            "course_identifier": row["course_identifier"], "funding_eligible": row["funding_eligible"],
            "date_of_birth": row["date_of_birth"].isoformat() if row.get("date_of_birth") else None,
            "induction_start_date": row["induction_start_date"].isoformat() if row.get("induction_start_date") else None,
            "temporary_cohort": not row.get("cohort_confirmed", True),
            "status": changes[-1].status if changes else "active", "retired_into": row.get("retired_into"),
            "status_changes": [{"status": c.status, "reason": c.reason, "at": c.at.isoformat()} for c in changes]}


def add_participant_routes(finance: APIRouter, ecf: APIRouter, uow_factory: Callable, clock: Any,
                           lead_provider: Callable) -> None:
    # -------------------------------------------------------------- lead providers (v3)
    @ecf.get("/participants")
    async def list_participants(request: Request, lp: dict = Depends(lead_provider)):
        q = request.query_params
        page = page_number(q.get("page[page]"), "page", 1)
        per_page = page_number(q.get("page[per_page]"), "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        async with uow_factory() as uow:
            rows, total = await uow.ecf.participant_rows(
                lead_provider_id=lp["id"], cohort=cohort_filter(q.get("filter[cohort]")),
                updated_since=updated_since_filter(q.get("filter[updated_since]")), page=page, per_page=per_page)
        return {"data": [jsonapi.participant_resource(r) for r in rows],
                "meta": {"total": total, "page": page, "per_page": per_page}}

    async def one(uow, lp: dict, participant_id: str) -> dict[str, Any]:
        key = as_uuid(participant_id)
        rows, _ = await uow.ecf.participant_rows(lead_provider_id=lp["id"], ids=[key] if key else [], per_page=1)
        if not rows:
            raise NotFound("Nothing could be found for your query")
        return {"data": jsonapi.participant_resource(rows[0])}

    @ecf.get("/participants/{participant_id}")
    async def show_participant(participant_id: str, lp: dict = Depends(lead_provider)):
        async with uow_factory() as uow:
            return await one(uow, lp, participant_id)

    @ecf.put("/participants/{participant_id}/{action}")
    async def participant_action(participant_id: str, action: str, request: Request,
                                 lp: dict = Depends(lead_provider)):
        if action not in (*ACTIONS, "change-schedule"):
            raise NotFound("Nothing could be found for your query")
        attributes = _attributes(await request.body())
        async with uow_factory() as uow:
            if action == "change-schedule":
                await ph.change_schedule(uow, clock, lead_provider_id=lp["id"], participant_id=participant_id,
                                         attributes=attributes)
            else:
                await ph.change_participant_status(uow, clock, lead_provider_id=lp["id"],
                                                   participant_id=participant_id, action=action, attributes=attributes)
        async with uow_factory() as uow:
            return await one(uow, lp, participant_id)

    # -------------------------------------------------------------- finance
    @finance.get("/participants", response_model=ParticipantList)
    async def find_participants(q: str | None = None, duplicates: bool = False, page: int = 1, per_page: int = 50):
        page, per_page = max(page, 1), min(max(per_page, 1), 500)
        async with uow_factory() as uow:
            if duplicates:
                pairs = await ph.duplicates(uow)
                items = [{"participant": participant_document(p["participant"]),
                          "duplicate_of": participant_document(p["duplicate_of"]), "reason": p["reason"]}
                         for p in pairs]
                return {"items": items, "total": len(items), "page": 1}
            rows, total = await uow.ecf.participant_rows(q=(q or "").strip()[:200] or None, page=page,
                                                         per_page=per_page)
        return {"items": [participant_document(r) for r in rows], "total": total, "page": page}

    @finance.get("/participants/{participant_id}", response_model=Participant)
    async def participant_detail(participant_id: str):
        key = as_uuid(participant_id)
        async with uow_factory() as uow:
            rows, _ = await uow.ecf.participant_rows(ids=[key] if key else [], per_page=1)
            if not rows:
                raise NotFound(f"There is no participant with the id {participant_id}", field="id")
            found = await uow.ecf.declarations_of([rows[0]["id"]])
        return {**participant_document(rows[0]), "declarations": [
            {"id": d.id, "declaration_type": d.declaration_type, "state": d.state,
             "declaration_date": d.declaration_date.isoformat(), "statement_id": d.statement_id} for d in found]}

    @finance.post("/participants/{participant_id}/eligible", response_model=ParticipantChanged)
    async def make_eligible(participant_id: str):
        async with uow_factory() as uow:
            return await handlers.make_participant_eligible(uow, clock, participant_id=participant_id)

    @finance.post("/participants/{participant_id}/induction-start-date",
                  response_model=ParticipantChanged)
    async def induction_start(participant_id: str, request: Request):
        body = parse(InductionStartIn, await read_body(request))
        async with uow_factory() as uow:
            return await ph.record_induction_start(uow, clock, participant_id=participant_id,
                                                   induction_start_date=body.induction_start_date, cohort=body.cohort)

    @finance.post("/cohorts/{cohort}/freeze", response_model=CohortFrozen)
    async def freeze(cohort: int, request: Request, actor: Actor | None = Depends(actor_of)):
        raw = await read_body(request)
        body = parse(FreezeIn, raw if raw is not None else {})
        async with uow_factory() as uow:
            return await ph.freeze_cohort(uow, clock, cohort=cohort, move_to=body.move_to_cohort, actor=actor)

    @finance.get("/cohorts/frozen", response_model=CohortList)
    async def frozen():
        async with uow_factory() as uow:
            found = sorted(await uow.ecf.frozen_cohorts())
        return {"items": found, "total": len(found), "page": 1}

    @finance.post("/statements/{statement_id}/notes", status_code=201, response_model=StatementNotes)
    async def add_note(statement_id: str, request: Request, actor: Actor | None = Depends(actor_of)):
        body = parse(NoteIn, await read_body(request))
        async with uow_factory() as uow:
            await ph.add_note(uow, clock, statement_id=statement_id, text=body.text, actor=actor)
            notes = await uow.ecf.notes(statement_id)
        return {"notes": [{"text": n["text"], "created_by": n["created_by"], "created_at": n["created_at"].isoformat()}
                          for n in notes]}

    @finance.post("/contracts/{contract_id}/bands/{band}/capacity", response_model=BandCapacity)
    async def raise_capacity(contract_id: str, band: str, request: Request):
        body = parse(CapacityIn, await read_body(request))
        async with uow_factory() as uow:
            return await ph.raise_band_capacity(uow, contract_id=contract_id, band=band, new_max=body.max)

    @finance.get("/schedules", response_model=ScheduleList)
    async def schedules():
        async with uow_factory() as uow:
            found = await uow.ecf.all_schedules()
        return {"items": found, "total": len(found), "page": 1}
