"""Internal HTTP API of school payments and clawbacks (called by the gateway only, with the internal token).

The gateway authenticates people and passes who is acting in ``X-Actor-Email`` / ``X-Actor-Role``.
Changes are made by support users only. Refusals answer 422 (404 for unknown things) with
``{"errors": [{"message", "row", "field"}]}``; a CSV upload reports every error at once.
"""
from __future__ import annotations

from typing import Any, Callable

from fastapi import APIRouter, Depends, File, Query, UploadFile

from shared.contracts import Actor, Refused
from shared.contracts.http.payments import (Accepted, ClawbackAssessment, ClawbackIn, ClawbackList,
                                            ClawbackRejectIn, ClawbackRequested, ClawbacksSent, ClawbackView,
                                            PaymentBatchDetail, PaymentBatchList, PaymentClaimList, PaymentSent,
                                            ReadyWindowList, RejectIn, SendIn)
from shared.contracts.http.links import LinkStatus
from shared.contracts.money import Money
from shared.contracts.roles import SUPPORT
from shared.platform.filenames import safe_file_name
from shared.platform.internal_api import actor, add_upload_routes

from . import handlers
from .domain.clawback import HoursWorked
from .domain.status import STATUSES, label
from .ports import Deps
from shared.platform.links import download_response, link_status

LINK_GONE = {
    "used": "This link has already been used. Reply to the email you received to ask for a new link.",
    "expired": "This link has expired. Reply to the email you received to ask for a new link.",
    "revoked": "This link is no longer valid because a newer one was sent. Use the link in the latest email.",
    "unknown": "This link is not valid. Check it is the full link from the email.",
}


def support(who: Actor = Depends(actor)) -> Actor:
    if who.role != SUPPORT:
        raise Refused("Only support users can do this", field="role")
    return who


def _money(value: Any) -> str | None:
    return None if value is None else str(Money(value))


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def claim_item(c: dict[str, Any]) -> dict[str, Any]:
    status = c.get("effective_status") or c["status"]
    return {"reference": c["reference"], "status": status, "status_label": label(status),
            "school": {"urn": c["school_urn"], "name": c["school_name"]},
            "provider": {"id": c["provider_id"], "name": c["provider_name"]}, "amount": _money(c["amount"]),
            "claim_window_id": c["claim_window_id"], "submitted_at": _when(c["submitted_at"]),
            "payment_id": c["payment_id"]}


def batch_item(b: dict[str, Any]) -> dict[str, Any]:
    return {"id": b["id"], "claim_count": b["claim_count"], "total_amount": _money(b["total_amount"]),
            "file_name": b["file_name"], "created_at": _when(b["created_at"]), "created_by": b["created_by"],
            **({"claim_window_id": b["claim_window_id"]} if "claim_window_id" in b else {})}


def clawback_item(c: dict[str, Any]) -> dict[str, Any]:
    return {**handlers.clawbacks.stored_view(c), "school": {"urn": c["school_urn"], "name": c["school_name"]},
            "provider_name": c["provider_name"], "claim_amount": _money(c["claim_amount"]),
            "claim_status": c["claim_status"], "claim_status_label": label(c["claim_status"])}


def _statuses(values: list[str], allowed: set[str] | dict[str, str]) -> list[str]:
    found = [s for part in values for s in part.split(",") if s]
    for s in found:
        if s not in allowed:
            raise Refused(f"‘{s}’ is not a status you can filter by", field="status")
    return found


def _payer_response_routes(router: APIRouter, uow_factory: Callable, deps: Deps, *, kind: str, path: str) -> None:
    """Upload, review, confirm and cancel the payer's response file of ``kind`` (payment or clawback):
    the same four routes for both, each answered by the handler of its kind."""
    upload, confirm, cancel = (getattr(handlers, f"handle_{verb}_{kind}_response")
                               for verb in ("upload", "confirm", "cancel"))

    async def upload_response(file: UploadFile | None = File(default=None), who: Actor = Depends(support)):
        data = await file.read() if file is not None else None
        async with uow_factory() as uow:
            return await upload(handlers.PayerResponseFile(data, _name(file), who), uow, deps.clock,
                                new_id=deps.new_id)

    async def review_response(upload_id: str):
        async with uow_factory() as uow:
            return _upload_item(await uow.uploads.get(upload_id, kind))

    async def confirm_response(upload_id: str, who: Actor = Depends(support)):
        async with uow_factory() as uow:
            return await confirm(handlers.DecideResponse(upload_id, who), uow, deps.clock)

    async def cancel_response(upload_id: str, who: Actor = Depends(support)):
        async with uow_factory() as uow:
            return await cancel(handlers.DecideResponse(upload_id, who), uow, deps.clock)

    add_upload_routes(router, path, upload=upload_response, review=review_response, confirm=confirm_response,
                      cancel=cancel_response, names=(f"upload_{kind}_response", f"{kind}_response",
                                                     f"confirm_{kind}_response", f"cancel_{kind}_response"))


