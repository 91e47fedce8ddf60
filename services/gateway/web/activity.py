"""The activity log and the emails sent (support only)."""
from __future__ import annotations

import math
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request

from shared.contracts import roles

from ..auth import page_role
from ..context import Gateway, gateway
from ..users import User
from .common import templates
from .forms import pagination

SUPPORT = page_role(roles.SUPPORT)

router = APIRouter(include_in_schema=False)


@router.get("/activity")
async def activity(request: Request, page: int = 1, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    page = max(1, min(page, 100_000))
    result = await gw.services.claims.activity(page=page, user=user)
    pages = math.ceil(result.total / 25) if result.total else 0
    return templates(request).render(request, "activity.html", {
        "title": "Activity log", "section": "activity", "result": result, "page": page,
        "pagination": pagination(page, pages, lambda n: f"?page={n}")})


@router.get("/notifications")
async def notifications(request: Request, page: int = 1, recipient: str = "", user: User = Depends(SUPPORT),
                        gw: Gateway = Depends(gateway)):
    page = max(1, min(page, 100_000))
    recipient = recipient.replace("\x00", "").strip()[:320]
    result = await gw.services.notify.notifications(page=page, recipient=recipient or None, user=user)
    per_page = getattr(result, "per_page", None) or 25
    pages = math.ceil(result.total / per_page) if result.total else 0
    return templates(request).render(request, "notifications.html", {
        "title": "Notifications", "section": "notifications", "result": result, "page": page,
        "pagination": pagination(page, pages, lambda n: "?" + urlencode(
            {"page": n, **({"recipient": recipient} if recipient else {})})), "recipient": recipient})
