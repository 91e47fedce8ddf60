"""Internal HTTP API for what support edits (docs/design.md §14): an accredited provider, a claim window."""
from __future__ import annotations

from typing import Any, Callable

from fastapi import APIRouter, Depends, Response

from shared.contracts.http.claims import ClaimWindowState, Provider, ProviderIn, WindowIn

from .api import ActorContext, actor_context
from .handlers.organisations import (DeleteClaimWindow, EditClaimWindow, EditProvider, handle_delete_claim_window,
                                     handle_edit_claim_window, handle_edit_provider)
from .ports import Deps


def window_item(w: dict[str, Any], today) -> dict[str, Any]:
    return {"id": w["id"], "starts_on": w["starts_on"].isoformat(), "ends_on": w["ends_on"].isoformat(),
            "academic_year": w["academic_year"], "current": w["starts_on"] <= today <= w["ends_on"],
            "future": w["starts_on"] > today}


def build_router(uow_factory: Callable, deps: Deps, districts: dict[str, str], auth: Callable) -> APIRouter:
    router = APIRouter(prefix="/internal/v1", dependencies=[Depends(auth)])

    @router.get("/providers/{provider_id}", response_model=Provider)
    async def provider(provider_id: str):
        async with uow_factory() as uow:
            return await uow.organisations.provider(provider_id)

    @router.patch("/providers/{provider_id}", response_model=Provider)
    async def edit_provider(provider_id: str, body: ProviderIn, ctx: ActorContext = Depends(actor_context)):
        async with uow_factory() as uow:
            return await handle_edit_provider(EditProvider(provider_id, body.name, body.code, body.email_addresses,
                                                           ctx.actor), uow, deps.clock)

    @router.get("/claim-windows/{window_id}", response_model=ClaimWindowState)
    async def window(window_id: str):
        async with uow_factory() as uow:
            return window_item(await uow.organisations.window(window_id), deps.clock.today())

    @router.patch("/claim-windows/{window_id}", response_model=ClaimWindowState)
    async def edit_window(window_id: str, body: WindowIn, ctx: ActorContext = Depends(actor_context)):
        async with uow_factory() as uow:
            row = await handle_edit_claim_window(EditClaimWindow(window_id, body.starts_on, body.ends_on,
                                                                 body.academic_year, ctx.actor), uow, deps.clock)
        return window_item(row, deps.clock.today())

    @router.delete("/claim-windows/{window_id}", status_code=204, response_class=Response)
    async def delete_window(window_id: str, ctx: ActorContext = Depends(actor_context)):
        async with uow_factory() as uow:
            await handle_delete_claim_window(DeleteClaimWindow(window_id, ctx.actor), uow, deps.clock)
        return Response(status_code=204)

    return router