def build_router(uow_factory: Callable, deps: Deps, auth: Callable) -> APIRouter:
    router = APIRouter(prefix="/internal/v1", dependencies=[Depends(auth)])

    # ------------------------------------------------------------------ payments
    @router.post("/payments", status_code=201, response_model=PaymentSent)
    async def send_to_payer(body: SendIn, who: Actor = Depends(support)):
        async with uow_factory() as uow:
            command = handlers.SendToPayer(body.claim_window_id, who, tuple(body.submitted_references))
            return await handlers.handle_send_to_payer(command, uow, deps.clock, new_id=deps.new_id, payer=deps.payer,
                                                       catch_up=deps.catch_up)

    @router.get("/payments", response_model=PaymentBatchList)
    async def list_payments(page: int = Query(default=1, ge=1), per_page: int = Query(default=25, ge=1, le=500)):
        async with uow_factory() as uow:
            rows, total = await uow.payments.batches(page=page, per_page=per_page)
        return {"items": [batch_item(r) for r in rows], "total": total, "page": page, "per_page": per_page}

    @router.get("/payments/ready", response_model=ReadyWindowList)
    async def ready_to_send():
        """Submitted claims per claim window (what "send to payer" would send)."""
        async with uow_factory() as uow:
            rows = await uow.claims.submitted_by_window()
        items = [{"claim_window_id": r["claim_window_id"], "claim_count": r["claim_count"],
                  "total_amount": _money(r["total_amount"])} for r in rows]
        return {"items": items, "total": len(items), "page": 1}

    @router.get("/payments/claims", response_model=PaymentClaimList)
    async def payment_claims(status: list[str] = Query(default=[]), claim_window_id: str | None = None,
                             page: int = Query(default=1, ge=1), per_page: int = Query(default=25, ge=1, le=500)):
        """Claims as payments sees them (effective status), e.g. ``?status=payment_information_requested``."""
        statuses = _statuses(status, set(STATUSES))
        async with uow_factory() as uow:
            rows, total = await uow.claims.search(statuses=statuses, claim_window_id=claim_window_id, page=page,
                                                  per_page=per_page)
        return {"items": [claim_item(r) for r in rows], "total": total, "page": page, "per_page": per_page}

    @router.get("/payments/{payment_id}", response_model=PaymentBatchDetail)
    async def payment_detail(payment_id: str):
        async with uow_factory() as uow:
            batch, claims = await uow.payments.batch(payment_id)
        return {**batch_item(batch), "claims": [
            {"reference": c["reference"], "amount": _money(c["amount"]), "status": c["status"],
             "status_label": label(c["status"]), "school": {"urn": c["school_urn"], "name": c["school_name"]},
             "provider_name": c["provider_name"]} for c in claims]}

    _payer_response_routes(router, uow_factory, deps, kind="payment", path="/payments/responses")

    # ------------------------------------------------------------------ manual payer actions
    @router.post("/claims/{reference}/payment/information-sent", status_code=202, response_model=Accepted)
    async def information_sent(reference: str, who: Actor = Depends(support)):
        async with uow_factory() as uow:
            return await handlers.handle_mark_information_sent(handlers.MarkInformationSent(reference, who), uow,
                                                               deps.clock)

    @router.post("/claims/{reference}/payment/paid", status_code=202, response_model=Accepted)
    async def paid(reference: str, who: Actor = Depends(support)):
        async with uow_factory() as uow:
            return await handlers.handle_mark_paid(handlers.MarkPaid(reference, who), uow, deps.clock)

    @router.post("/claims/{reference}/payment/reject", status_code=202, response_model=Accepted)
    async def reject(reference: str, body: RejectIn | None = None, who: Actor = Depends(support)):
        async with uow_factory() as uow:
            command = handlers.RejectPayment(reference, body.reason if body else "", who)
            return await handlers.handle_reject_payment(command, uow, deps.clock)

    # ------------------------------------------------------------------ clawbacks
    def entries(body: ClawbackIn) -> list[HoursWorked]:
        return [HoursWorked(trn=m.trn, hours_worked=m.hours_worked, notes=m.notes) for m in body.mentors]

    @router.get("/claims/{reference}/clawback", response_model=ClawbackView)
    async def clawback(reference: str):
        async with uow_factory() as uow:
            return await handlers.handle_view_clawback(handlers.ViewClawback(reference), uow, deps.clock)

    @router.post("/claims/{reference}/clawback/check", response_model=ClawbackAssessment)
    async def check_clawback(reference: str, body: ClawbackIn, who: Actor = Depends(support)):
        async with uow_factory() as uow:
            return await handlers.handle_check_clawback(handlers.CheckClawback(reference, entries(body)), uow,
                                                        deps.clock)

    @router.post("/claims/{reference}/clawback", status_code=201, response_model=ClawbackRequested)
    async def request_clawback(reference: str, body: ClawbackIn, who: Actor = Depends(support)):
        async with uow_factory() as uow:
            return await handlers.handle_request_clawback(handlers.RequestClawback(reference, entries(body), who), uow,
                                                          deps.clock, new_id=deps.new_id)

    @router.post("/claims/{reference}/clawback/approve", status_code=202, response_model=Accepted)
    async def approve_clawback(reference: str, who: Actor = Depends(support)):
        async with uow_factory() as uow:
            return await handlers.handle_approve_clawback(handlers.ApproveClawback(reference, who), uow, deps.clock)

    @router.post("/claims/{reference}/clawback/reject", status_code=202, response_model=Accepted)
    async def reject_clawback(reference: str, body: ClawbackRejectIn, who: Actor = Depends(support)):
        async with uow_factory() as uow:
            return await handlers.handle_reject_clawback(handlers.RejectClawback(reference, body.reasons, who), uow,
                                                         deps.clock)

    @router.get("/clawbacks", response_model=ClawbackList)
    async def list_clawbacks(status: list[str] = Query(default=[]), page: int = Query(default=1, ge=1),
                             per_page: int = Query(default=25, ge=1, le=500)):
        """Clawback requests, newest first; ``?status=awaiting_approval`` (or approved, rejected,
        nothing_owed, sent, complete; comma separated or repeated)."""
        statuses = _statuses(status, {"awaiting_approval", "approved", "rejected", "nothing_owed", "sent",
                                      "complete"})
        async with uow_factory() as uow:
            rows, total = await uow.clawbacks.search(statuses=statuses, page=page, per_page=per_page)
        return {"items": [clawback_item(r) for r in rows], "total": total, "page": page, "per_page": per_page}

    @router.post("/clawbacks", status_code=201, response_model=ClawbacksSent)
    async def send_clawbacks(who: Actor = Depends(support)):
        async with uow_factory() as uow:
            return await handlers.handle_send_clawbacks(handlers.SendClawbacks(who), uow, deps.clock,
                                                        new_id=deps.new_id, payer=deps.payer)

    @router.get("/clawbacks/batches", response_model=PaymentBatchList)
    async def clawback_batches(page: int = Query(default=1, ge=1), per_page: int = Query(default=25, ge=1, le=500)):
        async with uow_factory() as uow:
            rows, total = await uow.clawbacks.batches(page=page, per_page=per_page)
        return {"items": [batch_item(r) for r in rows], "total": total, "page": page, "per_page": per_page}

    _payer_response_routes(router, uow_factory, deps, kind="clawback", path="/clawbacks/responses")

    # ------------------------------------------------------------------ the payer's links
    @router.get("/links/{token}")
    async def download(token: str):
        async with uow_factory() as uow:
            outcome = await handlers.handle_download(handlers.Download(token), uow, deps.clock)
        row = outcome.row or {}
        return download_response(outcome.status, file_name=row.get("file_name"), content=row.get("content"),
                                 gone=LINK_GONE)

    @router.get("/links/{token}/status", response_model=LinkStatus)
    async def download_status(token: str):
        """Whether the link would download, without spending it (the gateway's page before the button)."""
        async with uow_factory() as uow:
            return {"status": await link_status(uow.session, uow.links, token, now=deps.clock.now())}

    return router


def _name(file: UploadFile | None) -> str | None:
    return safe_file_name(file.filename) if file is not None and file.filename else None


def _upload_item(u: dict[str, Any]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for a in u["answers"]:
        counts[a["outcome"]] = counts.get(a["outcome"], 0) + 1
    return {"upload_id": u["id"], "kind": u["kind"], "status": u["status"], "file_name": u["file_name"],
            "claim_count": u["claim_count"], "outcomes": counts, "created_at": _when(u["created_at"]),
            "created_by": u["created_by"], "decided_at": _when(u["decided_at"]), "decided_by": u["decided_by"]}
