"""Internal HTTP API for schools as support runs them (docs/design.md §14): the schools list and a school's
page, and GIAS uploads (upload → review → confirm or cancel)."""
from __future__ import annotations

import asyncio
from typing import Any, Callable

from fastapi import APIRouter, Depends, File, Query, UploadFile

from shared.contracts.http.claims import GiasFinished, GiasUpload, GiasUploaded, SchoolDetail, SchoolList

from .api import ActorContext, actor_context
from .gias.extract import read_establishments, read_successors
from .handlers.gias import FinishGias, UploadGias, handle_finish_gias, handle_upload_gias
from .ports import Deps


def school_item(s: dict[str, Any]) -> dict[str, Any]:
    return {"urn": s["urn"], "name": s["name"], "postcode": s["postcode"], "local_authority": s["local_authority"],
            "type_of_establishment": s["type_of_establishment"], "phase_of_education": s["phase_of_education"],
            "urban_rural": s["urban_rural"], "region": s["region"], "district_code": s["district_code"],
            "trust_id": s["trust_id"], "trust_name": s.get("trust_name"),
            "establishment_status": s["establishment_status"],
            "closed_on": s["closed_on"].isoformat() if s["closed_on"] else None, "successor_urn": s["successor_urn"]}


def upload_item(u: dict[str, Any]) -> dict[str, Any]:
    return {"upload_id": u["id"], "status": u["status"], "file_name": u["file_name"],
            "links_file_name": u["links_file_name"], "row_count": u["row_count"], "new": u["new_count"],
            "changed": u["changed_count"], "closed": u["closed_count"], "created_by": u["created_by"],
            "created_at": u["created_at"].isoformat(),
            "confirmed_at": u["confirmed_at"].isoformat() if u["confirmed_at"] else None}


def build_router(uow_factory: Callable, deps: Deps, districts: dict[str, str], auth: Callable) -> APIRouter:
    router = APIRouter(prefix="/internal/v1", dependencies=[Depends(auth)])

    @router.post("/schools/gias", status_code=201, response_model=GiasUploaded)
    async def upload_gias(file: UploadFile | None = File(default=None), links: UploadFile | None = File(default=None),
                          ctx: ActorContext = Depends(actor_context)):
        from shared.csvfiles import CsvRejected
        from shared.csvfiles.messages import SELECT_A_FILE, file_error

        if file is None or not file.filename:
            raise CsvRejected([file_error(SELECT_A_FILE)])
        data = await file.read()
        # Reading 50,000 rows of 300 columns takes a few seconds: off the event loop, so the
        # service's consumers and other requests carry on meanwhile.
        schools = await asyncio.to_thread(read_establishments, data)
        successors = None
        if links is not None and links.filename:
            successors = await asyncio.to_thread(read_successors, await links.read())
        async with uow_factory() as uow:
            return await handle_upload_gias(
                UploadGias(schools, successors, file.filename, links.filename if links else None, ctx.actor),
                uow, deps.clock, districts=districts, new_id=deps.new_id)

    @router.get("/schools/gias/{upload_id}", response_model=GiasUpload)
    async def gias_upload(upload_id: str):
        async with uow_factory() as uow:
            return upload_item(await uow.gias.upload(upload_id))

    @router.post("/schools/gias/{upload_id}/confirm", response_model=GiasFinished)
    async def confirm_gias(upload_id: str, ctx: ActorContext = Depends(actor_context)):
        async with uow_factory() as uow:
            return await handle_finish_gias(FinishGias(upload_id, True, ctx.actor), uow, deps.clock)

    @router.post("/schools/gias/{upload_id}/cancel", response_model=GiasFinished)
    async def cancel_gias(upload_id: str, ctx: ActorContext = Depends(actor_context)):
        async with uow_factory() as uow:
            return await handle_finish_gias(FinishGias(upload_id, False, ctx.actor), uow, deps.clock)

    @router.get("/schools", response_model=SchoolList)
    async def schools(q: str | None = Query(default=None, max_length=200), page: int = Query(default=1, ge=1),
                      per_page: int = Query(default=25, ge=1, le=500)):
        async with uow_factory() as uow:
            rows, total = await uow.gias.search((q or "").strip() or None, page=page, per_page=per_page)
        return {"items": [school_item(r) for r in rows], "total": total, "page": page, "per_page": per_page}

    @router.get("/schools/{urn}", response_model=SchoolDetail)
    async def school(urn: str):
        async with uow_factory() as uow:
            found = await uow.organisations.school(urn)
            successor = None
            if found["successor_urn"]:
                names = await uow.gias.names([found["successor_urn"]])
                successor = {"urn": found["successor_urn"], "name": names.get(found["successor_urn"])}
        return {**school_item(found), "successor": successor}

    return router
