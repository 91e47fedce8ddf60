"""Answering an audit in the service (docs/design.md §12): "Is the information in this claim
correct?" → the mentors whose training is not correct → per mentor the hours and a reason → check
your answers → confirmation. The provider answers its own claims; support reaches the same question
pages from a claim in sampling to record a provider's answer by hand ("Update claim – provider
rejected claim").

The answer being given is kept between the question pages in a signed cookie (one claim at a time;
nothing is saved until "Submit" on the check page, where the sampling service applies its rules).
Each page repeats only the checks it needs to show its own errors; the service is the authority.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeSerializer

from shared.contracts import roles
from shared.contracts.http.provider import AssuranceIn, MentorAnswerIn, ProviderClaimDetail
from shared.contracts.identifiers import is_ascii_digits
from shared.contracts.reasons import OTHER, REASONS, check_reason

from ..auth import page_role, verify_csrf
from ..clients import Downstream
from ..context import Gateway, gateway
from ..users import User
from .common import form_text, render, see_other
from .provider import PROVIDER, provider_claim

ANSWER_COOKIE = "claimflow_answer"
YES_OR_NO = "Select yes if the information in this claim is correct"
CHOOSE_MENTORS = "Select the mentors whose training is not correct"

router = APIRouter(include_in_schema=False)


class Flow:
    """Where the question pages of one claim live, for the provider or for support."""

    def __init__(self, user: User, reference: str) -> None:
        self.support = user.role == roles.SUPPORT
        self.reference = reference
        self.base = (f"/claims/{reference}/provider-answer" if self.support
                     else f"/provider/claims/{reference}/assure")
        self.claim_href = f"/claims/{reference}" if self.support else f"/provider/claims/{reference}"
        self.caption = f"Claim {reference}"


def _serializer(gw: Gateway) -> URLSafeSerializer:
    return URLSafeSerializer(gw.settings.signing_key(), salt="provider-answer")


def _state(request: Request, gw: Gateway, reference: str) -> dict[str, Any]:
    try:
        state = _serializer(gw).loads(request.cookies.get(ANSWER_COOKIE, ""))
    except BadSignature:
        state = None
    if not isinstance(state, dict) or state.get("ref") != reference:
        state = {"ref": reference, "assured": None, "chosen": [], "mentors": {}}
    return state


def _saved(response: Response, gw: Gateway, state: dict[str, Any]) -> Response:
    response.set_cookie(ANSWER_COOKIE, _serializer(gw).dumps(state), httponly=True, samesite="lax",
                        secure=gw.settings.secure_cookies, path="/", max_age=3600)
    return response


def _page(request: Request, name: str, flow: Flow, claim: ProviderClaimDetail, title: str, *, errors=None,
          status_code: int = 200, **more: Any) -> Response:
    return render(request, f"provider/{name}.html", {
        "title": title, "section": "claims" if flow.support else "provider", "subsection": "sampling",
        "flow": flow, "claim": claim, "errors": errors or [], "reasons": list(REASONS.items()), **more},
        status_code=status_code)


async def _open_claim(gw: Gateway, user: User, reference: str) -> tuple[Flow, ProviderClaimDetail]:
    claim = await provider_claim(gw, user, reference)
    return Flow(user, claim.reference), claim


def _next_after_mentors(flow: Flow, state: dict[str, Any], after: str | None = None) -> str:
    chosen = state["chosen"]
    if after in chosen and chosen.index(after) + 1 < len(chosen):
        return f"{flow.base}/mentors/{chosen[chosen.index(after) + 1]}"
    missing = [t for t in chosen if t not in state["mentors"]]
    return f"{flow.base}/mentors/{missing[0]}" if missing else f"{flow.base}/check"


@router.get("/provider/claims/{reference}/assure")
async def is_correct(request: Request, reference: str, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    flow, claim = await _open_claim(gw, user, reference)
    if not claim.needs_action:  # answered, or not (or no longer) waiting for an answer
        return see_other(flow.claim_href)
    state = _state(request, gw, flow.reference)
    return _page(request, "is_correct", flow, claim, "Is the information in this claim correct?",
                 value=state["assured"])


@router.get("/claims/{reference}/provider-answer")
async def support_start(request: Request, reference: str, user: User = Depends(page_role(roles.SUPPORT)),
                        gw: Gateway = Depends(gateway)):
    """Support records the provider's "no" by hand (a "yes" is "Approve claim"): a fresh answer each time."""
    flow, claim = await _open_claim(gw, user, reference)
    if not claim.needs_action:  # answered, or not (or no longer) waiting for an answer
        return see_other(flow.claim_href)
    state = {"ref": flow.reference, "assured": False, "chosen": [], "mentors": {}}
    return _saved(see_other(f"{flow.base}/mentors"), gw, state)


