"""JSON API: the activity log (kept by the claims service) and the emails sent (the notify service)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.contracts import roles

from ..auth import api_role
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from . import schemas as s

SUPPORT = api_role(roles.SUPPORT)

router = APIRouter(prefix="/api/v1")


@router.get("/activity", response_model=s.ActivityList, tags=["activity"],
            summary="Activity log, newest first, 25 a page", responses=s.errors(401, 403, 422, 503))
async def activity(page: Annotated[int, Query(ge=1, le=100_000)] = 1, user: User = Depends(SUPPORT),
                   gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.activity(page=page, user=user))


@router.get("/notifications", response_model=s.NotificationList, tags=["notifications"],
            summary="Emails sent: recipient, status and attempts", responses=s.errors(401, 403, 422, 503))
async def notifications(recipient: Annotated[str | None, Query(max_length=320)] = None,
                        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                        user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if recipient and "\x00" in recipient:
        raise GatewayError.one(422, "Remove the invalid characters", field="recipient")
    return as_sent(await gw.services.notify.notifications(page=page, recipient=recipient or None, user=user))
