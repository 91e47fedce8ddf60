"""The Clawbacks section (a sub-section of Claims): request per mentor (hours worked and notes) →
check answers (hours clawed back, hourly rate, amount per mentor and total) → requested; another
support user approves or rejects (a reason per mentor) — the payments service refuses the requester's
own approval and its message is shown; approved clawbacks are sent to the payer.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from shared.contracts.claim_status import CLAWBACK_QUEUE
from shared.contracts.http.payments import ClawbackIn, ClawbackView, MentorHoursIn
from shared.contracts.identifiers import is_ascii_digits
from shared.contracts.reasons import OTHER, REASONS, check_reason

from ..auth import verify_csrf
from ..clients import Downstream
from ..context import Gateway, gateway
from ..users import User
from .common import SUPPORT, check_reference, claims_section, confirmed, form_text, render, see_other

router = APIRouter(include_in_schema=False)


@router.get("/claims/clawbacks")
async def clawbacks(request: Request, cancelled: str = "", user: User = Depends(SUPPORT),
                    gw: Gateway = Depends(gateway)):
    p = gw.services.payments
    to_request = await p.claims(status=list(CLAWBACK_QUEUE), per_page=50, user=user)
    awaiting = await p.clawbacks(status="awaiting_approval", per_page=50, user=user)
    approved = await p.clawbacks(status="approved", per_page=50, user=user)
    batches = await p.clawback_batches(per_page=10, user=user)
    return render(request, "clawbacks/index.html", claims_section(
        "clawbacks", "Clawbacks", to_request=to_request, awaiting=awaiting, approved=approved,
        batches=batches.items,
        banner="The payer clawback response upload was cancelled. No claims were changed." if cancelled else None))


async def _clawback(gw: Gateway, user: User, reference: str) -> ClawbackView:
    check_reference(reference)
    return await gw.services.payments.clawback(reference, user=user)


def _entries(form, view: ClawbackView) -> tuple[list[MentorHoursIn], dict[str, str], dict[str, str]]:
    """(entries, raw values, errors by field) from the request form's hours and notes per mentor."""
    entries, values, errors = [], {}, {}
    for m in view.mentors:
        if not m.to_enter:
            continue
        trn = m.trn
        raw = form_text(form, f"hours_worked-{trn}", 10)
        notes = form_text(form, f"notes-{trn}")
        values[f"hours_worked-{trn}"], values[f"notes-{trn}"] = raw, notes
        if not raw:
            errors[f"hours_worked-{trn}"] = f"Enter the number of hours {m.full_name} worked"
        elif not is_ascii_digits(raw):
            errors[f"hours_worked-{trn}"] = f"Hours {m.full_name} worked must be a whole number"
        elif int(raw) > m.hours:
            errors[f"hours_worked-{trn}"] = (f"Hours {m.full_name} worked must be {m.hours} or fewer "
                                            "(the hours claimed)")
        else:
            entries.append(MentorHoursIn(trn=trn, hours_worked=int(raw), notes=notes))
    return entries, values, errors