@router.post("/provider/claims/{reference}/assure", dependencies=[Depends(verify_csrf)])
async def is_correct_answer(request: Request, reference: str, user: User = Depends(PROVIDER),
                            gw: Gateway = Depends(gateway)):
    flow, claim = await _open_claim(gw, user, reference)
    choice = form_text(await request.form(), "assured", 10)
    if choice not in ("yes", "no"):
        return _page(request, "is_correct", flow, claim, "Is the information in this claim correct?",
                     errors=[{"text": YES_OR_NO, "href": "#assured"}], error=YES_OR_NO, status_code=422)
    state = _state(request, gw, flow.reference)
    state["assured"] = choice == "yes"
    return _saved(see_other(f"{flow.base}/check" if choice == "yes" else f"{flow.base}/mentors"), gw, state)


async def _mentors_page(request: Request, reference: str, user: User, gw: Gateway):
    flow, claim = await _open_claim(gw, user, reference)
    if not claim.needs_action:  # answered, or not (or no longer) waiting for an answer
        return see_other(flow.claim_href)
    state = _state(request, gw, flow.reference)
    return _page(request, "mentors", flow, claim, "Which mentors’ training is not correct?", chosen=state["chosen"])


async def _mentors_answer(request: Request, reference: str, user: User, gw: Gateway):
    flow, claim = await _open_claim(gw, user, reference)
    form = await request.form()
    trns = {m.trn for m in claim.mentors}
    chosen = [t for t in form.getlist("mentors") if isinstance(t, str) and t in trns]
    if not chosen:
        return _page(request, "mentors", flow, claim, "Which mentors’ training is not correct?", chosen=[],
                     errors=[{"text": CHOOSE_MENTORS, "href": "#mentors"}], error=CHOOSE_MENTORS, status_code=422)
    state = _state(request, gw, flow.reference)
    state["assured"] = False
    state["chosen"] = [m.trn for m in claim.mentors if m.trn in chosen]
    state["mentors"] = {t: v for t, v in state["mentors"].items() if t in chosen}
    return _saved(see_other(_next_after_mentors(flow, state)), gw, state)


def _mentor_of(claim: ProviderClaimDetail, trn: str):
    for m in claim.mentors:
        if m.trn == trn:
            return m
    raise Downstream(404, [{"message": "Page not found"}])


async def _mentor_page(request: Request, reference: str, trn: str, user: User, gw: Gateway):
    flow, claim = await _open_claim(gw, user, reference)
    if not claim.needs_action:  # answered, or not (or no longer) waiting for an answer
        return see_other(flow.claim_href)
    mentor = _mentor_of(claim, trn)
    state = _state(request, gw, flow.reference)
    return _page(request, "mentor", flow, claim, f"What is wrong with {mentor.full_name}’s training?", mentor=mentor,
                 values=state["mentors"].get(trn, {}), field_errors={})


def _check_mentor(form, mentor) -> tuple[dict[str, str], dict[str, str]]:
    trn, name, claimed = mentor.trn, mentor.full_name, mentor.hours
    values = {"change": form_text(form, f"change-{trn}", 10), "hours": form_text(form, f"hours_confirmed-{trn}", 6),
              "reason_code": form_text(form, f"reason_code-{trn}", 64), "reason": form_text(form, f"reason-{trn}", 2000)}
    errors: dict[str, str] = {}
    if values["change"] not in ("remove", "change"):
        errors[f"change-{trn}"] = f"Select whether to remove all of {name}’s hours or change them"
    elif values["change"] == "change":
        hours = values["hours"]
        if not (is_ascii_digits(hours) and len(hours) <= 3 and int(hours) < claimed):
            errors[f"hours_confirmed-{trn}"] = (f"Enter the hours {name} did as a whole number from 0 to {claimed - 1}"
                                               f" (they claimed {claimed})")
    _, problem = check_reason(values["reason_code"], values["reason"])
    if problem:
        field = f"reason-{trn}" if values["reason_code"] == OTHER else f"reason_code-{trn}"
        errors[field] = f"{problem} for {name}"
    return values, errors


async def _mentor_answer(request: Request, reference: str, trn: str, user: User, gw: Gateway):
    flow, claim = await _open_claim(gw, user, reference)
    mentor = _mentor_of(claim, trn)
    values, field_errors = _check_mentor(await request.form(), mentor)
    if field_errors:
        return _page(request, "mentor", flow, claim, f"What is wrong with {mentor.full_name}’s training?",
                     mentor=mentor, values=values, field_errors=field_errors, status_code=422,
                     errors=[{"text": t, "href": f"#{f}"} for f, t in field_errors.items()])
    state = _state(request, gw, flow.reference)
    if trn not in state["chosen"]:
        state["chosen"] = [m.trn for m in claim.mentors if m.trn in {*state["chosen"], trn}]
    state["assured"] = False
    state["mentors"][trn] = values
    return _saved(see_other(_next_after_mentors(flow, state, after=trn)), gw, state)


