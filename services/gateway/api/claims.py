"""JSON API: claims (docs/design.md §9). Each route checks the role, then asks the claims service with the
user as the actor. School and MAT users are scoped by the claims service from the ``X-Actor-School``
/ ``X-Actor-Trust`` headers (another school's claim is 404, not 403, so references do not leak).
"""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from shared.contracts import roles
from shared.contracts.http import claims as claims_api

from ..auth import api_role
from ..checks import check_reference, support_user_email
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from . import schemas as s

SUPPORT = api_role(roles.SUPPORT)
CLAIMANTS = api_role(roles.SCHOOL, roles.MAT)
CLAIM_READERS = api_role(*roles.CLAIM_READERS)

#: Sort keys the claims list accepts (the columns of the support claims table).
SORT_KEYS = ("reference", "school_name", "provider_name", "status", "amount", "submitted_at", "claim_window_id",
             "academic_year", "assigned_to", "school_urn")

router = APIRouter(prefix="/api/v1")


@router.post("/claims", status_code=201, response_model=s.ClaimDetail, tags=["claims"],
             summary="Submit a claim in the current claim window", responses=s.errors(401, 403, 404, 422, 503))
async def submit_claim(body: s.ClaimIn, user: User = Depends(CLAIMANTS), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.submit_claim(claims_api.ClaimIn.model_validate(body.model_dump()),
                                                         user=user))


async def claim_filters(
    q: Annotated[str | None, Query(max_length=200, description="Reference, school name or URN, provider, mentor")] = None,
    status: Annotated[list[str], Query(description="Claim status; repeat or separate with commas")] = [],
    provider_id: Annotated[str | None, Query(max_length=100)] = None,
    school_urn: Annotated[str | None, Query(max_length=20)] = None,
    claim_window_id: Annotated[str | None, Query(max_length=100)] = None,
    academic_year: Annotated[str | None, Query(max_length=9)] = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    assigned_to: Annotated[str | None, Query(max_length=320)] = None,
) -> dict:
    params = {"q": q, "status": status, "provider_id": provider_id, "school_urn": school_urn,
              "claim_window_id": claim_window_id, "academic_year": academic_year,
              "submitted_from": submitted_from.isoformat() if submitted_from else None,
              "submitted_to": submitted_to.isoformat() if submitted_to else None, "assigned_to": assigned_to}
    for key, value in params.items():
        if any("\x00" in v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)):
            raise GatewayError.one(422, "Remove the invalid characters", field=key)
    return {k: v for k, v in params.items() if v not in (None, "", [])}


@router.get("/claims", response_model=s.ClaimList, tags=["claims"], summary="Search claims",
            description="Support users see every claim; school and MAT users only their school's or trust's.",
            responses=s.errors(401, 403, 422, 503))
async def search_claims(filters: dict = Depends(claim_filters),
                        sort: Annotated[str, Query(pattern="^(" + "|".join(SORT_KEYS) + ")$")] = "submitted_at",
                        order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
                        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                        per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                        user: User = Depends(CLAIM_READERS), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.search_claims(
        {**filters, "sort": sort, "order": order, "page": page, "per_page": per_page}, user=user))


async def stream_csv(gw: Gateway, user: User, params: dict, filename: str) -> StreamingResponse:
    """Start the download (so a refusal is still an error response), then stream it through."""
    stream = gw.services.claims.download_claims(params, user=user)
    response = await stream.__aenter__()

    async def body():
        try:
            async for chunk in response.aiter_raw():
                yield chunk
        finally:
            await stream.__aexit__(None, None, None)

    return StreamingResponse(body(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/claims.csv", tags=["claims"], summary="Download the filtered claims as CSV",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "CSV file"}, **s.errors(401, 403, 422, 503)})
async def download_claims(filters: dict = Depends(claim_filters),
                          sort: Annotated[str, Query(pattern="^(" + "|".join(SORT_KEYS) + ")$")] = "reference",
                          order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
                          user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await stream_csv(gw, user, {**filters, "sort": sort, "order": order}, "claims.csv")




@router.get("/claims/{reference}", response_model=s.ClaimDetail, tags=["claims"], summary="A claim",
            responses=s.errors(401, 403, 404, 503))
async def claim_detail(reference: str, user: User = Depends(CLAIM_READERS), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.claims.get_claim(reference, user=user))


@router.post("/claims/{reference}/assign", response_model=s.ClaimDetail, tags=["claims"],
             summary="Assign a claim to a support user (null to unassign)",
             responses=s.errors(401, 403, 404, 422, 503))
async def assign_claim(reference: str, body: s.AssignIn, user: User = Depends(SUPPORT),
                       gw: Gateway = Depends(gateway)):
    check_reference(reference)
    email = await support_user_email(gw, body.user_email)
    return as_sent(await gw.services.claims.assign_claim(reference, email, user=user))
