"""Support's sampling rounds (docs/design.md §12), under the Sampling section: the rounds (each
confirmed sample), and a round's page with a table per provider (claims, emailed to and when, link
downloaded, answered and how, open, reminders, days left), the round's counts per structured reason,
and per provider "Resend link" and "Send reminder" (each a CSRF-checked form; a banner says what was
sent, or the error summary why not)."""
from __future__ import annotations

import math
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request

from shared.contracts.identifiers import is_id

from ..auth import verify_csrf
from ..clients import Downstream
from ..context import Gateway, gateway
from ..users import User
from .common import SUPPORT, render, see_other
from .forms import pagination

router = APIRouter(include_in_schema=False)
PER_PAGE = 25
BASE = "/claims/sampling/rounds"


def _checked(value: str) -> str:
    if not is_id(value):
        raise Downstream(404, [{"message": "Page not found"}])
    return value


@router.get(BASE)
async def rounds(request: Request, page: int = 1, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    page = max(1, min(page, 100_000))
    result = await gw.services.sampling.rounds(page=page, per_page=PER_PAGE, user=user)
    pages = math.ceil(result.total / PER_PAGE) if result.total else 0
    return render(request, "sampling/rounds.html", {
        "title": "Sampling rounds", "section": "claims", "subsection": "sampling", "result": result,
        "pagination": pagination(page, pages, lambda n: f"?page={n}")})


BANNERS = {"resent": "A new link has been sent to {name}", "reminded": "A reminder has been sent to {name}"}


async def _round_page(request: Request, gw: Gateway, user: User, round_id: str, *, done: str = "",
                      provider: str = "", errors: list[dict[str, str]] | None = None, status_code: int = 200):
    found = await gw.services.sampling.round(round_id, user=user)
    name = next((p.provider_name for p in found.providers if p.provider_id == provider), None)
    banner = BANNERS[done].format(name=name) if done in BANNERS and name else None
    return render(request, "sampling/round.html", {
        "title": "Sampling round", "section": "claims", "subsection": "sampling", "round": found,
        "banner": banner, "errors": errors}, status_code=status_code)


@router.get(BASE + "/{round_id}")
async def sampling_round(request: Request, round_id: str, done: str = "", provider: str = "",
                         user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await _round_page(request, gw, user, _checked(round_id), done=done, provider=provider)


async def _act(request: Request, gw: Gateway, user: User, round_id: str, provider_id: str, action: str):
    _checked(round_id), _checked(provider_id)
    sampling = gw.services.sampling
    try:
        if action == "resent":
            await sampling.resend_link(provider_id, round_id=round_id, user=user)
        else:
            await sampling.remind_provider(provider_id, user=user)
    except Downstream as exc:
        if exc.status != 422:
            raise
        anchor = f"#{action}-{provider_id}"
        return await _round_page(request, gw, user, round_id, status_code=422,
                                 errors=[{"text": e["message"], "href": anchor} for e in exc.errors])
    return see_other(f"{BASE}/{round_id}?done={action}&provider={quote(provider_id)}")


@router.post(BASE + "/{round_id}/providers/{provider_id}/resend", dependencies=[Depends(verify_csrf)])
async def resend(request: Request, round_id: str, provider_id: str, user: User = Depends(SUPPORT),
                 gw: Gateway = Depends(gateway)):
    return await _act(request, gw, user, round_id, provider_id, "resent")


@router.post(BASE + "/{round_id}/providers/{provider_id}/remind", dependencies=[Depends(verify_csrf)])
async def remind(request: Request, round_id: str, provider_id: str, user: User = Depends(SUPPORT),
                 gw: Gateway = Depends(gateway)):
    return await _act(request, gw, user, round_id, provider_id, "reminded")
