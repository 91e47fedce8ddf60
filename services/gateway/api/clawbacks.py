"""JSON API of clawbacks (support only): a claim's clawback is checked, requested, then approved or
rejected by another support user (four eyes, enforced by the payments service); approved clawbacks
are sent to the payer, whose answers are uploaded."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.contracts import roles
from shared.contracts.http import payments as payments_api
from shared.contracts.reasons import OTHER, check_reason

from ..auth import api_role
from ..checks import check_reference
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from . import workflow_schemas as w
from .schemas import errors
from .uploads import STEP_ERRORS, upload_routes

SUPPORT = api_role(roles.SUPPORT)
router = APIRouter(prefix="/api/v1")


def _hours_worked(body: w.ClawbackIn) -> payments_api.ClawbackIn:
    """The hours each mentor worked, as the payments service reads them (checked there)."""
    return payments_api.ClawbackIn.model_validate(body.model_dump())


@router.get("/claims/{reference}/clawback", response_model=w.ClawbackView, tags=["clawbacks"],
            summary="The claim's mentors to enter and its latest clawback", responses=errors(401, 403, 404, 503))
async def clawback(reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.payments.clawback(reference, user=user))


@router.post("/claims/{reference}/clawback/check", response_model=w.ClawbackAssessment, tags=["clawbacks"],
             summary="Check a clawback before requesting it (hours clawed back, rate, amounts; nothing stored)",
             responses=STEP_ERRORS)
async def check_clawback(reference: str, body: w.ClawbackIn, user: User = Depends(SUPPORT),
                         gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.payments.check_clawback(reference, _hours_worked(body), user=user))


@router.post("/claims/{reference}/clawback", status_code=201, response_model=w.ClawbackRequested,
             tags=["clawbacks"], summary="Request a clawback: hours each not-assured mentor actually worked",
             responses=STEP_ERRORS)
async def request_clawback(reference: str, body: w.ClawbackIn, user: User = Depends(SUPPORT),
                           gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.payments.request_clawback(reference, _hours_worked(body), user=user))


@router.post("/claims/{reference}/clawback/approve", status_code=202, response_model=w.Accepted, tags=["clawbacks"],
             summary="Approve a clawback (a support user other than the one who requested it)",
             responses=STEP_ERRORS)
async def approve_clawback(reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.payments.approve_clawback(reference, user=user))


@router.post("/claims/{reference}/clawback/reject", status_code=202, response_model=w.Accepted, tags=["clawbacks"],
             summary="Reject a clawback with a reason per mentor (another support user)", responses=STEP_ERRORS)
async def reject_clawback(reference: str, body: w.ClawbackRejectIn, user: User = Depends(SUPPORT),
                          gw: Gateway = Depends(gateway)):
    check_reference(reference)
    if any("\x00" in k or "\x00" in v for k, v in [*body.reasons.items(), *body.reason_codes.items()]):
        raise GatewayError.one(422, "Remove the invalid characters", field="reasons")
    reasons = dict(body.reasons)
    for trn, code in body.reason_codes.items():  # a structured reason travels as "code: details" (§12)
        reason, problem = check_reason(code, reasons.get(trn, ""))
        if problem:
            raise GatewayError.one(422, problem, field="reasons" if code == OTHER else "reason_codes")
        reasons[trn] = reason.as_text()
    return as_sent(await gw.services.payments.reject_clawback(reference, reasons, user=user))


@router.get("/clawbacks", response_model=w.ClawbackList, tags=["clawbacks"],
            summary="Clawback requests, newest first (?status=awaiting_approval, approved, rejected, "
                    "nothing_owed, sent, complete)", responses=errors(401, 403, 422, 503))
async def clawbacks(status: Annotated[list[str], Query(max_length=20)] = [],
                    page: Annotated[int, Query(ge=1, le=100_000)] = 1, per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                    user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    for s in status:
        if not s.replace(",", "").replace("_", "").isalpha() or len(s) > 500:
            raise GatewayError.one(422, "Select a valid status", field="status")
    return as_sent(await gw.services.payments.clawbacks(status=status, page=page, per_page=per_page, user=user))


@router.post("/clawbacks", status_code=201, response_model=w.ClawbacksSent, tags=["clawbacks"],
             summary="Send every approved clawback to the payer", responses=errors(401, 403, 422, 503))
async def send_clawbacks(user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.payments.send_clawbacks(user=user))


@router.get("/clawbacks/batches", response_model=w.PaymentBatchList, tags=["clawbacks"],
            summary="Clawbacks sent to the payer, newest first", responses=errors(401, 403, 422, 503))
async def clawback_batches(page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                           per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                           user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.payments.clawback_batches(page=page, per_page=per_page, user=user))


upload_routes(router, prefix="/clawbacks/responses", tag="clawbacks",
              uploads=lambda gw: gw.services.payments.clawback_responses, what="a payer clawback response")
