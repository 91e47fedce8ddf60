"""Internal HTTP API of the notify service (called by the gateway only, with the internal token).

Support sees, per recipient or reference, what was sent, when, and its delivery status; the
gateway proxies ``GET /api/v1/notifications?recipient=`` here.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from fastapi import APIRouter, Depends, Query

from shared.contracts import NotFound
from shared.contracts.http.notify import NotificationDetail, NotificationList


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _item(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "to": row["to_address"], "template": row["template"], "subject": row["subject"],
            "body": row["body"], "status": row["status"], "attempts": row["attempts"],
            "created_at": _iso(row["created_at"]), "sent_at": _iso(row["sent_at"]),
            "failed_at": _iso(row["failed_at"]), "last_error": row["last_error"], "reference": row["reference"],
            "backend": row["backend"], "next_attempt_at": _iso(row["next_attempt_at"])}


def build_router(uow_factory: Callable, auth: Callable) -> APIRouter:
    router = APIRouter(prefix="/internal/v1", dependencies=[Depends(auth)], tags=["notifications"])

    @router.get("/notifications", response_model=NotificationList)
    async def list_notifications(recipient: str | None = None, reference: str | None = None,
                                 page: int = Query(1, ge=1), per_page: int = Query(25, ge=1, le=200)) -> dict:
        async with uow_factory() as uow:
            rows, total = await uow.notifications.search(recipient=recipient, reference=reference, page=page,
                                                         per_page=per_page)
        return {"items": [_item(r) for r in rows], "total": total, "page": page}

    @router.get("/notifications/{notification_id}", response_model=NotificationDetail)
    async def notification(notification_id: str) -> dict:
        async with uow_factory() as uow:
            row = await uow.notifications.get(notification_id)
            if row is None:
                raise NotFound(f"There is no notification with the id ‘{notification_id}’")
            attempts = await uow.notifications.attempts(notification_id)
        return {**_item(row), "history": [
            {"attempt": a["attempt"], "backend": a["backend"], "started_at": _iso(a["started_at"]),
             "finished_at": _iso(a["finished_at"]), "outcome": a["outcome"], "error": a["error"]}
            for a in attempts]}

    return router
