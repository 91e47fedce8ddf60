"""Internal HTTP API of the providers' own accounts (``shared.contracts.http.provider``, docs/design.md
§12): the provider's claims (page, CSV, a claim) and an answer given in the service.

Who acts: ``X-Actor-Role``. A provider user is scoped by ``X-Actor-Providers`` (its provider ids,
set by the gateway from the user record; none → no claims); support and the service itself see
every claim."""
from __future__ import annotations

from typing import Annotated, Any, Callable

from fastapi import APIRouter, Depends, Header, Query, Response

from shared.contracts import Actor, NotFound
from shared.contracts.http.provider import (PROVIDERS_HEADER, AssuranceIn, ProviderClaimDetail,
                                            ProviderClaimList)
from shared.contracts.http.uploads import Accepted
from shared.contracts.roles import PROVIDER, SUPPORT
from shared.csvfiles import write_csv

from .api import actor
from .domain import normalise_reference
from .domain.assurance import MentorAnswer
from .handlers.assurance import AssureClaim, handle_assure_claim, not_found
from .ports import Deps
from .provider_claims import CSV_HEADERS, ProviderClaims, ProviderFilters, csv_rows


def provider_scope(x_actor_role: Annotated[str, Header()] = "",
                   x_actor_providers: Annotated[str | None, Header(alias=PROVIDERS_HEADER)] = None
                   ) -> tuple[str, ...] | None:
    """The provider ids a provider user may see (never empty-means-all); None for anyone else."""
    if x_actor_role != PROVIDER:
        return None
    return tuple(p for p in (x_actor_providers or "").split(",") if p.strip())


def build_provider_router(uow_factory: Callable, deps: Deps, auth: Callable) -> APIRouter:
    router = APIRouter(prefix="/internal/v1", dependencies=[Depends(auth)])

    def filters(scope: tuple[str, ...] | None, status: str | None, school_urn: str | None,
                academic_year: str | None) -> ProviderFilters:
        return ProviderFilters(scope, status=status or None, school_urn=school_urn or None,
                               academic_year=academic_year or None)

    @router.get("/provider/claims", response_model=ProviderClaimList)
    async def provider_claims(page: int = Query(default=1, ge=1), per_page: int = Query(default=25, ge=1, le=500),
                              status: str | None = None, school_urn: str | None = None,
                              academic_year: str | None = None,
                              scope: tuple[str, ...] | None = Depends(provider_scope)) -> dict[str, Any]:
        async with uow_factory() as uow:
            queries = ProviderClaims(await uow.projection._driver())
            rows, total = await queries.page(filters(scope, status, school_urn, academic_year), page=page,
                                             per_page=per_page, today=deps.clock.today())
            schools, years = await queries.options(scope)
        return {"items": rows, "total": total, "page": page, "per_page": per_page, "schools": schools,
                "academic_years": years}

    @router.get("/provider/claims.csv")
    async def provider_claims_csv(status: str | None = None, school_urn: str | None = None,
                                  academic_year: str | None = None,
                                  scope: tuple[str, ...] | None = Depends(provider_scope)) -> Response:
        async with uow_factory() as uow:
            queries = ProviderClaims(await uow.projection._driver())
            claims = await queries.all_with_mentors(filters(scope, status, school_urn, academic_year),
                                                    today=deps.clock.today())
        return Response(write_csv(CSV_HEADERS, csv_rows(claims)), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="claims.csv"'})

    @router.get("/provider/claims/{reference}", response_model=ProviderClaimDetail)
    async def provider_claim(reference: str, scope: tuple[str, ...] | None = Depends(provider_scope)):
        reference = normalise_reference(reference)
        async with uow_factory() as uow:
            claim = await ProviderClaims(await uow.projection._driver()).detail(reference, scope,
                                                                                 today=deps.clock.today())
        if claim is None:
            raise not_found(reference)
        return claim

    @router.post("/claims/{reference}/assurance", status_code=202, response_model=Accepted)
    async def assure(reference: str, body: AssuranceIn, who: Actor = Depends(actor),
                     scope: tuple[str, ...] | None = Depends(provider_scope)):
        if who.role not in (PROVIDER, SUPPORT):
            raise NotFound(f"There is no claim with the reference {reference}", field="reference")
        command = AssureClaim(reference=reference, assured=body.assured, actor=who, provider_ids=scope,
                              mentors=tuple(MentorAnswer(trn=m.trn, hours_confirmed=m.hours_confirmed,
                                                         reason_code=m.reason_code, reason=m.reason)
                                            for m in body.mentors))
        async with uow_factory() as uow:
            return await handle_assure_claim(command, uow, deps.clock)

    return router
