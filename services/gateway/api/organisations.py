"""JSON API: the organisations claims refer to (schools, accredited providers, claim windows), kept by
the claims service; support adds them, claimants read them."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile

from shared.contracts import roles
from shared.contracts.http import claims as claims_api
from shared.platform.filenames import safe_file_name

from ..auth import api_role
from ..clients import as_sent
from ..context import Gateway, gateway
from ..users import User
from . import schemas as s

SUPPORT = api_role(roles.SUPPORT)
CLAIM_READERS = api_role(*roles.CLAIM_READERS)

router = APIRouter(prefix="/api/v1")


@router.post("/schools/import", response_model=s.ImportResult, tags=["organisations"],
             summary="Create or update schools from a CSV file",
             description="Columns: urn, name, postcode, local_authority, type_of_establishment, region, group.",
             responses=s.errors(401, 403, 422, 503))
async def import_schools(file: Annotated[UploadFile, File(description="CSV file")],
                         user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.import_schools(
        file_name=safe_file_name(file.filename, fallback="schools.csv"), data=await file.read(),
        content_type=file.content_type or "text/csv", user=user))


@router.post("/providers", status_code=201, response_model=s.Provider, tags=["organisations"],
             summary="Add an accredited provider", responses=s.errors(401, 403, 422, 503))
async def add_provider(body: s.ProviderIn, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.add_provider(claims_api.ProviderIn(**body.model_dump()), user=user))


@router.get("/providers", response_model=s.ProviderList, tags=["organisations"],
            summary="Accredited providers", responses=s.errors(401, 403, 503))
async def list_providers(user: User = Depends(CLAIM_READERS), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.list_providers(user=user))


@router.post("/claim-windows", status_code=201, response_model=s.ClaimWindow, tags=["organisations"],
             summary="Add a claim window", responses=s.errors(401, 403, 422, 503))
async def add_claim_window(body: s.ClaimWindowIn, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.add_claim_window(claims_api.WindowIn(**body.model_dump()),
                                                             user=user))


@router.get("/claim-windows", response_model=s.ClaimWindowList, tags=["organisations"],
            summary="Claim windows, newest first", responses=s.errors(401, 403, 503))
async def list_claim_windows(user: User = Depends(CLAIM_READERS), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.claims.list_claim_windows(user=user))
