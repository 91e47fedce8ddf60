"""The Payments section (a sub-section of Claims) and the claim page's payer actions.

Send to payer: per claim window, with a confirmation page. Manual payer actions on the claim page
(information sent, paid, reject with a reason); the payer's response is an upload (see ``uploads``).
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from shared.contracts.claim_status import PAYER_QUERIES
from shared.contracts.identifiers import is_ascii_digits, is_id

from ..api.payments import send_window_to_payer
from ..auth import verify_csrf
from ..clients import Downstream
from ..context import Gateway, gateway
from ..users import User
from .claims import claim_page
from .common import SUPPORT, check_reference, claims_section, form_text, render, see_other

router = APIRouter(include_in_schema=False)


@router.get("/claims/payments")
async def payments(request: Request, cancelled: str = "", user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    p = gw.services.payments
    ready = await p.ready_to_send(user=user)
    waiting = await p.claims(status=list(PAYER_QUERIES), per_page=50, user=user)
    batches = await p.payments(per_page=10, user=user)
    return render(request, "payments/index.html", claims_section(
        "payments", "Payments", ready=ready.items, waiting=waiting, batches=batches.items,
        banner="The payer response upload was cancelled. No claims were changed." if cancelled else None))


@router.get("/claims/payments/send")
async def send_page(request: Request, claim_window_id: str = "", user: User = Depends(SUPPORT),
                    gw: Gateway = Depends(gateway)):
    ready = await gw.services.payments.ready_to_send(user=user)
    window = next((w for w in ready.items if w.claim_window_id == claim_window_id), None)
    return render(request, "payments/send.html", claims_section("payments", "Send claims to the payer", window=window,
                                                      claim_window_id=claim_window_id[:100]))


@router.post("/claims/payments/send", dependencies=[Depends(verify_csrf)])
async def send(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    window_id = form_text(await request.form(), "claim_window_id", 100)
    try:
        sent = await send_window_to_payer(gw, user, window_id)
    except Downstream as exc:
        if exc.status not in (404, 409, 422):
            raise
        return render(request, "payments/send.html", claims_section(
            "payments", "Send claims to the payer", window=None, claim_window_id=window_id,
            errors=[{"text": e["message"], "href": "#send"} for e in exc.errors]), status_code=422)
    arriving = sent.claims_still_arriving or 0
    return see_other(f"/claims/payments/batches/{sent.payment_id}?sent=1"
                     + (f"&arriving={arriving}" if arriving else ""))


@router.get("/claims/payments/batches/{payment_id}")
async def batch(request: Request, payment_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if not is_id(payment_id):
        raise Downstream(404, [{"message": "Page not found"}])
    found = await gw.services.payments.payment(payment_id, user=user)
    arriving = request.query_params.get("arriving", "")[:6]
    return render(request, "payments/batch.html", claims_section(
        "payments", "Claims sent to the payer", batch=found, sent=bool(request.query_params.get("sent")),
        arriving=int(arriving) if is_ascii_digits(arriving) else 0))


@router.post("/claims/{reference}/payment/{action}", dependencies=[Depends(verify_csrf)])
async def manual_action(request: Request, reference: str, action: str, user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    check_reference(reference)
    if action not in ("information-sent", "paid", "reject"):
        raise Downstream(404, [{"message": "Page not found"}])
    reason = None
    if action == "reject":
        reason = form_text(await request.form(), "reason")
        if not reason:
            return await _reject_page(request, reference, user, gw, errors=[
                {"text": "Enter the reason the payer rejected the claim", "href": "#reason"}])
    try:
        await gw.services.payments.payer_action(reference, action, reason=reason, user=user)
    except Downstream as exc:
        if exc.status != 422:
            raise
        if action == "reject":
            return await _reject_page(request, reference, user, gw, errors=[
                {"text": e["message"], "href": "#reason"} for e in exc.errors])
        return await claim_page(request, reference, user, gw, status_code=422, errors=[
            {"text": e["message"], "href": "#payer-actions"} for e in exc.errors])
    return see_other(f"/claims/{reference}?done=payment-{action}")


@router.get("/claims/{reference}/payment/reject")
async def reject_payment_page(request: Request, reference: str, user: User = Depends(SUPPORT),
                              gw: Gateway = Depends(gateway)):
    return await _reject_page(request, reference, user, gw)


async def _reject_page(request: Request, reference: str, user: User, gw: Gateway, *,
                       errors: list[dict[str, str]] | None = None):
    check_reference(reference)
    claim = await gw.services.claims.get_claim(reference, user=user)
    return render(request, "payments/reject.html", claims_section("payments", "Reject claim", claim=claim, errors=errors),
                  status_code=422 if errors else 200)