def _assurance(state: dict[str, Any]) -> AssuranceIn:
    if state["assured"]:
        return AssuranceIn(assured=True)
    mentors = []
    for trn in state["chosen"]:
        v = state["mentors"].get(trn) or {}
        hours = "0" if v.get("change") == "remove" else str(v.get("hours") or "")
        mentors.append(MentorAnswerIn(trn=trn, hours_confirmed=int(hours) if is_ascii_digits(hours) else None,
                                      reason_code=v.get("reason_code", ""), reason=v.get("reason", "")))
    return AssuranceIn(assured=False if state["assured"] is False else None, mentors=mentors)


async def _check_page(request: Request, reference: str, user: User, gw: Gateway, *, errors=None,
                      status_code: int = 200):
    flow, claim = await _open_claim(gw, user, reference)
    if errors is None and not claim.needs_action:
        return see_other(flow.claim_href)
    state = _state(request, gw, flow.reference)
    if state["assured"] is None and not flow.support:
        return see_other(flow.base)
    if state["assured"] is False and (not state["chosen"] or any(t not in state["mentors"] for t in state["chosen"])):
        return see_other(f"{flow.base}/mentors")
    answers = []
    for m in claim.mentors:
        v = state["mentors"].get(m.trn)
        if m.trn in state["chosen"] and v:
            hours = 0 if v["change"] == "remove" else int(v["hours"])
            answers.append({"mentor": m, "hours": hours, "remove": v["change"] == "remove",
                            "reason": (REASONS[v["reason_code"]] if v["reason_code"] != OTHER else "Other"),
                            "details": v["reason"]})
    return _page(request, "check", flow, claim, "Check your answers", assured=state["assured"], answers=answers,
                 errors=errors, status_code=status_code)


async def _submit(request: Request, reference: str, user: User, gw: Gateway):
    flow, claim = await _open_claim(gw, user, reference)
    state = _state(request, gw, flow.reference)
    try:
        await gw.services.sampling.assure_claim(flow.reference, _assurance(state), user=user)
    except Downstream as exc:
        if exc.status != 422:
            raise
        return await _check_page(request, reference, user, gw, status_code=422,
                                 errors=[{"text": e["message"], "href": "#submit"} for e in exc.errors])
    response = see_other(f"/claims/{flow.reference}?done=provider-answer-recorded" if flow.support
                         else f"{flow.base}/done?assured={'yes' if state['assured'] else 'no'}")
    response.delete_cookie(ANSWER_COOKIE, path="/")
    return response


@router.get("/provider/claims/{reference}/assure/done")
async def done(request: Request, reference: str, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    flow, claim = await _open_claim(gw, user, reference)
    assured = request.query_params.get("assured") == "yes"
    return _page(request, "done", flow, claim, "Claim assured" if assured else "Your answer has been sent",
                 assured=assured)


# The same question pages for the provider (its own claims) and for support (by hand).
for prefix, who in (("/provider/claims/{reference}/assure", PROVIDER),
                    ("/claims/{reference}/provider-answer", page_role(roles.SUPPORT))):
    def _routes(who=who, prefix=prefix) -> None:
        @router.get(f"{prefix}/mentors")
        async def mentors_page(request: Request, reference: str, user: User = Depends(who),
                               gw: Gateway = Depends(gateway)):
            return await _mentors_page(request, reference, user, gw)

        @router.post(f"{prefix}/mentors", dependencies=[Depends(verify_csrf)])
        async def mentors_answer(request: Request, reference: str, user: User = Depends(who),
                                 gw: Gateway = Depends(gateway)):
            return await _mentors_answer(request, reference, user, gw)

        @router.get(f"{prefix}/mentors/{{trn}}")
        async def mentor_page(request: Request, reference: str, trn: str, user: User = Depends(who),
                              gw: Gateway = Depends(gateway)):
            return await _mentor_page(request, reference, trn, user, gw)

        @router.post(f"{prefix}/mentors/{{trn}}", dependencies=[Depends(verify_csrf)])
        async def mentor_answer(request: Request, reference: str, trn: str, user: User = Depends(who),
                                gw: Gateway = Depends(gateway)):
            return await _mentor_answer(request, reference, trn, user, gw)

        @router.get(f"{prefix}/check")
        async def check_page(request: Request, reference: str, user: User = Depends(who),
                             gw: Gateway = Depends(gateway)):
            return await _check_page(request, reference, user, gw)

        @router.post(f"{prefix}/check", dependencies=[Depends(verify_csrf)])
        async def submit(request: Request, reference: str, user: User = Depends(who), gw: Gateway = Depends(gateway)):
            return await _submit(request, reference, user, gw)
    _routes()
