"""JSON API routes: sign-in, organisations, claims, activity and notifications (DESIGN §9).

Each route checks the role, then forwards to the owning service with the user as the actor.
School and MAT users are scoped by the owning service from the ``X-Actor-School`` /
``X-Actor-Trust`` headers (another school's claim is 404, not 403, so references do not leak).
"""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import StreamingResponse

from shared.contracts import roles
from shared.contracts.identifiers import REFERENCE_DIGITS_MESSAGE, is_other_digits, is_reference
from shared.platform.filenames import safe_file_name

from ..auth import api_role
from ..clients import GatewayError
from ..context import Gateway, client_ip, gateway
from ..users import User
from . import schemas as s

SUPPORT = api_role(roles.SUPPORT)
CLAIMANTS = api_role(roles.SCHOOL, roles.MAT)
CLAIM_READERS = api_role(*roles.CLAIM_READERS)
ANY_USER = api_role(*roles.USER_ROLES)

#: Sort keys the claims list accepts (the columns of the support claims table).
SORT_KEYS = ("reference", "school_name", "provider_name", "status", "amount", "submitted_at", "claim_window_id",
             "academic_year", "assigned_to", "school_urn")

router = APIRouter(prefix="/api/v1")


def too_many_sign_ins(retry_after: int, *, from_client: bool = False) -> GatewayError:
    minutes = max(1, (retry_after + 59) // 60)
    wait = f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again."
    message = (f"There have been too many failed attempts to sign in from your network. {wait}" if from_client
               else f"You have tried to sign in too many times. {wait}")
    return GatewayError.one(429, message, headers={"Retry-After": str(retry_after)})


def start_sign_in(gw: Gateway, request: Request, email: str) -> str:
    """Count a sign-in attempt, or refuse it (429): per IP address and email address, and per IP
    address for failed attempts whatever the email. Returns the per-address key to reset on success."""
    ip = client_ip(request)
    clients = gw.sign_in_client_limiter
    if clients is not None and not clients.allows(ip):
        raise too_many_sign_ins(clients.retry_after(ip), from_client=True)
    key = f"{ip}|{email.strip().lower()}"
    if not gw.sign_in_limiter.hit(key):
        raise too_many_sign_ins(gw.sign_in_limiter.retry_after(key))
    return key


def sign_in_failed(gw: Gateway, request: Request) -> None:
    if gw.sign_in_client_limiter is not None:
        gw.sign_in_client_limiter.hit(client_ip(request))


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


# ----------------------------------------------------------------------------- organisations
@router.post("/schools/import", response_model=s.ImportResult, tags=["organisations"],
             summary="Create or update schools from a CSV file",
             description="Columns: urn, name, postcode, local_authority, type_of_establishment, region, group.",
             responses=s.errors(401, 403, 422, 503))
async def import_schools(file: Annotated[UploadFile, File(description="CSV file")],
                         user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    data = await file.read()
    return await gw.services.claims.json("POST", "/internal/v1/schools/import", user=user, files={
        "file": (safe_file_name(file.filename, fallback="schools.csv"), data, file.content_type or "text/csv")})


@router.post("/providers", status_code=201, response_model=s.Provider, tags=["organisations"],
             summary="Add an accredited provider", responses=s.errors(401, 403, 422, 503))
async def add_provider(body: s.ProviderIn, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("POST", "/internal/v1/providers", user=user, json=body.model_dump())


@router.get("/providers", response_model=s.ProviderList, tags=["organisations"],
            summary="Accredited providers", responses=s.errors(401, 403, 503))
async def list_providers(user: User = Depends(CLAIM_READERS), gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("GET", "/internal/v1/providers", user=user)


@router.post("/claim-windows", status_code=201, response_model=s.ClaimWindow, tags=["organisations"],
             summary="Add a claim window", responses=s.errors(401, 403, 422, 503))
async def add_claim_window(body: s.ClaimWindowIn, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("POST", "/internal/v1/claim-windows", user=user,
                                         json=body.model_dump(mode="json"))


@router.get("/claim-windows", response_model=s.ClaimWindowList, tags=["organisations"],
            summary="Claim windows, newest first", responses=s.errors(401, 403, 503))
async def list_claim_windows(user: User = Depends(ANY_USER), gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("GET", "/internal/v1/claim-windows", user=user)


# ------------------------------------------------------------------------------------ claims
@router.post("/claims", status_code=201, response_model=s.ClaimDetail, tags=["claims"],
             summary="Submit a claim in the current claim window", responses=s.errors(401, 403, 404, 422, 503))
async def submit_claim(body: s.ClaimIn, user: User = Depends(CLAIMANTS), gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("POST", "/internal/v1/claims", user=user, json=body.model_dump())


async def claim_filters(
    q: Annotated[str | None, Query(max_length=200, description="Reference, school name or URN, provider, mentor")] = None,
    status: Annotated[list[str], Query(description="Claim status; repeat or separate with commas")] = [],
    provider_id: Annotated[str | None, Query(max_length=100)] = None,
    school_urn: Annotated[str | None, Query(max_length=20)] = None,
    claim_window_id: Annotated[str | None, Query(max_length=100)] = None,
    academic_year: Annotated[str | None, Query(max_length=9)] = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    assigned_to: Annotated[str | None, Query(max_length=320)] = None,
) -> dict:
    params = {"q": q, "status": status, "provider_id": provider_id, "school_urn": school_urn,
              "claim_window_id": claim_window_id, "academic_year": academic_year,
              "submitted_from": submitted_from.isoformat() if submitted_from else None,
              "submitted_to": submitted_to.isoformat() if submitted_to else None, "assigned_to": assigned_to}
    for key, value in params.items():
        if any("\x00" in v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)):
            raise GatewayError.one(422, "Remove the invalid characters", field=key)
    return {k: v for k, v in params.items() if v not in (None, "", [])}


@router.get("/claims", response_model=s.ClaimList, tags=["claims"], summary="Search claims",
            description="Support users see every claim; school and MAT users only their school's or trust's.",
            responses=s.errors(401, 403, 422, 503))
async def search_claims(filters: dict = Depends(claim_filters),
                        sort: Annotated[str, Query(pattern="^(" + "|".join(SORT_KEYS) + ")$")] = "submitted_at",
                        order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
                        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                        per_page: Annotated[int, Query(ge=1, le=500)] = 25,
                        user: User = Depends(CLAIM_READERS), gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("GET", "/internal/v1/claims", user=user, params={
        **filters, "sort": sort, "order": order, "page": page, "per_page": per_page})


async def stream_csv(gw: Gateway, user: User, path: str, params: dict, filename: str) -> StreamingResponse:
    """Start the download (so a refusal is still an error response), then stream it through."""
    stream = gw.services.claims.stream("GET", path, user=user, params=params)
    response = await stream.__aenter__()

    async def body():
        try:
            async for chunk in response.aiter_raw():
                yield chunk
        finally:
            await stream.__aexit__(None, None, None)

    return StreamingResponse(body(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/claims.csv", tags=["claims"], summary="Download the filtered claims as CSV",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "CSV file"}, **s.errors(401, 403, 422, 503)})
async def download_claims(filters: dict = Depends(claim_filters),
                          sort: Annotated[str, Query(pattern="^(" + "|".join(SORT_KEYS) + ")$")] = "reference",
                          order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
                          user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return await stream_csv(gw, user, "/internal/v1/claims.csv", {**filters, "sort": sort, "order": order},
                            "claims.csv")




@router.get("/claims/{reference}", response_model=s.ClaimDetail, tags=["claims"], summary="A claim",
            responses=s.errors(401, 403, 404, 503))
async def claim_detail(reference: str, user: User = Depends(CLAIM_READERS), gw: Gateway = Depends(gateway)):
    check_reference(reference)
    return await gw.services.claims.json("GET", f"/internal/v1/claims/{reference}", user=user)


@router.post("/claims/{reference}/assign", response_model=s.ClaimDetail, tags=["claims"],
             summary="Assign a claim to a support user (null to unassign)",
             responses=s.errors(401, 403, 404, 422, 503))
async def assign_claim(reference: str, body: s.AssignIn, user: User = Depends(SUPPORT),
                       gw: Gateway = Depends(gateway)):
    check_reference(reference)
    email = await support_user_email(gw, body.user_email)
    return await gw.services.claims.json("POST", f"/internal/v1/claims/{reference}/assign", user=user,
                                         json={"user_email": email})


def check_reference(reference: str) -> None:
    if not is_reference(reference):
        # A number in other digits (full-width, Arabic-Indic) is told which digits to use.
        message = (REFERENCE_DIGITS_MESSAGE if is_other_digits(reference)
                   else f"There is no claim with the reference {reference[:20]}")
        raise GatewayError.one(404, message, field="reference")


async def support_user_email(gw: Gateway, email: str | None) -> str | None:
    """A claim is assigned only to a known support user (the gateway is where users live)."""
    if not email or not email.strip():
        return None
    email = email.strip().lower()
    if email not in await gw.users.emails(role=roles.SUPPORT):
        raise GatewayError.one(422, "Select a support user to assign the claim to", field="user_email")
    return email


# --------------------------------------------------------------------------- activity, emails
@router.get("/activity", response_model=s.ActivityList, tags=["activity"],
            summary="Activity log, newest first, 25 a page", responses=s.errors(401, 403, 422, 503))
async def activity(page: Annotated[int, Query(ge=1, le=100_000)] = 1, user: User = Depends(SUPPORT),
                   gw: Gateway = Depends(gateway)):
    return await gw.services.claims.json("GET", "/internal/v1/activity", user=user, params={"page": page})


@router.get("/notifications", response_model=s.NotificationList, tags=["notifications"],
            summary="Emails sent: recipient, status and attempts", responses=s.errors(401, 403, 422, 503))
async def notifications(recipient: Annotated[str | None, Query(max_length=320)] = None,
                        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                        user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if recipient and "\x00" in recipient:
        raise GatewayError.one(422, "Remove the invalid characters", field="recipient")
    params = {"page": page, **({"recipient": recipient} if recipient else {})}
    return await gw.services.notify.json("GET", "/internal/v1/notifications", user=user, params=params)
