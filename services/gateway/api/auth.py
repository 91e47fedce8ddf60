"""JSON API: signing in (a bearer token for an email address and password) and who is signed in."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from shared.contracts import roles

from ..auth import api_role
from ..checks import sign_in_failed, start_sign_in
from ..clients import GatewayError
from ..context import Gateway, gateway
from ..users import User
from . import schemas as s

ANY_USER = api_role(*roles.USER_ROLES)

router = APIRouter(prefix="/api/v1")


@router.post("/auth/token", response_model=s.TokenResponse, tags=["auth"],
             summary="Exchange an email address and password for a bearer token",
             responses=s.errors(401, 422, 429))
async def issue_token(body: s.TokenRequest, request: Request, gw: Gateway = Depends(gateway)) -> s.TokenResponse:
    key = start_sign_in(gw, request, body.email)
    user = await gw.users.authenticate(body.email, body.password)
    if user is None:
        sign_in_failed(gw, request)
        raise GatewayError.one(401, "Enter a correct email address and password",
                               headers={"WWW-Authenticate": "Bearer"})
    gw.sign_in_limiter.reset(key)
    return s.TokenResponse(access_token=gw.tokens.issue(user.id), expires_in=gw.tokens.max_age_s)


@router.get("/me", tags=["auth"], summary="The signed-in user", responses=s.errors(401))
async def me(user: User = Depends(ANY_USER)) -> dict:
    return {"email": user.email, "role": user.role, "school_urn": user.school_urn, "trust_id": user.trust_id}
