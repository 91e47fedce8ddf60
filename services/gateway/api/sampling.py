"""JSON API of sampling (support only): the two uploads, the claims waiting in the Sampling section,
support's decision on a claim the provider did not approve, and a provider's new link. The sampling
service applies the rules; its refusals arrive unchanged."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.contracts import roles
from shared.contracts.claim_status import SAMPLING_WAITING
from shared.contracts.reasons import OTHER, check_reason

from ..auth import api_role
from ..checks import check_id, check_reference
from ..clients import GatewayError, as_sent
from ..clients.provider_responses import ProviderResponseClient
from ..context import Gateway, gateway
from ..users import User
from . import workflow_schemas as w
from .schemas import errors
from .uploads import STEP_ERRORS, upload_routes

SUPPORT = api_role(roles.SUPPORT)
router = APIRouter(prefix="/api/v1")


upload_routes(router, prefix="/sampling/uploads", tag="sampling",
              uploads=lambda gw: gw.services.sampling.samples, what="a sampling file")
upload_routes(router, prefix="/sampling/responses", tag="sampling",
              uploads=lambda gw: gw.services.sampling.responses, what="a provider response",
              many=lambda gw: ProviderResponseClient(gw.services.sampling.http))


@router.get("/sampling/claims", response_model=w.WaitingClaimList, tags=["sampling"],
            summary="Claims waiting in the Sampling section (in progress or provider not approved)",
            responses=errors(401, 403, 422, 503))
async def sampling_claims(page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                          per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                          status: Annotated[str | None, Query(pattern="^(" + "|".join(SAMPLING_WAITING) + ")$")] = None,
                          user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.sampling.waiting_claims(page=page, per_page=per_page, status=status,
                                                             user=user))


@router.post("/claims/{reference}/sampling/approve", status_code=202, response_model=w.Accepted, tags=["sampling"],
             summary="Approve a claim the provider did not approve (it becomes paid)", responses=STEP_ERRORS)
async def approve_sampled_claim(reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.sampling.approve_claim(reference, user=user))


@router.post("/claims/{reference}/sampling/reject", status_code=202, response_model=w.Accepted, tags=["sampling"],
             summary="Reject a claim the provider did not approve (it goes to the clawbacks queue)",
             responses=STEP_ERRORS)
async def reject_sampled_claim(reference: str, body: w.SamplingDecisionIn, user: User = Depends(SUPPORT),
                               gw: Gateway = Depends(gateway)):
    check_reference(reference)
    if body.reason_code is not None:  # a structured reason travels as "code: details" (docs/design.md §12)
        reason, problem = check_reason(body.reason_code, body.reason)
        if problem:
            raise GatewayError.one(422, problem, field="reason" if body.reason_code == OTHER else "reason_code")
        return as_sent(await gw.services.sampling.reject_claim(reference, reason.as_text(), user=user))
    if not body.reason.strip():
        raise GatewayError.one(422, "Enter a reason", field="reason")
    return as_sent(await gw.services.sampling.reject_claim(reference, body.reason.strip(), user=user))


@router.post("/providers/{provider_id}/sampling/resend", status_code=202, response_model=w.Accepted,
             tags=["sampling"], summary="Send a provider a new download link (the old one stops working)",
             responses=STEP_ERRORS)
async def resend_link(provider_id: str, round_id: Annotated[str | None, Query(
                          max_length=64, description="The sampling round whose link to send again (default: the "
                                                     "provider's latest)")] = None,
                      user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.sampling.resend_link(
        check_id(provider_id, "provider"), round_id=check_id(round_id, "round") if round_id else None, user=user))


@router.post("/providers/{provider_id}/sampling/remind", status_code=202, response_model=w.Reminded,
             tags=["sampling"], summary="Send a provider a reminder of the claims it has not answered (once a day)",
             responses=STEP_ERRORS)
async def remind_provider(provider_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.sampling.remind_provider(check_id(provider_id, "provider"), user=user))


@router.get("/sampling/rounds", response_model=w.RoundList, tags=["sampling"],
            summary="Sampling rounds (confirmed samples), newest first, with claims answered and open",
            responses=errors(401, 403, 422, 503))
async def sampling_rounds(page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                          per_page: Annotated[int, Query(ge=1, le=100)] = 25,
                          user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.sampling.rounds(page=page, per_page=per_page, user=user))


@router.get("/sampling/rounds/{round_id}", response_model=w.RoundDetail, tags=["sampling"],
            summary="A sampling round per provider (emails, download, answers, reminders, days left) and "
                    "its counts per structured reason", responses=errors(401, 403, 404, 503))
async def sampling_round(round_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.sampling.round(check_id(round_id, "round"), user=user))