@router.get("/claims/{reference}/clawback/new")
async def request_page(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    view = await _clawback(gw, user, reference)
    values = {k: v for k, v in request.query_params.items() if k.startswith(("hours_worked-", "notes-"))}
    confirmed = await _confirmed_hours(gw, user, reference)
    for trn, hours in confirmed.items():  # the provider's confirmed hours, proposed (docs/design.md §12)
        values.setdefault(f"hours_worked-{trn}", str(hours))
    return render(request, "clawbacks/request.html", claims_section("clawbacks", "Request a clawback", view=view,
                                                          values=values, field_errors={}, confirmed=confirmed))


async def _confirmed_hours(gw: Gateway, user: User, reference: str) -> dict[str, int]:
    """TRN → the hours the provider confirmed for a mentor it did not assure (claims keeps them)."""
    claim = await gw.services.claims.get_claim(reference, user=user)
    return {m.trn: m.hours_confirmed for m in claim.mentors if m.hours_confirmed is not None and m.assured is False}


@router.post("/claims/{reference}/clawback/check", dependencies=[Depends(verify_csrf)])
async def check(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    view = await _clawback(gw, user, reference)
    entries, values, field_errors = _entries(await request.form(), view)
    errors = [{"text": t, "href": f"#{f}"} for f, t in field_errors.items()]
    assessment = None
    if not errors:
        try:
            assessment = await gw.services.payments.check_clawback(reference, ClawbackIn(mentors=entries),
                                                                   user=user)
        except Downstream as exc:
            if exc.status != 422:
                raise
            first = next(iter(values), "main-content")
            errors = [{"text": e["message"], "href": f"#{first}"} for e in exc.errors]
    if errors:
        return render(request, "clawbacks/request.html", claims_section(
            "clawbacks", "Request a clawback", view=view, values=values, field_errors=field_errors, errors=errors),
            status_code=422)
    return render(request, "clawbacks/check.html", claims_section("clawbacks", "Check the clawback", view=view,
                                                        assessment=assessment, values=values))


@router.post("/claims/{reference}/clawback", dependencies=[Depends(verify_csrf)])
async def request_clawback(request: Request, reference: str, user: User = Depends(SUPPORT),
                           gw: Gateway = Depends(gateway)):
    view = await _clawback(gw, user, reference)
    entries, values, field_errors = _entries(await request.form(), view)
    if field_errors:
        return render(request, "clawbacks/request.html", claims_section(
            "clawbacks", "Request a clawback", view=view, values=values, field_errors=field_errors,
            errors=[{"text": t, "href": f"#{f}"} for f, t in field_errors.items()]), status_code=422)
    try:
        await gw.services.payments.request_clawback(reference, ClawbackIn(mentors=entries), user=user)
    except Downstream as exc:
        if exc.status != 422:
            raise
        return render(request, "clawbacks/request.html", claims_section(
            "clawbacks", "Request a clawback", view=view, values=values, field_errors={},
            errors=[{"text": e["message"], "href": "#main-content"} for e in exc.errors]), status_code=422)
    return see_other(f"/claims/{reference}?done=clawback-requested")


async def _review_page(request: Request, gw: Gateway, user: User, reference: str, errors=()):
    view = await _clawback(gw, user, reference)
    return render(request, "clawbacks/review.html", claims_section(
        "clawbacks", "Review the clawback", view=view, errors=list(errors)), status_code=422 if errors else 200)


@router.get("/claims/{reference}/clawback/review")
async def review_page(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await _review_page(request, gw, user, reference)


@router.post("/claims/{reference}/clawback/approve", dependencies=[Depends(verify_csrf)])
async def approve(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return await confirmed(gw.services.payments.approve_clawback(reference, user=user),
                           f"/claims/{reference}?done=clawback-approved",
                           lambda errors: _review_page(request, gw, user, reference, errors), "approve")


@router.get("/claims/{reference}/clawback/reject")
async def reject_page(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    view = await _clawback(gw, user, reference)
    return render(request, "clawbacks/reject.html", claims_section("clawbacks", "Reject the clawback", view=view, values={},
                                                         field_errors={}, reasons=list(REASONS.items())))


@router.post("/claims/{reference}/clawback/reject", dependencies=[Depends(verify_csrf)])
async def reject(request: Request, reference: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    view = await _clawback(gw, user, reference)
    form = await request.form()
    mentors = (view.clawback or {}).get("mentors") or []
    values, field_errors, reasons = {}, {}, {}
    for m in mentors:  # a structured reason per mentor (docs/design.md §12), travelling as "code: details"
        trn, name = m["trn"], m.get("full_name") or m["trn"]
        code, details = form_text(form, f"reason_code-{trn}", 64), form_text(form, f"reason-{trn}")
        values[f"reason_code-{trn}"], values[f"reason-{trn}"] = code, details
        reason, problem = check_reason(code, details)
        if problem:
            field_errors[f"reason-{trn}" if code == OTHER else f"reason_code-{trn}"] = f"{problem} for {name}"
        else:
            reasons[trn] = reason.as_text()
    errors = [{"text": t, "href": f"#{f}"} for f, t in field_errors.items()]
    if not errors:
        try:
            await gw.services.payments.reject_clawback(reference, reasons, user=user)
        except Downstream as exc:
            if exc.status != 422:
                raise
            errors = [{"text": e["message"], "href": "#main-content"} for e in exc.errors]
    if errors:
        return render(request, "clawbacks/reject.html", claims_section(
            "clawbacks", "Reject the clawback", view=view, values=values, field_errors=field_errors, errors=errors,
            reasons=list(REASONS.items())),
            status_code=422)
    return see_other(f"/claims/{reference}?done=clawback-rejected")


@router.get("/claims/clawbacks/send")
async def send_clawbacks_page(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    approved = await gw.services.payments.clawbacks(status="approved", per_page=500, user=user)
    return render(request, "clawbacks/send.html", claims_section("clawbacks", "Send clawbacks to the payer", approved=approved))


@router.post("/claims/clawbacks/send", dependencies=[Depends(verify_csrf)])
async def send_clawbacks(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    try:
        sent = await gw.services.payments.send_clawbacks(user=user)
    except Downstream as exc:
        if exc.status not in (409, 422):
            raise
        approved = await gw.services.payments.clawbacks(status="approved", per_page=500, user=user)
        return render(request, "clawbacks/send.html", claims_section(
            "clawbacks", "Send clawbacks to the payer", approved=approved,
            errors=[{"text": e["message"], "href": "#send"} for e in exc.errors]), status_code=422)
    return render(request, "clawbacks/sent.html", claims_section("clawbacks", "Clawbacks sent to the payer", sent=sent))
