"""JSON API of the accredited providers' own accounts (docs/design.md §9b, §12): the provider's claims
(list, CSV, one claim), an answer given in the service, and the structured reasons.

A provider user sees only the claims of its own providers: the gateway sends the provider ids of
the user record (``User.actor_headers``), never anything the client says, and the sampling service
scopes every query by them (another provider's claim is 404). Support records a provider's answer
by hand through the same assurance route."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from shared.contracts import roles
from shared.contracts.claim_status import PROVIDER_VISIBLE
from shared.contracts.http import provider as internal
from shared.contracts.identifiers import urn_error
from shared.contracts.reasons import REASONS

from ..auth import api_role
from ..checks import check_reference
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from . import schemas as s
from . import workflow_schemas as w
from .uploads import STEP_ERRORS

PROVIDER = api_role(roles.PROVIDER)
ASSURERS = api_role(roles.PROVIDER, roles.SUPPORT)
ANYONE = api_role(*roles.USER_ROLES)

router = APIRouter(prefix="/api/v1", tags=["providers"])


class ProviderClaim(s.Open):
    reference: str
    status: str
    status_label: str = Field(description="The provider's words: ‘Audit requested’, ‘Amended’, ‘Approved’…")
    school: dict[str, Any]
    provider: dict[str, Any]
    academic_year: str = ""
    amount: str | None = None
    submitted_at: str | None = None
    audit_deadline: str | None = Field(default=None, description="The date the provider must answer by")
    days_left: int | None = None
    needs_action: bool = False


class ProviderClaimList(s.Open):
    items: list[ProviderClaim]
    total: int
    page: int
    per_page: int | None = None


class ProviderClaimDetail(ProviderClaim):
    mentors: list[dict[str, Any]] = []
    sample_reason: str | None = None
    provider_comment: str | None = None
    answer: dict[str, Any] | None = None


class MentorAnswerIn(s.Closed):
    trn: str = Field(max_length=16)
    hours_confirmed: int | None = Field(default=None, strict=True,
                                        description="0 removes all the hours; 1 … claimed − 1 changes them")
    reason_code: str = Field(default="", max_length=64, description="A code of GET /api/v1/reasons")
    reason: str = Field(default="", max_length=2000, description="Details (required for ‘other’)")


class AssuranceIn(s.Closed):
    assured: bool | None = Field(default=None, description="true: the claim is correct; false: name the mentors")
    mentors: list[MentorAnswerIn] = Field(default_factory=list, max_length=100)


class ReasonOut(s.Open):
    code: str
    label: str


def _filters(status: str | None, school_urn: str | None, academic_year: str | None) -> dict[str, str]:
    params: dict[str, str] = {}
    if status:
        if status not in PROVIDER_VISIBLE:
            raise GatewayError.one(422, "Select a valid status", field="status")
        params["status"] = status
    if school_urn:
        if error := urn_error(school_urn):
            raise GatewayError.one(422, error, field="school_urn")
        params["school_urn"] = school_urn
    if academic_year:
        if len(academic_year) > 16:
            raise GatewayError.one(422, "Select a valid academic year", field="academic_year")
        params["academic_year"] = academic_year
    return params


Status = Annotated[str | None, Query(max_length=64)]
Urn = Annotated[str | None, Query(max_length=20)]
Year = Annotated[str | None, Query(max_length=16)]


@router.get("/provider/claims", response_model=ProviderClaimList, responses=s.errors(401, 403, 422, 503),
            summary="The provider's claims (from submitted on), claims needing an answer first")
async def provider_claims(status: Status = None, school_urn: Urn = None, academic_year: Year = None,
                          page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                          per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                          user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    params = {**_filters(status, school_urn, academic_year), "page": page, "per_page": per_page}
    result = await gw.services.sampling.provider_claims(params=params, user=user)
    return {"items": [i.model_dump() for i in result.items], "total": result.total, "page": result.page,
            "per_page": result.per_page}


@router.get("/provider/claims.csv", responses=s.errors(401, 403, 422, 503),
            summary="The provider's claims as CSV, one row per mentor (same filters)")
async def provider_claims_csv(status: Status = None, school_urn: Urn = None, academic_year: Year = None,
                              user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)) -> Response:
    answer = await gw.services.sampling.provider_claims_csv(params=_filters(status, school_urn, academic_year),
                                                            user=user)
    return Response(answer.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="claims.csv"'})


@router.get("/provider/claims/{reference}", response_model=ProviderClaimDetail,
            responses=s.errors(401, 403, 404, 503), summary="One of the provider's claims, with its mentors")
async def provider_claim(reference: str, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.sampling.provider_claim(reference, user=user))


@router.post("/claims/{reference}/assurance", status_code=202, response_model=w.Accepted, responses=STEP_ERRORS,
             summary="Answer the audit of a claim in the service (a provider for its own claim; support by hand)")
async def assure_claim(reference: str, body: AssuranceIn, user: User = Depends(ASSURERS),
                       gw: Gateway = Depends(gateway)):
    check_reference(reference)
    internal_body = internal.AssuranceIn(assured=body.assured, mentors=[
        internal.MentorAnswerIn(trn=m.trn, hours_confirmed=m.hours_confirmed, reason_code=m.reason_code,
                                reason=m.reason) for m in body.mentors])
    return as_sent(await gw.services.sampling.assure_claim(reference, internal_body, user=user))


@router.get("/reasons", response_model=list[ReasonOut], responses=s.errors(401),
            summary="The structured reasons (for a claim not assured, rejected, or a clawback rejected)")
async def reasons(user: User = Depends(ANYONE)):
    return [{"code": code, "label": label} for code, label in REASONS.items()]
