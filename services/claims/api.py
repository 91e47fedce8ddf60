"""Internal HTTP API of the claims service (called by the gateway only, with the internal token).

The gateway authenticates people and passes who is acting in headers: ``X-Actor-Email``,
``X-Actor-Role`` and, for school and MAT users, ``X-Actor-School`` / ``X-Actor-Trust``; a school
or MAT user's searches are scoped to their own school or trust here as well as in the gateway.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, Callable
from urllib.parse import unquote

from fastapi import APIRouter, Depends, File, Header, Query, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from shared.contracts import Actor, NotFound, Refused
from shared.contracts.claim_status import STATUSES
from shared.contracts.claim_status import support_label as label
from shared.contracts.http.claims import (ActivityList, AssignIn, ClaimDetail, ClaimIn, ClaimList, ClaimReferences,
                                          ClaimWindow, ClaimWindowList, ImportResult, Provider, ProviderIn,
                                          ProviderList, WindowIn)
from shared.contracts.identifiers import urn_error
from shared.platform.filenames import safe_file_name
from shared.contracts.money import Money
from shared.contracts.roles import MAT, SCHOOL, SYSTEM

from . import handlers
from .ports import Deps
from .repository import ClaimFilters
from .school_api import build_school_router, for_viewer


class ActorContext(BaseModel):
    email: str
    role: str
    school_urn: str | None = None
    trust_id: str | None = None
    name: str = ""

    @property
    def actor(self) -> Actor:
        return Actor(email=self.email, role=self.role)


async def actor_context(x_actor_email: str = Header(default="system@claimflow"),
                        x_actor_role: str = Header(default=SYSTEM),
                        x_actor_school: str | None = Header(default=None),
                        x_actor_trust: str | None = Header(default=None),
                        x_actor_name: str = Header(default="")) -> ActorContext:
    # async on purpose: FastAPI runs a plain ``def`` dependency in its thread pool, a thread hop on every call
    return ActorContext(email=x_actor_email, role=x_actor_role, school_urn=x_actor_school or None,
                        trust_id=x_actor_trust or None, name=unquote(x_actor_name)[:300])


def money(value: Any) -> str | None:
    return None if value is None else str(Money(value))


def claim_summary(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "reference": c["reference"], "status": c["status"], "status_label": label(c["status"]),
        "amount": money(c["amount"]),
        "school": {"urn": c["school_urn"], "name": c["school_name"]},
        "provider": {"id": c["provider_id"], "name": c["provider_name"]},
        "claim_window_id": c["claim_window_id"], "academic_year": c["academic_year"],
        "submitted_at": c["submitted_at"].isoformat() if c["submitted_at"] else None,
        "assigned_to": c["assigned_to"], "mentor_names": c.get("mentor_names") or "",
    }


def activity_item(a: dict[str, Any]) -> dict[str, Any]:
    return {"id": a["id"], "occurred_at": a["occurred_at"].isoformat(), "title": a["title"], "action": a["action"],
            "actor": a["actor_email"], "claim_references": list(a["claim_references"]), "files": a["files"],
            "source": a["source"], "actor_role": a.get("actor_role")}


def build_router(uow_factory: Callable, deps: Deps, districts: dict[str, str], auth: Callable, *,
                 base_url: str = "http://127.0.0.1:8000") -> APIRouter:
    router = APIRouter(prefix="/internal/v1", dependencies=[Depends(auth)])

    def scoped(ctx: ActorContext) -> dict[str, str | None]:
        if ctx.role == SCHOOL:
            return {"scope_school_urn": ctx.school_urn or "-"}
        if ctx.role == MAT:
            return {"scope_trust_id": ctx.trust_id or "-"}
        return {}

    @router.post("/schools/import", response_model=ImportResult)
    async def import_schools(file: UploadFile = File(...), ctx: ActorContext = Depends(actor_context)):
        from shared.csvfiles import read_csv_upload, refuse_rows

        data = await file.read()
        rows = read_csv_upload(data, file.filename, required={"urn": (), "name": ()},
                               optional={"postcode": (), "local_authority": ("la_name", "la (name)"),
                                         "type_of_establishment": ("typeofestablishment (name)",),
                                         "region": (), "group": ("trust", "trusts (name)"),
                                         "district_code": ("districtadministrative (code)",),
                                         "email": ("email_address", "mainemail"),
                                         "phase_of_education": ("phase", "phaseofeducation (name)"),
                                         "urban_rural": ("urbanrural (name)",)})
        # a row with more values than there are columns, or a URN that is not 6 digits 0-9
        refuse_rows(rows, [Refused(error, field="urn", row=r.number) for r in rows.rows
                           if (error := urn_error(r.values["urn"]))])
        async with uow_factory() as uow:
            return await handlers.handle_import_schools(
                handlers.ImportSchools([dict(r.values) for r in rows.rows], ctx.actor,
                                       safe_file_name(file.filename, fallback="schools.csv")),
                uow, deps.clock, districts=districts)

    @router.post("/providers", status_code=201, response_model=Provider)
    async def add_provider(body: ProviderIn, ctx: ActorContext = Depends(actor_context)):
        async with uow_factory() as uow:
            return await handlers.handle_add_provider(
                handlers.AddProvider(body.name, body.code, body.email_addresses, ctx.actor), uow, deps.clock,
                new_id=deps.new_id)

    @router.get("/providers", response_model=ProviderList)
    async def list_providers():
        async with uow_factory() as uow:
            items = await uow.organisations.list_providers()
        return {"items": items, "total": len(items), "page": 1}

    @router.post("/claim-windows", status_code=201, response_model=ClaimWindow)
    async def add_window(body: WindowIn, ctx: ActorContext = Depends(actor_context)):
        async with uow_factory() as uow:
            row = await handlers.handle_add_claim_window(
                handlers.AddClaimWindow(body.starts_on, body.ends_on, body.academic_year, ctx.actor), uow,
                deps.clock, new_id=deps.new_id)
        return {**row, "starts_on": row["starts_on"].isoformat(), "ends_on": row["ends_on"].isoformat()}

    def window_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        today = deps.clock.today()
        return [{**w, "starts_on": w["starts_on"].isoformat(), "ends_on": w["ends_on"].isoformat(),
                 "current": w["starts_on"] <= today <= w["ends_on"], "future": w["starts_on"] > today} for w in items]

    @router.get("/claim-windows", response_model=ClaimWindowList)
    async def list_windows():
        async with uow_factory() as uow:
            items = await uow.organisations.list_windows()
        return {"items": window_items(items), "total": len(items), "page": 1}

    @router.post("/claims", status_code=201, response_model=ClaimDetail)
    async def submit(body: ClaimIn, ctx: ActorContext = Depends(actor_context)):
        async with uow_factory() as uow:
            claim = await handlers.handle_submit_claim(handlers.SubmitClaim(
                actor=ctx.actor, school_urn=body.school_urn, provider_id=body.provider_id,
                mentors=[handlers.MentorInput(m.trn.strip(), m.full_name, m.hours) for m in body.mentors],
                scope_school_urn=ctx.school_urn, scope_trust_id=ctx.trust_id, submitted_by_name=ctx.name),
                uow, deps.clock, rng=deps.rng)
        return await _detail(claim["reference"], ctx)

    def filters(q, status, provider_id, school_urn, claim_window_id, academic_year, submitted_from, submitted_to,
                assigned_to, ctx: ActorContext) -> ClaimFilters:
        statuses = [s for part in status for s in part.split(",") if s]
        for s in statuses:
            if s not in STATUSES:
                raise Refused(f"‘{s}’ is not a claim status", field="status")
        if school_urn and (error := urn_error(school_urn)):
            raise Refused(error, field="school_urn")
        return ClaimFilters(q=q or None, status=tuple(statuses), provider_id=provider_id, school_urn=school_urn,
                            claim_window_id=claim_window_id, academic_year=academic_year,
                            submitted_from=submitted_from, submitted_to=submitted_to, assigned_to=assigned_to,
                            **scoped(ctx))

    @router.get("/claims", response_model=ClaimList)
    async def search(q: str | None = None, status: list[str] = Query(default=[]), provider_id: str | None = None,
                     school_urn: str | None = None, claim_window_id: str | None = None,
                     academic_year: str | None = None, submitted_from: date | None = None,
                     submitted_to: date | None = None, assigned_to: str | None = None, sort: str = "submitted_at",
                     order: str = Query(default="desc", pattern="^(asc|desc)$"), page: int = Query(default=1, ge=1),
                     per_page: int = Query(default=25, ge=1, le=500), ctx: ActorContext = Depends(actor_context)):
        f = filters(q, status, provider_id, school_urn, claim_window_id, academic_year, submitted_from,
                    submitted_to, assigned_to, ctx)
        async with uow_factory() as uow:
            rows, total = await uow.claims.search(f, sort=sort, order=order, page=page, per_page=per_page)
        return {"items": [claim_summary(r) for r in rows], "total": total, "page": page, "per_page": per_page}

    @router.get("/claims.csv")
    async def download(q: str | None = None, status: list[str] = Query(default=[]), provider_id: str | None = None,
                       school_urn: str | None = None, claim_window_id: str | None = None,
                       academic_year: str | None = None, submitted_from: date | None = None,
                       submitted_to: date | None = None, assigned_to: str | None = None,
                       sort: str = "reference", order: str = Query(default="asc", pattern="^(asc|desc)$"),
                       ctx: ActorContext = Depends(actor_context)):
        from shared.csvfiles import safe_cell

        f = filters(q, status, provider_id, school_urn, claim_window_id, academic_year, submitted_from,
                    submitted_to, assigned_to, ctx)
        headers = ["claim_reference", "school_urn", "school_name", "provider_name", "claim_status",
                   "claim_amount", "claim_window_id", "academic_year", "claim_submission_date", "assigned_to"]

        async def rows():
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(headers)
            async with uow_factory() as uow:
                async for c in uow.claims.stream(f, sort=sort, order=order):
                    writer.writerow([safe_cell(v) for v in (
                        c["reference"], c["school_urn"], c["school_name"], c["provider_name"], label(c["status"]),
                        money(c["amount"]), c["claim_window_id"], c["academic_year"],
                        c["submitted_at"].date().isoformat() if c["submitted_at"] else "", c["assigned_to"] or "")])
                    if buffer.tell() > 64 * 1024:
                        yield buffer.getvalue().encode()
                        buffer.seek(0)
                        buffer.truncate()
            yield buffer.getvalue().encode()

        return StreamingResponse(rows(), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="claims.csv"'})

    @router.get("/claims/references", response_model=ClaimReferences)
    async def references(status: list[str] = Query(default=[]), claim_window_id: str | None = None,
                         ctx: ActorContext = Depends(actor_context)):
        """Only the references of every matching claim, in reference order (what the gateway hands
        payments when a window is sent to the payer, so a claim submitted a moment before is waited for)."""
        f = filters(None, status, None, None, claim_window_id, None, None, None, None, ctx)
        async with uow_factory() as uow:
            found = [c["reference"] async for c in uow.claims.stream(f)]
        return {"references": found, "total": len(found)}

    async def _visible_claim(uow, reference: str, ctx: ActorContext) -> dict[str, Any]:
        """The claim, when the actor may see it (a school or trust user's claim of another school is 'not found')."""
        c = await uow.claims.get(reference)
        scope = scoped(ctx)
        if (scope.get("scope_school_urn") and c["school_urn"] != scope["scope_school_urn"]) or (
                scope.get("scope_trust_id") and c["trust_id"] != scope["scope_trust_id"]):
            raise NotFound(f"There is no claim with the reference {reference}", field="reference")
        return c

    async def _visible(reference: str, ctx: ActorContext, uow) -> None:
        await _visible_claim(uow, reference, ctx)

    async def _detail(reference: str, ctx: ActorContext, uow=None, *,
                      school: dict[str, Any] | None = None) -> dict[str, Any]:
        """The claim as the actor sees it, read in ``uow`` when given (else in a unit of work of its own);
        ``school``: a school already read in ``uow``, used when it is the claim's."""
        if uow is None:
            async with uow_factory() as own:
                return await _detail(reference, ctx, own)
        c = await _visible_claim(uow, reference, ctx)
        if school is None or school["urn"] != c["school_urn"]:
            school = await uow.organisations.school(c["school_urn"])
        provider = await uow.organisations.provider(c["provider_id"])
        mentors = await uow.claims.mentors(reference)
        history = await uow.claims.history(reference)
        activity = await uow.activity.latest(reference=reference, per_page=100)
        ecf = await uow.school.ecf_trns([m["trn"] for m in mentors])
        return for_viewer({
            **claim_summary(c),
            "school": {"urn": school["urn"], "name": school["name"], "postcode": school["postcode"],
                       "local_authority": school["local_authority"],
                       "type_of_establishment": school["type_of_establishment"], "region": school["region"],
                       "group": school.get("trust_name") or ""},
            "provider": {"id": provider["id"], "name": provider["name"], "code": provider["code"]},
            "hourly_rate": money(c["hourly_rate"]), "total_hours": c["total_hours"],
            "sample_reason": c["sample_reason"], "provider_comment": c["provider_comment"],
            "clawback_amount": money(c["clawback_amount"]), "unpaid_reason": c["unpaid_reason"],
            "created_at": c["created_at"].isoformat(),
            "mentors": [{"trn": m["trn"], "full_name": m["full_name"], "hours": m["hours"], "assured": m["assured"],
                         "not_assured_reason": m["not_assured_reason"], "hours_clawed_back": m["hours_clawed_back"],
                         "hours_confirmed": m.get("hours_confirmed")}
                        for m in mentors],
            "history": [{"from_status": h["from_status"], "to_status": h["to_status"],
                         "to_status_label": label(h["to_status"]), "caused_by": h["caused_by"],
                         "actor": h["actor_email"], "reason": h["reason"], "changed_at": h["changed_at"].isoformat()}
                        for h in history],
            "activity": [activity_item(a) for a in activity],
            "invalid_provider_reason": c.get("invalid_provider_reason"),
            "ecf_mentor_trns": sorted(ecf),
        }, role=ctx.role, email=ctx.email)

    @router.get("/claims/{reference}", response_model=ClaimDetail)
    async def detail(reference: str, ctx: ActorContext = Depends(actor_context)):
        return await _detail(reference, ctx)

    @router.post("/claims/{reference}/assign", response_model=ClaimDetail)
    async def assign(reference: str, body: AssignIn, ctx: ActorContext = Depends(actor_context)):
        async with uow_factory() as uow:
            await handlers.handle_assign_claim(handlers.AssignClaim(reference, body.user_email, ctx.actor), uow,
                                               deps.clock)
        return await _detail(reference, ctx)

    @router.get("/activity", response_model=ActivityList)
    async def activity(page: int = Query(default=1, ge=1), reference: str | None = None):
        async with uow_factory() as uow:
            rows, total = await uow.activity.page(page=page, reference=reference)
        return {"items": [activity_item(a) for a in rows], "total": total, "page": page, "per_page": 25}

    router.include_router(build_school_router(uow_factory, deps, base_url=base_url, auth=auth,
                                              actor_context=actor_context, detail=_detail, visible=_visible,
                                              window_items=window_items))
    return router
