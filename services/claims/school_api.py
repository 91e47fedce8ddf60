"""Internal HTTP API of the school journey (docs/design.md §11, §9b): drafts, submit, allowances, a school's
earlier mentors, invalid provider. The gateway checks roles; the handlers check that a school or trust
user acts only for their own schools (another school's claim is 404 here, as on the detail)."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from fastapi import APIRouter, Depends, Query

from shared.contracts import NotFound, Refused
from shared.contracts.claim_status import school_label
from shared.contracts.http.claims import (Allowances, ClaimDetail, DraftCreated, DraftIn, DraftMentorIn, DraftPatch,
                                         ProviderChoice, ReasonIn, SchoolOrganisation, SchoolPage, SubmitIn,
                                         TrustSchools)
from shared.contracts.identifiers import urn_error
from shared.contracts.roles import MAT, SCHOOL

from . import handlers
from .domain.funding import hourly_rate
from .ports import Deps


def _mentors(items: list[DraftMentorIn] | None) -> list[handlers.DraftMentor] | None:
    if items is None:
        return None
    return [handlers.DraftMentor(m.trn.strip(), m.full_name, m.hours) for m in items]


def for_viewer(detail: dict[str, Any], *, role: str, email: str) -> dict[str, Any]:
    """What a school or trust user sees of a claim: the school's words for the status, no support
    user's email, no internal reason and no activity meant for support (docs/design.md §11)."""
    if role not in (SCHOOL, MAT):
        return detail
    history = [{**h, "actor": h["actor"] if h["actor"] == email else None,
                "reason": h["reason"] if h["caused_by"] == "invalid_provider" else None,
                "to_status_label": school_label(h["to_status"])} for h in detail.get("history", [])]
    activity = [a for a in detail.get("activity", []) if a.get("actor_role") in (SCHOOL, MAT)]
    return {**detail, "status_label": school_label(detail["status"]), "assigned_to": None,
            "sample_reason": None, "provider_comment": None, "unpaid_reason": None, "history": history,
            "activity": [{k: v for k, v in a.items() if k != "actor_role"} for a in activity]}


def _organisation(school: dict[str, Any]) -> dict[str, Any]:
    return {**{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in school.items()},
            "hourly_rate": str(hourly_rate(school["region"]))}


