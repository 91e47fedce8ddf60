"""JSON API of the support workflows (DESIGN §9): sampling, payments to schools, clawbacks.

Every route is support only and forwards to the owning service's internal API with the user as the
actor; the service applies the rules (four eyes, transitions, CSV checks) and its refusals arrive
unchanged (a CSV's row errors keep their ``row``). Uploads are two steps: the file is checked and
stored pending (201 ``{"upload_id", "claim_count"}`` or 422 with every error), then confirmed (202:
the claims' statuses follow within seconds) or cancelled.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Query, UploadFile

from shared.contracts import roles
from shared.contracts.claim_status import SAMPLING_WAITING
from shared.contracts.identifiers import ID_PATTERN, is_id
from shared.platform.filenames import safe_file_name

from ..auth import api_role
from ..clients import GatewayError, ServiceClient
from ..context import Gateway, gateway
from ..users import User
from . import workflow_schemas as w
from .routes import check_reference
from .schemas import errors

SUPPORT = api_role(roles.SUPPORT)
router = APIRouter(prefix="/api/v1")

UPLOAD_ERRORS = errors(401, 403, 422, 503)
STEP_ERRORS = errors(401, 403, 404, 422, 503)


def check_id(value: str, what: str = "upload") -> str:
    """Ids are opaque to the gateway, but never more than a short run of safe characters."""
    if not is_id(value):
        raise GatewayError.one(404, f"There is no such {what}", field=f"{what}_id")
    return value


async def forward_file(client: ServiceClient, path: str, file: UploadFile | None, user: User) -> Any:
    files = None
    if file is not None:
        files = {"file": (safe_file_name(file.filename), await file.read(), file.content_type or "text/csv")}
    return await client.json("POST", path, user=user, **({"files": files} if files else {}))


FileField = Annotated[UploadFile | None, File(description="The CSV file")]


def upload_routes(*, prefix: str, tag: str, service: str, internal: str, what: str) -> None:
    """POST ``prefix`` (file) → 201; GET ``prefix/{id}``; POST ``.../confirm`` → 202; ``.../cancel``."""

    def client(gw: Gateway) -> ServiceClient:
        return getattr(gw.services, service)

    @router.post(prefix, status_code=201, response_model=w.UploadCreated, tags=[tag], responses=UPLOAD_ERRORS,
                 summary=f"Upload {what} (checked and kept pending until confirmed)", name=f"upload_{tag}_{what}")
    async def upload(file: FileField = None, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        return await forward_file(client(gw), internal, file, user)

    @router.get(prefix + "/{upload_id}", response_model=w.UploadReview, tags=[tag], responses=STEP_ERRORS,
                summary=f"Review {what} before confirming it", name=f"review_{tag}_{what}")
    async def review(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        return await client(gw).json("GET", f"{internal}/{check_id(upload_id)}", user=user)

    @router.post(prefix + "/{upload_id}/confirm", status_code=202, response_model=w.Accepted, tags=[tag],
                 responses=STEP_ERRORS, summary=f"Confirm {what} (applies once, however often it is sent)",
                 name=f"confirm_{tag}_{what}")
    async def confirm(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        return await client(gw).json("POST", f"{internal}/{check_id(upload_id)}/confirm", user=user)

    @router.post(prefix + "/{upload_id}/cancel", response_model=w.Accepted, tags=[tag], responses=STEP_ERRORS,
                 summary=f"Cancel {what} (nothing changes)", name=f"cancel_{tag}_{what}")
    async def cancel(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        return await client(gw).json("POST", f"{internal}/{check_id(upload_id)}/cancel", user=user)


# ----------------------------------------------------------------------------------- sampling
upload_routes(prefix="/sampling/uploads", tag="sampling", service="sampling", internal="/internal/v1/sampling/uploads",
              what="a sampling file")
upload_routes(prefix="/sampling/responses", tag="sampling", service="sampling",
              internal="/internal/v1/sampling/responses", what="a provider response")


@router.get("/sampling/claims", response_model=w.WaitingClaimList, tags=["sampling"],
            summary="Claims waiting in the Sampling section (in progress or provider not approved)",
            responses=errors(401, 403, 422, 503))
async def sampling_claims(page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                          per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                          status: Annotated[str | None, Query(pattern="^(" + "|".join(SAMPLING_WAITING) + ")$")] = None,
                          user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    params: dict[str, Any] = {"page": page, "per_page": per_page, **({"status": status} if status else {})}
    return await gw.services.sampling.json("GET", "/internal/v1/sampling/claims", user=user, params=params)


@router.post("/claims/{reference}/sampling/approve", status_code=202, response_model=w.Accepted, tags=["sampling"],
             summary="Approve a claim the provider did not approve (it becomes paid)", responses=STEP_ERRORS)
async def approve_sampled_claim(reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return await gw.services.sampling.json("POST", f"/internal/v1/claims/{reference}/sampling/approve", user=user,
                                           json={})


@router.post("/claims/{reference}/sampling/reject", status_code=202, response_model=w.Accepted, tags=["sampling"],
             summary="Reject a claim the provider did not approve (it goes to the clawbacks queue)",
             responses=STEP_ERRORS)
async def reject_sampled_claim(reference: str, body: w.SamplingDecisionIn, user: User = Depends(SUPPORT),
                               gw: Gateway = Depends(gateway)):
    check_reference(reference)
    if not body.reason.strip():
        raise GatewayError.one(422, "Enter a reason", field="reason")
    return await gw.services.sampling.json("POST", f"/internal/v1/claims/{reference}/sampling/reject", user=user,
                                           json={"reason": body.reason.strip()})


@router.post("/providers/{provider_id}/sampling/resend", status_code=202, response_model=w.Accepted,
             tags=["sampling"], summary="Send a provider a new download link (the old one stops working)",
             responses=STEP_ERRORS)
async def resend_link(provider_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await gw.services.sampling.json(
        "POST", f"/internal/v1/providers/{check_id(provider_id, 'provider')}/sampling/resend", user=user)


# ----------------------------------------------------------------------------------- payments
@router.post("/payments", status_code=201, response_model=w.PaymentSent, tags=["payments"],
             summary="Send a claim window's submitted claims to the payer", responses=errors(401, 403, 404, 422, 503))
async def send_to_payer(body: w.SendToPayerIn, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await send_window_to_payer(gw, user, body.claim_window_id)


async def send_window_to_payer(gw: Gateway, user: User, claim_window_id: str) -> dict:
    """Payments sends what its projection holds; claims is asked first which claims it shows as
    submitted in the window now, so payments waits for one submitted a moment before (or says how
    many are still arriving)."""
    submitted = await gw.services.claims.json("GET", "/internal/v1/claims/references", user=user, params={
        "status": "submitted", "claim_window_id": claim_window_id})
    return await gw.services.payments.json("POST", "/internal/v1/payments", user=user, json={
        "claim_window_id": claim_window_id, "submitted_references": submitted["references"]})


@router.get("/payments", response_model=w.PaymentBatchList, tags=["payments"],
            summary="Payments sent to the payer, newest first", responses=errors(401, 403, 422, 503))
async def payments(page: Annotated[int, Query(ge=1, le=100_000)] = 1, per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                   user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await gw.services.payments.json("GET", "/internal/v1/payments", user=user,
                                           params={"page": page, "per_page": per_page})


@router.get("/payments/ready", response_model=w.ReadyWindowList, tags=["payments"],
            summary="Submitted claims per claim window (what sending to the payer would send)",
            responses=errors(401, 403, 503))
async def payments_ready(user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await gw.services.payments.json("GET", "/internal/v1/payments/ready", user=user)


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
    params: dict[str, Any] = {"status": status, "page": page, "per_page": per_page}
    if claim_window_id:
        params["claim_window_id"] = claim_window_id
    return await gw.services.payments.json("GET", "/internal/v1/payments/claims", user=user, params=params)


upload_routes(prefix="/payments/responses", tag="payments", service="payments",
              internal="/internal/v1/payments/responses", what="a payer payment response")


@router.get("/payments/{payment_id}", response_model=w.PaymentBatch, tags=["payments"],
            summary="One payment sent to the payer, with its claims", responses=errors(401, 403, 404, 503))
async def payment(payment_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await gw.services.payments.json("GET", f"/internal/v1/payments/{check_id(payment_id, 'payment')}",
                                           user=user)


def manual_action(action: str, summary: str) -> None:
    @router.post(f"/claims/{{reference}}/payment/{action}", status_code=202, response_model=w.Accepted,
                 tags=["payments"], summary=summary, responses=STEP_ERRORS, name=f"payment_{action}")
    async def act(reference: str, body: Annotated[w.PaymentRejectIn | None, Body()] = None,
                  user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
        check_reference(reference)
        kwargs = {"json": body.model_dump()} if (action == "reject" and body is not None) else {}
        return await gw.services.payments.json("POST", f"/internal/v1/claims/{reference}/payment/{action}",
                                               user=user, **kwargs)


manual_action("information-sent", "Record that the information the payer asked for was sent")
manual_action("paid", "Record that the payer paid the claim")
manual_action("reject", "Record that the payer rejected the claim (optional body {\"reason\"})")


# ---------------------------------------------------------------------------------- clawbacks
@router.get("/claims/{reference}/clawback", response_model=w.ClawbackView, tags=["clawbacks"],
            summary="The claim's mentors to enter and its latest clawback", responses=errors(401, 403, 404, 503))
async def clawback(reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return await gw.services.payments.json("GET", f"/internal/v1/claims/{reference}/clawback", user=user)


@router.post("/claims/{reference}/clawback/check", response_model=w.ClawbackAssessment, tags=["clawbacks"],
             summary="Check a clawback before requesting it (hours clawed back, rate, amounts; nothing stored)",
             responses=STEP_ERRORS)
async def check_clawback(reference: str, body: w.ClawbackIn, user: User = Depends(SUPPORT),
                         gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return await gw.services.payments.json("POST", f"/internal/v1/claims/{reference}/clawback/check", user=user,
                                           json=body.model_dump())


@router.post("/claims/{reference}/clawback", status_code=201, response_model=w.ClawbackRequested,
             tags=["clawbacks"], summary="Request a clawback: hours each not-assured mentor actually worked",
             responses=STEP_ERRORS)
async def request_clawback(reference: str, body: w.ClawbackIn, user: User = Depends(SUPPORT),
                           gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return await gw.services.payments.json("POST", f"/internal/v1/claims/{reference}/clawback", user=user,
                                           json=body.model_dump())


@router.post("/claims/{reference}/clawback/approve", status_code=202, response_model=w.Accepted, tags=["clawbacks"],
             summary="Approve a clawback (a support user other than the one who requested it)",
             responses=STEP_ERRORS)
async def approve_clawback(reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return await gw.services.payments.json("POST", f"/internal/v1/claims/{reference}/clawback/approve", user=user)


@router.post("/claims/{reference}/clawback/reject", status_code=202, response_model=w.Accepted, tags=["clawbacks"],
             summary="Reject a clawback with a reason per mentor (another support user)", responses=STEP_ERRORS)
async def reject_clawback(reference: str, body: w.ClawbackRejectIn, user: User = Depends(SUPPORT),
                          gw: Gateway = Depends(gateway)):
    check_reference(reference)
    if any("\x00" in k or "\x00" in v for k, v in body.reasons.items()):
        raise GatewayError.one(422, "Remove the invalid characters", field="reasons")
    return await gw.services.payments.json("POST", f"/internal/v1/claims/{reference}/clawback/reject", user=user,
                                           json=body.model_dump())


@router.get("/clawbacks", response_model=w.ClawbackList, tags=["clawbacks"],
            summary="Clawback requests, newest first (?status=awaiting_approval, approved, rejected, "
                    "nothing_owed, sent, complete)", responses=errors(401, 403, 422, 503))
async def clawbacks(status: Annotated[list[str], Query(max_length=20)] = [],
                    page: Annotated[int, Query(ge=1, le=100_000)] = 1, per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                    user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    for s in status:
        if not s.replace(",", "").replace("_", "").isalpha() or len(s) > 500:
            raise GatewayError.one(422, "Select a valid status", field="status")
    return await gw.services.payments.json("GET", "/internal/v1/clawbacks", user=user,
                                           params={"status": status, "page": page, "per_page": per_page})


@router.post("/clawbacks", status_code=201, response_model=w.ClawbacksSent, tags=["clawbacks"],
             summary="Send every approved clawback to the payer", responses=errors(401, 403, 422, 503))
async def send_clawbacks(user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await gw.services.payments.json("POST", "/internal/v1/clawbacks", user=user)


@router.get("/clawbacks/batches", response_model=w.PaymentBatchList, tags=["clawbacks"],
            summary="Clawbacks sent to the payer, newest first", responses=errors(401, 403, 422, 503))
async def clawback_batches(page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                           per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                           user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await gw.services.payments.json("GET", "/internal/v1/clawbacks/batches", user=user,
                                           params={"page": page, "per_page": per_page})


upload_routes(prefix="/clawbacks/responses", tag="clawbacks", service="payments",
              internal="/internal/v1/clawbacks/responses", what="a payer clawback response")
