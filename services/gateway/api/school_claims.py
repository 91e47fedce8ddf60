"""JSON API of the school journey (docs/design.md §9b): drafts, submit, allowances and invalid provider.

School and MAT users act for their own school or trust (the claims service scopes them; another
school's claim is 404); support may create, change and delete drafts for a school but never submit.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from shared.contracts import roles
from shared.contracts.http import claims as internal
from shared.contracts.identifiers import urn_error

from ..auth import api_role
from ..checks import check_reference
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from . import schemas as s

CLAIMANTS = api_role(roles.SCHOOL, roles.MAT)
DRAFTERS = api_role(roles.SCHOOL, roles.MAT, roles.SUPPORT)
SUPPORT = api_role(roles.SUPPORT)

router = APIRouter(prefix="/api/v1", tags=["school claims"])


class DraftMentorIn(s.Closed):
    trn: str = Field(max_length=20)
    full_name: str = Field(max_length=300)
    hours: int | None = Field(default=None, strict=True, description="Whole hours; may be left out in a draft")


class DraftIn(s.Closed):
    school_urn: str = Field(max_length=20)
    provider_id: str = Field(max_length=100)
    mentors: list[DraftMentorIn] = Field(default_factory=list, max_length=100)


class DraftPatch(s.Closed):
    provider_id: str | None = Field(default=None, max_length=100)
    mentors: list[DraftMentorIn] | None = Field(default=None, max_length=100)


class DraftCreated(s.Open):
    reference: str
    status: str


class SubmitIn(s.Closed):
    declaration: bool = Field(description="I confirm that the information is correct and that the mentors "
                                          "completed this training")


class ReasonIn(s.Closed):
    reason: str = Field(max_length=1000)


class ProviderChoice(s.Closed):
    provider_id: str = Field(max_length=100)


class MentorAllowance(s.Open):
    trn: str
    full_name: str
    kind: str = Field(description="initial or refresher")
    limit: int
    used: int
    remaining: int


class Allowances(s.Open):
    mentors: list[MentorAllowance]


def _body(model) -> dict:
    return model.model_dump(exclude_unset=True)


@router.post("/claims/drafts", status_code=201, response_model=DraftCreated, summary="Save a draft claim",
             responses=s.errors(401, 403, 404, 422, 503))
async def create_draft(body: DraftIn, user: User = Depends(DRAFTERS), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.create_draft(internal.DraftIn(**body.model_dump()), user=user))


@router.patch("/claims/{reference}", response_model=s.ClaimDetail, summary="Change a draft claim",
              description="A claim that is no longer a draft is refused (422) with the reason.",
              responses=s.errors(401, 403, 404, 422, 503))
async def update_draft(reference: str, body: DraftPatch, user: User = Depends(DRAFTERS),
                       gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.claims.update_draft(reference, internal.DraftPatch(**_body(body)), user=user))


@router.delete("/claims/{reference}", status_code=204, summary="Delete a draft claim",
               responses=s.errors(401, 403, 404, 422, 503))
async def delete_draft(reference: str, user: User = Depends(DRAFTERS), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    await gw.services.claims.delete_draft(reference, user=user)
    return Response(status_code=204)


@router.post("/claims/{reference}/submit", response_model=s.ClaimDetail, summary="Submit a draft claim",
             responses=s.errors(401, 403, 404, 422, 503))
async def submit_draft(reference: str, body: SubmitIn, user: User = Depends(CLAIMANTS),
                       gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.claims.submit_draft(reference, body.declaration, user=user))


@router.get("/schools/{urn}/allowances", response_model=Allowances, summary="Hours each mentor has left",
            description="Per mentor of the school's earlier claims (and each `trn` asked about): `initial` "
                        "(16 hours from 2025/26, 20 before) or `refresher` (6 hours) with the provider, the hours "
                        "used by claims that count (not drafts, not rejected by the payer) and the hours left.",
            responses=s.errors(401, 403, 404, 422, 503))
async def allowances(urn: str, provider_id: Annotated[str, Query(max_length=100)],
                     trn: Annotated[list[str], Query(max_length=100)] = [],
                     user: User = Depends(DRAFTERS), gw: Gateway = Depends(gateway)):
    if error := urn_error(urn):
        raise GatewayError.one(404, error, field="school_urn")
    return as_sent(await gw.services.claims.allowances(urn, {"provider_id": provider_id, "trn": trn}, user=user))


@router.post("/claims/{reference}/invalid-provider", response_model=s.ClaimDetail,
             summary="Mark a submitted claim's accredited provider as invalid (the school is emailed)",
             responses=s.errors(401, 403, 404, 422, 503))
async def invalid_provider(reference: str, body: ReasonIn, user: User = Depends(SUPPORT),
                           gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.claims.mark_invalid_provider(reference, body.reason, user=user))


@router.post("/claims/{reference}/provider", response_model=s.ClaimDetail,
             summary="Choose another accredited provider and submit the claim again",
             responses=s.errors(401, 403, 404, 422, 503))
async def change_provider(reference: str, body: ProviderChoice, user: User = Depends(CLAIMANTS),
                          gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.claims.change_provider(reference, body.provider_id, user=user))
