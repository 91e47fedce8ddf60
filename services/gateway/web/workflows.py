"""Payments and Clawbacks sections and the claim page's payer and clawback actions.

Send to payer: per claim window, with a confirmation page. Manual payer actions on the claim page
(information sent, paid, reject with a reason). Clawbacks: request per mentor (hours worked and
notes) → check answers (hours clawed back, hourly rate, amount per mentor and total) → requested;
another support user approves or rejects (a reason per mentor) — the payments service refuses the
requester's own approval and its message is shown; approved clawbacks are sent to the payer.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from shared.contracts.claim_status import CLAWBACK_QUEUE, PAYER_QUERIES
from shared.contracts.identifiers import is_ascii_digits, is_id, is_reference

from ..api.workflows import send_window_to_payer
from ..auth import verify_csrf
from ..clients import Downstream
from ..context import Gateway, gateway
from ..users import User
from .common import SUPPORT, form_text, render, see_other

router = APIRouter(include_in_schema=False)


def _check(reference: str) -> None:
    if not is_reference(reference):
        raise Downstream(404, [{"message": "Page not found"}])


def _ctx(subsection: str, title: str, **more: Any) -> dict[str, Any]:
    return {"title": title, "section": "claims", "subsection": subsection, **more}


# ----------------------------------------------------------------------------------- payments
@router.get("/claims/payments")
async def payments(request: Request, cancelled: str = "", user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    p = gw.services.payments
    ready = await p.json("GET", "/internal/v1/payments/ready", user=user)
    waiting = await p.json("GET", "/internal/v1/payments/claims", user=user, params={
        "status": list(PAYER_QUERIES), "per_page": 50})
    batches = await p.json("GET", "/internal/v1/payments", user=user, params={"per_page": 10})
    return render(request, "payments/index.html", _ctx(
        "payments", "Payments", ready=ready["items"], waiting=waiting, batches=batches["items"],
        banner="The payer response upload was cancelled. No claims were changed." if cancelled else None))


@router.get("/claims/payments/send")
async def send_page(request: Request, claim_window_id: str = "", user: User = Depends(SUPPORT),
                    gw: Gateway = Depends(gateway)):
    ready = await gw.services.payments.json("GET", "/internal/v1/payments/ready", user=user)
    window = next((w for w in ready["items"] if w["claim_window_id"] == claim_window_id), None)
    return render(request, "payments/send.html", _ctx("payments", "Send claims to the payer", window=window,
                                                      claim_window_id=claim_window_id[:100]))


@router.post("/claims/payments/send", dependencies=[Depends(verify_csrf)])
async def send(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    window_id = form_text(await request.form(), "claim_window_id", 100)
    try:
        sent = await send_window_to_payer(gw, user, window_id)
    except Downstream as exc:
        if exc.status not in (404, 409, 422):
            raise
        return render(request, "payments/send.html", _ctx(
            "payments", "Send claims to the payer", window=None, claim_window_id=window_id,
            errors=[{"text": e["message"], "href": "#send"} for e in exc.errors]), status_code=422)
    arriving = sent.get("claims_still_arriving") or 0
    return see_other(f"/claims/payments/batches/{sent['payment_id']}?sent=1"
                     + (f"&arriving={arriving}" if arriving else ""))


@router.get("/claims/payments/batches/{payment_id}")
async def batch(request: Request, payment_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if not is_id(payment_id):
        raise Downstream(404, [{"message": "Page not found"}])
    found = await gw.services.payments.json("GET", f"/internal/v1/payments/{payment_id}", user=user)
    arriving = request.query_params.get("arriving", "")[:6]
    return render(request, "payments/batch.html", _ctx(
        "payments", "Claims sent to the payer", batch=found, sent=bool(request.query_params.get("sent")),
        arriving=int(arriving) if is_ascii_digits(arriving) else 0))


@router.post("/claims/{reference}/payment/{action}", dependencies=[Depends(verify_csrf)])
async def manual_action(request: Request, reference: str, action: str, user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    _check(reference)
    if action not in ("information-sent", "paid", "reject"):
        raise Downstream(404, [{"message": "Page not found"}])
    body: dict[str, Any] = {}
    if action == "reject":
        reason = form_text(await request.form(), "reason")
        if not reason:
            return await _reject_page(request, reference, user, gw, errors=[
                {"text": "Enter the reason the payer rejected the claim", "href": "#reason"}])
        body = {"json": {"reason": reason}}
    try:
        await gw.services.payments.json("POST", f"/internal/v1/claims/{reference}/payment/{action}", user=user,
                                        **body)
    except Downstream as exc:
        if exc.status != 422:
            raise
        if action == "reject":
            return await _reject_page(request, reference, user, gw, errors=[
                {"text": e["message"], "href": "#reason"} for e in exc.errors])
        from .pages import claim_page
        return await claim_page(request, reference, user, gw, status_code=422, errors=[
            {"text": e["message"], "href": "#payer-actions"} for e in exc.errors])
    return see_other(f"/claims/{reference}?done=payment-{action}")


@router.get("/claims/{reference}/payment/reject")
async def reject_payment_page(request: Request, reference: str, user: User = Depends(SUPPORT),
                              gw: Gateway = Depends(gateway)):
    return await _reject_page(request, reference, user, gw)


async def _reject_page(request: Request, reference: str, user: User, gw: Gateway, *,
                       errors: list[dict[str, str]] | None = None):
    _check(reference)
    claim = await gw.services.claims.json("GET", f"/internal/v1/claims/{reference}", user=user)
    return render(request, "payments/reject.html", _ctx("payments", "Reject claim", claim=claim, errors=errors),
                  status_code=422 if errors else 200)


# ---------------------------------------------------------------------------------- clawbacks
@router.get("/claims/clawbacks")
async def clawbacks(request: Request, cancelled: str = "", user: User = Depends(SUPPORT),
                    gw: Gateway = Depends(gateway)):
    p = gw.services.payments
    to_request = await p.json("GET", "/internal/v1/payments/claims", user=user, params={
        "status": list(CLAWBACK_QUEUE), "per_page": 50})
    awaiting = await p.json("GET", "/internal/v1/clawbacks", user=user, params={"status": "awaiting_approval",
                                                                              "per_page": 50})
    approved = await p.json("GET", "/internal/v1/clawbacks", user=user, params={"status": "approved", "per_page": 50})
    batches = await p.json("GET", "/internal/v1/clawbacks/batches", user=user, params={"per_page": 10})
    return render(request, "clawbacks/index.html", _ctx(
        "clawbacks", "Clawbacks", to_request=to_request, awaiting=awaiting, approved=approved,
        batches=batches["items"],
        banner="The payer clawback response upload was cancelled. No claims were changed." if cancelled else None))


async def _clawback(gw: Gateway, user: User, reference: str) -> dict[str, Any]:
    _check(reference)
    return await gw.services.payments.json("GET", f"/internal/v1/claims/{reference}/clawback", user=user)


def _entries(form, view: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, str]]:
    """(entries, raw values, errors by field) from the request form's hours and notes per mentor."""
    entries, values, errors = [], {}, {}
    for m in view["mentors"]:
        if not m.get("to_enter"):
            continue
        trn = m["trn"]
        raw = form_text(form, f"hours_worked-{trn}", 10)
        notes = form_text(form, f"notes-{trn}")
        values[f"hours_worked-{trn}"], values[f"notes-{trn}"] = raw, notes
        if not raw:
            errors[f"hours_worked-{trn}"] = f"Enter the number of hours {m['full_name']} worked"
        elif not is_ascii_digits(raw):
            errors[f"hours_worked-{trn}"] = f"Hours {m['full_name']} worked must be a whole number"
        elif int(raw) > m["hours"]:
            errors[f"hours_worked-{trn}"] = (f"Hours {m['full_name']} worked must be {m['hours']} or fewer "
                                            "(the hours claimed)")
        else:
            entries.append({"trn": trn, "hours_worked": int(raw), "notes": notes})
    return entries, values, errors


