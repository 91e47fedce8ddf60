"""JSON API: users (support) and invitations (the holder of the link), docs/design.md §9b and §14.

``POST /api/v1/users`` creates a user without a password and emails them an invitation whose link
(``<PUBLIC_BASE_URL>/invitations/<token>``) sets it; ``POST /api/v1/invitations/{token}`` is that
link's API form. Lists are ``{"items", "total", "page", "per_page"}``; errors ``{"errors": [...]}``.
"""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile
from pydantic import BaseModel, Field

from shared.contracts import roles
from shared.platform.filenames import safe_file_name

from ..accounts import actions
from ..auth import api_role
from ..context import Gateway, gateway
from ..users import User
from . import schemas as s

SUPPORT = api_role(roles.SUPPORT)
UserId = Annotated[int, Path(ge=1, le=2**63 - 1)]
UploadId = Annotated[str, Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]

router = APIRouter(prefix="/api/v1/users", tags=["users"])
invitations = APIRouter(prefix="/api/v1/invitations", tags=["users"])


class UserIn(s.Closed):
    email: str = Field(default="", max_length=400)
    first_name: str = Field(default="", max_length=200)
    last_name: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=20, description="support, school, mat, finance or provider")
    school_urn: str | None = Field(default=None, max_length=40, description="school users")
    trust_id: str | None = Field(default=None, max_length=100, description="MAT users")
    provider_ids: list[str] = Field(default=[], max_length=50, description="provider users: accredited provider ids")


class UserCreated(BaseModel):
    id: int
    email: str
    role: str


class UserSummary(BaseModel):
    id: int
    email: str
    role: str
    active: bool
    first_name: str | None = None
    last_name: str | None = None
    school_urn: str | None = None
    trust_id: str | None = None
    provider_ids: list[str] = []
    password_set: bool = False
    created_at: str | None = None


class UserList(BaseModel):
    items: list[UserSummary]
    total: int
    page: int
    per_page: int


class PasswordIn(s.Closed):
    password: str = Field(default="", max_length=1024)


class ImportStaged(BaseModel):
    upload_id: str
    user_count: int


class ImportConfirmed(BaseModel):
    upload_id: str
    created: int
    already_confirmed: bool


def _active(value: Literal["true", "false"] | None) -> bool | None:
    return None if value is None else value == "true"



async def filters(q: Annotated[str, Query(max_length=200)] = "",
                  role: Annotated[str | None, Query(pattern="^(" + "|".join(roles.USER_ROLES) + ")$")] = None,
                  active: Literal["true", "false"] | None = None) -> dict:
    return {"q": q.replace("\x00", "").strip(), "role": role or "", "active": _active(active)}


@router.post("", status_code=201, response_model=UserCreated, summary="Add a user and email their invitation",
             responses=s.errors(401, 403, 422, 503))
async def add_user(body: UserIn, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await actions.invite_user(gw, user, body.model_dump())


@router.get("", response_model=UserList, summary="Users, by email address", responses=s.errors(401, 403, 422))
async def list_users(f: dict = Depends(filters), page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                     per_page: Annotated[int, Query(ge=1, le=500)] = 25, user: User = Depends(SUPPORT),
                     gw: Gateway = Depends(gateway)):
    return await gw.accounts.page(**f, page=page, per_page=per_page)


@router.get(".csv", summary="Download the users as CSV", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "CSV file"}, **s.errors(401, 403, 422, 503)})
async def export_users(f: dict = Depends(filters), user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return Response(await actions.export_csv(gw, user, **f), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="users.csv"'})


@router.post("/import", status_code=201, response_model=ImportStaged, summary="Upload a CSV of users to review",
             description="Columns: email, first_name, last_name (required); role (default provider), school_urn, "
                         "trust_id, provider_code. Nothing is created until the upload is confirmed.",
             responses=s.errors(401, 403, 422, 503))
async def import_users(file: Annotated[UploadFile | None, File(description="CSV file")] = None,
                       user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    data = await file.read() if file is not None else None
    name = safe_file_name(file.filename, fallback="users.csv") if file is not None else None
    return await actions.stage_import(gw, user, data, name if file is not None and file.filename else None)


@router.post("/import/{upload_id}/confirm", status_code=201, response_model=ImportConfirmed,
             summary="Create and invite the users of a reviewed upload (once)", responses=s.errors(401, 403, 404, 422))
async def confirm_import(upload_id: UploadId, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await actions.confirm_import(gw, upload_id)


@router.post("/import/{upload_id}/cancel", summary="Cancel a reviewed upload", responses=s.errors(401, 403))
async def cancel_import(upload_id: UploadId, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    await gw.accounts.cancel_import(upload_id)
    return {"upload_id": upload_id, "cancelled": True}


@router.get("/{user_id}", response_model=UserSummary, summary="One user", responses=s.errors(401, 403, 404))
async def get_user(user_id: UserId, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    found = await gw.accounts.get(user_id)
    if found is None:
        raise actions.GatewayError.one(404, "User not found")
    return found


@router.post("/{user_id}/deactivate", response_model=UserSummary,
             summary="Deactivate a user: their sessions and API tokens stop working at once",
             responses=s.errors(401, 403, 404, 422))
async def deactivate_user(user_id: UserId, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await actions.deactivate(gw, user, user_id)


@router.post("/{user_id}/invitation", status_code=201, response_model=UserSummary,
             summary="Email a new invitation (older links stop working)", responses=s.errors(401, 403, 404, 422))
async def invite_again(user_id: UserId, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await actions.invite_again(gw, user_id)


@invitations.post("/{token}", summary="Set your password with the link from your invitation",
                  responses=s.errors(410, 422))
async def accept_invitation(body: PasswordIn, token: Annotated[str, Path(max_length=100)],
                            gw: Gateway = Depends(gateway)) -> dict:
    found = await actions.set_password(gw, token, body.password)
    return {"email": found["email"], "password_set": True}