def build_school_router(uow_factory: Callable, deps: Deps, *, base_url: str, auth: Callable,
                        actor_context: Callable, detail: Callable[..., Awaitable[dict[str, Any]]],
                        visible: Callable[..., Awaitable[None]],
                        window_items: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> APIRouter:
    """``detail(reference, ctx, uow=None)``: the claim as the actor sees it; ``visible(reference, ctx, uow)``: 'not
    found' when a school or trust user's claim is of another school (as on the detail), without reading it all.
    A change is checked, made and read back in one unit of work (the read after its commit)."""
    router = APIRouter(dependencies=[Depends(auth)])  # included in the claims router (/internal/v1)

    def scope(ctx) -> handlers.Scope:
        return handlers.Scope(actor=ctx.actor, school_urn=ctx.school_urn, trust_id=ctx.trust_id)

    @router.post("/claims/drafts", status_code=201, response_model=DraftCreated)
    async def create_draft(body: DraftIn, ctx=Depends(actor_context)):
        async with uow_factory() as uow:
            claim = await handlers.handle_create_draft(handlers.CreateDraft(
                scope(ctx), body.school_urn.strip(), body.provider_id, _mentors(body.mentors) or []), uow,
                deps.clock, rng=deps.rng)
        return {"reference": claim["reference"], "status": claim["status"]}

    @router.patch("/claims/{reference}", response_model=ClaimDetail)
    async def update_draft(reference: str, body: DraftPatch, ctx=Depends(actor_context)):
        async with uow_factory() as uow:
            await visible(reference, ctx, uow)
            await handlers.handle_update_draft(handlers.UpdateDraft(
                scope(ctx), reference, body.provider_id, _mentors(body.mentors)), uow, deps.clock)
            return await detail(reference, ctx, uow)  # read after the commit

    @router.patch("/claims/{reference}/draft", status_code=204)
    async def change_draft(reference: str, body: DraftPatch, ctx=Depends(actor_context)):
        """``update_draft`` without the claim in the answer."""
        async with uow_factory() as uow:
            await visible(reference, ctx, uow)
            await handlers.handle_update_draft(handlers.UpdateDraft(
                scope(ctx), reference, body.provider_id, _mentors(body.mentors)), uow, deps.clock)

    @router.delete("/claims/{reference}", status_code=204)
    async def delete_draft(reference: str, ctx=Depends(actor_context)):
        async with uow_factory() as uow:
            await visible(reference, ctx, uow)
            await handlers.handle_delete_draft(handlers.DeleteDraft(scope(ctx), reference), uow, deps.clock)

    @router.post("/claims/{reference}/submit", response_model=ClaimDetail)
    async def submit_draft(reference: str, body: SubmitIn, ctx=Depends(actor_context)):
        async with uow_factory() as uow:
            await visible(reference, ctx, uow)
            await handlers.handle_submit_draft(handlers.SubmitDraft(scope(ctx), reference, body.declaration,
                                                                    submitted_by_name=ctx.name), uow,
                                               deps.clock)
            return await detail(reference, ctx, uow)

    @router.post("/claims/{reference}/invalid-provider", response_model=ClaimDetail)
    async def invalid_provider(reference: str, body: ReasonIn, ctx=Depends(actor_context)):
        async with uow_factory() as uow:
            await handlers.handle_mark_invalid_provider(handlers.MarkInvalidProvider(scope(ctx), reference,
                                                                                     body.reason),
                                                        uow, deps.clock, base_url=base_url)
        return await detail(reference, ctx)

    @router.post("/claims/{reference}/provider", response_model=ClaimDetail)
    async def change_provider(reference: str, body: ProviderChoice, ctx=Depends(actor_context)):
        async with uow_factory() as uow:
            await visible(reference, ctx, uow)
            await handlers.handle_change_provider(handlers.ChangeProvider(scope(ctx), reference, body.provider_id),
                                                  uow, deps.clock)
            return await detail(reference, ctx, uow)

    async def _school(uow, urn: str, ctx) -> dict[str, Any]:
        if error := urn_error(urn):
            raise Refused(error, field="school_urn")
        school = await uow.organisations.school(urn)
        try:
            handlers.check_school_user(scope(ctx), school)
        except Refused:
            raise NotFound(f"There is no school with URN {urn}", field="school_urn") from None
        return school

    async def _allowances(uow, urn: str, *, provider_id: str, trn: list[str], editing: str | None,
                          windows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Hours left per mentor with the provider in the open (or next) window's academic year: the
        school's earlier mentors, and any ``trn`` asked about (``windows``: every window, when already read)."""
        today = deps.clock.today()
        if windows is not None:
            window = next((w for w in windows if w["starts_on"] <= today <= w["ends_on"]), None)
        else:
            window = await uow.organisations.window_on(today)
        if window is None:
            later = [w for w in (windows if windows is not None else await uow.organisations.list_windows())
                     if w["starts_on"] > today]
            window = min(later, key=lambda w: w["starts_on"]) if later else None
        if window is None:
            raise Refused("There is no claim window open or planned", field="claim_window_id")
        known = await uow.school.school_mentors(urn)
        names = {m["trn"]: m["full_name"] for m in known}
        trns = list(dict.fromkeys([*names, *(t.strip() for t in trn if t.strip())]))
        found = await handlers.allowances_for(uow, provider_id=provider_id, academic_year=window["academic_year"],
                                              trns=trns, editing=editing)
        return {"academic_year": window["academic_year"], "claim_window_id": window["id"], "mentors": [
            {"trn": t, "full_name": names.get(t, ""), "kind": a.kind, "limit": a.limit, "used": a.used,
             "remaining": a.remaining} for t, a in found.items()]}

    @router.get("/schools/{urn}/allowances", response_model=Allowances)
    async def allowances(urn: str, provider_id: str, trn: list[str] = Query(default=[]),
                         editing: str | None = None, ctx=Depends(actor_context)):
        """Hours left per mentor with the provider in the open (or next) window's academic year: the
        school's earlier mentors, and any ``trn`` asked about."""
        async with uow_factory() as uow:
            await _school(uow, urn, ctx)
            await uow.organisations.provider(provider_id)
            return await _allowances(uow, urn, provider_id=provider_id, trn=trn, editing=editing)

    @router.get("/schools/{urn}/page", response_model=SchoolPage)
    async def page(urn: str, claim: str | None = None, allowances: bool = False, providers: bool = False,
                   windows: bool = False, ctx=Depends(actor_context)):
        """What one school page needs, in one call and one transaction: the school (as ``organisation``
        answers it), and as asked the ``claim`` (as the claim's detail answers it), the allowances of its
        mentors with its provider (as ``allowances`` answers them for the draft being edited), the
        providers, the claim windows. Allowances come only with a draft of this school (the pages that show them
        show nothing else of a submitted claim, and would not be refused for a window closed since)."""
        async with uow_factory() as uow:
            school = await _school(uow, urn, ctx)
            out: dict[str, Any] = {"school": _organisation(school)}
            every_window = await uow.organisations.list_windows() if (windows or allowances) else None
            if claim is not None:
                out["claim"] = found = await detail(claim, ctx, uow, school=school)
                if allowances and found["school"]["urn"] == urn and found["status"] == "draft":
                    out["allowances"] = await _allowances(
                        uow, urn, provider_id=found["provider"]["id"], trn=[m["trn"] for m in found["mentors"]],
                        editing=found["reference"], windows=every_window)
            if providers:
                out["providers"] = await uow.organisations.list_providers()
            if windows:
                out["windows"] = window_items(every_window or [])
        return out

    @router.get("/schools/{urn}/mentors")
    async def mentors(urn: str, ctx=Depends(actor_context)):
        async with uow_factory() as uow:
            await _school(uow, urn, ctx)
            return {"items": await uow.school.school_mentors(urn)}

    @router.get("/schools/{urn}/organisation", response_model=SchoolOrganisation)
    async def school(urn: str, ctx=Depends(actor_context)):
        """The school as DfE holds it, with its region's hourly rate (what the school's home shows)."""
        async with uow_factory() as uow:
            found = await _school(uow, urn, ctx)
        return _organisation(found)

    @router.get("/trusts/{trust_id}/schools", response_model=TrustSchools)
    async def trust_schools(trust_id: str, ctx=Depends(actor_context)):
        """The schools of a trust, by name: a MAT user sees only its own trust's."""
        if ctx.role == MAT and ctx.trust_id != trust_id:
            raise NotFound("There is no such trust", field="trust_id")
        async with uow_factory() as uow:
            items = await uow.school.trust_schools(trust_id)
        return {"items": [{**s, "hourly_rate": str(hourly_rate(s["region"]))} for s in items]}

    return router
