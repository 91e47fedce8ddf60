"""What the services' internal HTTP APIs share: who is acting (from the gateway's headers) and the
four routes of an uploaded file that is held pending until a person confirms or cancels it."""
from __future__ import annotations

from typing import Callable

from fastapi import APIRouter, Header

from shared.contracts import Actor
from shared.contracts.http.uploads import Accepted, UploadCreated, UploadView
from shared.contracts.roles import SYSTEM


def actor(x_actor_email: str = Header(default="system@claimflow"),
          x_actor_role: str = Header(default=SYSTEM)) -> Actor:
    """The person the gateway says is acting (the system when it names no one)."""
    return Actor(email=x_actor_email, role=x_actor_role)


def add_upload_routes(router: APIRouter, path: str, *, upload: Callable, review: Callable, confirm: Callable,
                      cancel: Callable, names: tuple[str, str, str, str]) -> None:
    """Upload a file at ``path`` (201, the pending upload), review it at ``path/{upload_id}``, then
    ``/confirm`` it (202: its effects follow as events) or ``/cancel`` it. ``names`` are the routes'
    names in that order (the OpenAPI operation ids)."""
    upload_name, review_name, confirm_name, cancel_name = names
    router.add_api_route(path, upload, methods=["POST"], status_code=201, response_model=UploadCreated,
                         name=upload_name)
    router.add_api_route(f"{path}/{{upload_id}}", review, methods=["GET"], response_model=UploadView,
                         name=review_name)
    router.add_api_route(f"{path}/{{upload_id}}/confirm", confirm, methods=["POST"], status_code=202,
                         response_model=Accepted, name=confirm_name)
    router.add_api_route(f"{path}/{{upload_id}}/cancel", cancel, methods=["POST"], response_model=Accepted,
                         name=cancel_name)
