"""JSON API of payments to schools (support only): sending a claim window's claims to the payer, the
payer's answers (uploaded, or recorded by hand on a claim). The payments service applies the rules."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from shared.contracts import roles
from shared.contracts.claim_status import ClaimStatus
from shared.contracts.http.payments import PaymentSent
from shared.contracts.identifiers import ID_PATTERN

from ..auth import api_role
from ..checks import check_id, check_reference
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from . import workflow_schemas as w
from .schemas import errors
from .uploads import STEP_ERRORS, upload_routes

SUPPORT = api_role(roles.SUPPORT)
router = APIRouter(prefix="/api/v1")


@router.post("/payments", status_code=201, response_model=w.PaymentSent, tags=["payments"],
             summary="Send a claim window's submitted claims to the payer", responses=errors(401, 403, 404, 422, 503))
async def send_to_payer(body: w.SendToPayerIn, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await send_window_to_payer(gw, user, body.claim_window_id))


async def send_window_to_payer(gw: Gateway, user: User, claim_window_id: str) -> PaymentSent:
    """Payments sends what its projection holds; claims is asked first which claims it shows as
    submitted in the window now, so payments waits for one submitted a moment before (or says how
    many are still arriving)."""
    submitted = await gw.services.claims.claim_references(status=ClaimStatus.SUBMITTED.value,
                                                          claim_window_id=claim_window_id, user=user)
    return await gw.services.payments.send_to_payer(claim_window_id, submitted_references=submitted.references,
                                                    user=user)


@router.get("/payments", response_model=w.PaymentBatchList, tags=["payments"],
            summary="Payments sent to the payer, newest first", responses=errors(401, 403, 422, 503))
async def payments(page: Annotated[int, Query(ge=1, le=100_000)] = 1, per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                   user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.payments.payments(page=page, per_page=per_page, user=user))


@router.get("/payments/ready", response_model=w.ReadyWindowList, tags=["payments"],
            summary="Submitted claims per claim window (what sending to the payer would send)",
            responses=errors(401, 403, 503))
async def payments_ready(user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.payments.ready_to_send(user=user))


@router.get("/payments/claims", response_model=w.PaymentClaimList, tags=["payments"],
            summary="Claims as payments sees them, e.g. ?status=payment_information_requested",
            responses=errors(401, 403, 422, 503))
async def payment_claims(status: Annotated[list[str], Query(max_length=20)] = [],
                         claim_window_id: Annotated[str | None, Query(max_length=100, pattern=ID_PATTERN)] = None,
                         page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                         per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                         user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    for s in status:
        if not s.replace(",", "").replace("_", "").isalpha() or len(s) > 500:
            raise GatewayError.one(422, "Select a valid status", field="status")
    return as_sent(await gw.services.payments.claims(status=status, claim_window_id=claim_window_id, page=page,
                                             per_page=per_page, user=user))


upload_routes(router, prefix="/payments/responses", tag="payments",
              uploads=lambda gw: gw.services.payments.payer_responses, what="a payer payment response")


@router.get("/payments/{payment_id}", response_model=w.PaymentBatch, tags=["payments"],
            summary="One payment sent to the payer, with its claims", responses=errors(401, 403, 404, 503))
async def payment(payment_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.payments.payment(check_id(payment_id, "payment"), user=user))


def manual_action(action: str, summary: str) -> None:
    @router.post(f"/claims/{{reference}}/payment/{action}", status_code=202, response_model=w.Accepted,
                 tags=["payments"], summary=summary, responses=STEP_ERRORS, name=f"payment_{action}")
    async def act(reference: str, body: Annotated[w.PaymentRejectIn | None, Body()] = None,
                  user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        check_reference(reference)
        return as_sent(await gw.services.payments.payer_action(reference, action, user=user,
                                                       reason=body.reason if body is not None else None))


manual_action("information-sent", "Record that the information the payer asked for was sent")
manual_action("paid", "Record that the payer paid the claim")
manual_action("reject", "Record that the payer rejected the claim (optional body {\"reason\"})")
