"""JSON API of the support workflows (DESIGN §9): sampling, payments to schools, clawbacks.

Every route is support only and forwards to the owning service's internal API with the user as the
actor; the service applies the rules (four eyes, transitions, CSV checks) and its refusals arrive
unchanged (a CSV's row errors keep their ``row``). Uploads are two steps: the file is checked and
stored pending (201 ``{"upload_id", "claim_count"}`` or 422 with every error), then confirmed (202:
the claims' statuses follow within seconds) or cancelled.
"""
from __future__ import annotations

from typing import Annotated, Any, Callable

from fastapi import APIRouter, Body, Depends, File, Query, UploadFile

from shared.contracts.http import payments as payments_api

from ..auth import api_role
from ..clients import GatewayError, UploadClient, as_sent
from ..context import Gateway, gateway
from ..users import User
from . import workflow_schemas as w
from .routes import check_reference
from .schemas import errors

SUPPORT = api_role("support")
router = APIRouter(prefix="/api/v1")

UPLOAD_ERRORS = errors(401, 403, 422, 503)
STEP_ERRORS = errors(401, 403, 404, 422, 503)


def check_id(value: str, what: str = "upload") -> str:
    """Ids are opaque to the gateway, but never more than a short run of safe characters."""
    if not value or len(value) > 100 or not all(c.isalnum() or c in "-_" for c in value):
        raise GatewayError.one(404, f"There is no such {what}", field=f"{what}_id")
    return value


async def forward_file(uploads: UploadClient, file: UploadFile | None, user: User) -> Any:
    part = None
    if file is not None:
        part = (file.filename or "upload.csv", await file.read(), file.content_type or "text/csv")
    return await uploads.upload(part, user=user)


FileField = Annotated[UploadFile | None, File(description="The CSV file")]


def upload_routes(*, prefix: str, tag: str, uploads: Callable[[Gateway], UploadClient], what: str) -> None:
    """POST ``prefix`` (file) → 201; GET ``prefix/{id}``; POST ``.../confirm`` → 202; ``.../cancel``."""

    @router.post(prefix, status_code=201, response_model=w.UploadCreated, tags=[tag], responses=UPLOAD_ERRORS,
                 summary=f"Upload {what} (checked and kept pending until confirmed)", name=f"upload_{tag}_{what}")
    async def upload(file: FileField = None, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        return as_sent(await forward_file(uploads(gw), file, user))

    @router.get(prefix + "/{upload_id}", response_model=w.UploadReview, tags=[tag], responses=STEP_ERRORS,
                summary=f"Review {what} before confirming it", name=f"review_{tag}_{what}")
    async def review(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        return as_sent(await uploads(gw).review(check_id(upload_id), user=user))

    @router.post(prefix + "/{upload_id}/confirm", status_code=202, response_model=w.Accepted, tags=[tag],
                 responses=STEP_ERRORS, summary=f"Confirm {what} (applies once, however often it is sent)",
                 name=f"confirm_{tag}_{what}")
    async def confirm(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        return as_sent(await uploads(gw).confirm(check_id(upload_id), user=user))

    @router.post(prefix + "/{upload_id}/cancel", response_model=w.Accepted, tags=[tag], responses=STEP_ERRORS,
                 summary=f"Cancel {what} (nothing changes)", name=f"cancel_{tag}_{what}")
    async def cancel(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        return as_sent(await uploads(gw).cancel(check_id(upload_id), user=user))


# ----------------------------------------------------------------------------------- sampling
upload_routes(prefix="/sampling/uploads", tag="sampling", uploads=lambda gw: gw.services.sampling.samples,
              what="a sampling file")
upload_routes(prefix="/sampling/responses", tag="sampling", uploads=lambda gw: gw.services.sampling.responses,
              what="a provider response")


@router.get("/sampling/claims", response_model=w.WaitingClaimList, tags=["sampling"],
            summary="Claims waiting in the Sampling section (in progress or provider not approved)",
            responses=errors(401, 403, 422, 503))
async def sampling_claims(page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                          per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                          status: Annotated[str | None, Query(pattern="^(sampling_in_progress|sampling_provider_not_approved)$")] = None,
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
    if not body.reason.strip():
        raise GatewayError.one(422, "Enter a reason", field="reason")
    return as_sent(await gw.services.sampling.reject_claim(reference, body.reason.strip(), user=user))


@router.post("/providers/{provider_id}/sampling/resend", status_code=202, response_model=w.Accepted,
             tags=["sampling"], summary="Send a provider a new download link (the old one stops working)",
             responses=STEP_ERRORS)
async def resend_link(provider_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.sampling.resend_link(check_id(provider_id, "provider"), user=user))


# ----------------------------------------------------------------------------------- payments
@router.post("/payments", status_code=201, response_model=w.PaymentSent, tags=["payments"],
             summary="Send a claim window's submitted claims to the payer", responses=errors(401, 403, 404, 422, 503))
async def send_to_payer(body: w.SendToPayerIn, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.payments.send_to_payer(body.claim_window_id, user=user))


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
                         claim_window_id: Annotated[str | None, Query(max_length=100, pattern=r"^[\w-]+$")] = None,
                         page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                         per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                         user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    for s in status:
        if not s.replace(",", "").replace("_", "").isalpha() or len(s) > 500:
            raise GatewayError.one(422, "Select a valid status", field="status")
    return as_sent(await gw.services.payments.claims(status=status, claim_window_id=claim_window_id, page=page,
                                             per_page=per_page, user=user))


upload_routes(prefix="/payments/responses", tag="payments", uploads=lambda gw: gw.services.payments.payer_responses,
              what="a payer payment response")


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


# ---------------------------------------------------------------------------------- clawbacks
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
    return as_sent(await gw.services.payments.check_clawback(reference, payments_api.ClawbackIn.model_validate(
        body.model_dump()), user=user))


@router.post("/claims/{reference}/clawback", status_code=201, response_model=w.ClawbackRequested,
             tags=["clawbacks"], summary="Request a clawback: hours each not-assured mentor actually worked",
             responses=STEP_ERRORS)
async def request_clawback(reference: str, body: w.ClawbackIn, user: User = Depends(SUPPORT),
                           gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return as_sent(await gw.services.payments.request_clawback(reference, payments_api.ClawbackIn.model_validate(
        body.model_dump()), user=user))


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
    if any("\x00" in k or "\x00" in v for k, v in body.reasons.items()):
        raise GatewayError.one(422, "Remove the invalid characters", field="reasons")
    return as_sent(await gw.services.payments.reject_clawback(reference, body.reasons, user=user))


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


upload_routes(prefix="/clawbacks/responses", tag="clawbacks",
              uploads=lambda gw: gw.services.payments.clawback_responses, what="a payer clawback response")