@router.get("/claims/{reference}/clawback/new")
async def request_page(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    view = await _clawback(gw, user, reference)
    values = {k: v for k, v in request.query_params.items() if k.startswith(("hours_worked-", "notes-"))}
    return render(request, "clawbacks/request.html", _ctx("clawbacks", "Request a clawback", view=view,
                                                          values=values, field_errors={}))


@router.post("/claims/{reference}/clawback/check", dependencies=[Depends(verify_csrf)])
async def check(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    view = await _clawback(gw, user, reference)
    entries, values, field_errors = _entries(await request.form(), view)
    errors = [{"text": t, "href": f"#{f}"} for f, t in field_errors.items()]
    assessment = None
    if not errors:
        try:
            assessment = await gw.services.payments.json(
                "POST", f"/internal/v1/claims/{reference}/clawback/check", user=user, json={"mentors": entries})
        except Downstream as exc:
            if exc.status != 422:
                raise
            first = next(iter(values), "main-content")
            errors = [{"text": e["message"], "href": f"#{first}"} for e in exc.errors]
    if errors:
        return render(request, "clawbacks/request.html", _ctx(
            "clawbacks", "Request a clawback", view=view, values=values, field_errors=field_errors, errors=errors),
            status_code=422)
    return render(request, "clawbacks/check.html", _ctx("clawbacks", "Check the clawback", view=view,
                                                        assessment=assessment, values=values))


@router.post("/claims/{reference}/clawback", dependencies=[Depends(verify_csrf)])
async def request_clawback(request: Request, reference: str, user: User = Depends(SUPPORT),
                           gw: Gateway = Depends(gateway)):
    view = await _clawback(gw, user, reference)
    entries, values, field_errors = _entries(await request.form(), view)
    if field_errors:
        return render(request, "clawbacks/request.html", _ctx(
            "clawbacks", "Request a clawback", view=view, values=values, field_errors=field_errors,
            errors=[{"text": t, "href": f"#{f}"} for f, t in field_errors.items()]), status_code=422)
    try:
        await gw.services.payments.json("POST", f"/internal/v1/claims/{reference}/clawback", user=user,
                                        json={"mentors": entries})
    except Downstream as exc:
        if exc.status != 422:
            raise
        return render(request, "clawbacks/request.html", _ctx(
            "clawbacks", "Request a clawback", view=view, values=values, field_errors={},
            errors=[{"text": e["message"], "href": "#main-content"} for e in exc.errors]), status_code=422)
    return see_other(f"/claims/{reference}?done=clawback-requested")


@router.get("/claims/{reference}/clawback/review")
async def review_page(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    view = await _clawback(gw, user, reference)
    return render(request, "clawbacks/review.html", _ctx("clawbacks", "Review the clawback", view=view))


@router.post("/claims/{reference}/clawback/approve", dependencies=[Depends(verify_csrf)])
async def approve(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    _check(reference)
    try:
        await gw.services.payments.json("POST", f"/internal/v1/claims/{reference}/clawback/approve", user=user)
    except Downstream as exc:
        if exc.status != 422:
            raise
        view = await _clawback(gw, user, reference)
        return render(request, "clawbacks/review.html", _ctx(
            "clawbacks", "Review the clawback", view=view,
            errors=[{"text": e["message"], "href": "#approve"} for e in exc.errors]), status_code=422)
    return see_other(f"/claims/{reference}?done=clawback-approved")


@router.get("/claims/{reference}/clawback/reject")
async def reject_page(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    view = await _clawback(gw, user, reference)
    return render(request, "clawbacks/reject.html", _ctx("clawbacks", "Reject the clawback", view=view, values={},
                                                         field_errors={}))


@router.post("/claims/{reference}/clawback/reject", dependencies=[Depends(verify_csrf)])
async def reject(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    view = await _clawback(gw, user, reference)
    form = await request.form()
    mentors = (view.get("clawback") or {}).get("mentors") or []
    values = {f"reason-{m['trn']}": form_text(form, f"reason-{m['trn']}") for m in mentors}
    field_errors = {f"reason-{m['trn']}": f"Enter a reason for {m.get('full_name') or m['trn']}"
                    for m in mentors if not values[f"reason-{m['trn']}"]}
    errors = [{"text": t, "href": f"#{f}"} for f, t in field_errors.items()]
    if not errors:
        try:
            await gw.services.payments.json(
                "POST", f"/internal/v1/claims/{reference}/clawback/reject", user=user,
                json={"reasons": {m["trn"]: values[f"reason-{m['trn']}"] for m in mentors}})
        except Downstream as exc:
            if exc.status != 422:
                raise
            errors = [{"text": e["message"], "href": "#main-content"} for e in exc.errors]
    if errors:
        return render(request, "clawbacks/reject.html", _ctx(
            "clawbacks", "Reject the clawback", view=view, values=values, field_errors=field_errors, errors=errors),
            status_code=422)
    return see_other(f"/claims/{reference}?done=clawback-rejected")


@router.get("/claims/clawbacks/send")
async def send_clawbacks_page(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    approved = await gw.services.payments.json("GET", "/internal/v1/clawbacks", user=user,
                                               params={"status": "approved", "per_page": 500})
    return render(request, "clawbacks/send.html", _ctx("clawbacks", "Send clawbacks to the payer", approved=approved))


@router.post("/claims/clawbacks/send", dependencies=[Depends(verify_csrf)])
async def send_clawbacks(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    try:
        sent = await gw.services.payments.json("POST", "/internal/v1/clawbacks", user=user)
    except Downstream as exc:
        if exc.status not in (409, 422):
            raise
        approved = await gw.services.payments.json("GET", "/internal/v1/clawbacks", user=user,
                                                   params={"status": "approved", "per_page": 500})
        return render(request, "clawbacks/send.html", _ctx(
            "clawbacks", "Send clawbacks to the payer", approved=approved,
            errors=[{"text": e["message"], "href": "#send"} for e in exc.errors]), status_code=422)
    return render(request, "clawbacks/sent.html", _ctx("clawbacks", "Clawbacks sent to the payer", sent=sent))
