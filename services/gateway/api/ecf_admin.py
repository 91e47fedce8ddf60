"""ECF additions of docs/design.md §15 / §9b: finance's participants (search, duplicates, retire, eligible,
induction start date), cohorts (freeze and move), statement notes, band capacity and schedules
(``/api/v1/finance``, role finance), and the Lead Provider API v3 participants (``/api/v3``).

Bodies are forwarded byte for byte to the payments service (through the ECF client, one method per
call of ``shared.contracts.http.ecf``), which validates them; its answers and errors pass through
(``{"errors": [{"message", "field"}]}`` for finance, JSON:API for lead providers)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ..checks import check_id
from ..clients import as_sent
from ..context import Gateway, gateway
from ..users import User
from . import workflow_schemas as w
from .ecf import FINANCE, FINANCE_ERRORS, V3, JsonApiError, _id, as_lead_provider, lead_provider, v3_query

finance = APIRouter(prefix="/api/v1/finance", tags=["ecf finance"])
lead_providers = APIRouter(prefix="/api/v3", tags=["ecf lead provider api"])
PARTICIPANT_ACTIONS = ("withdraw", "defer", "resume", "change-schedule")


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RetireDoc(_Doc):
    into: str = Field(description="The id of the participant to keep")


class InductionStartDoc(_Doc):
    induction_start_date: str = Field(examples=["2026-09-01"])
    cohort: int | None = None


class FreezeDoc(_Doc):
    move_to_cohort: int | None = Field(default=None, description="An open cohort to move the participants to")


class NoteDoc(_Doc):
    text: str


class CapacityDoc(_Doc):
    max: int = Field(description="The band's new maximum participant number")


def _participant(participant_id: str) -> str:
    return check_id(participant_id, "participant")


# ------------------------------------------------------------------------------------ finance
@finance.get("/participants", summary="Find participants (q: name, TRN or id; duplicates=true: candidates)",
             responses=FINANCE_ERRORS)
async def participants(q: Annotated[str | None, Query(max_length=200)] = None, duplicates: bool = False,
                       page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                       user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)) -> dict:
    return as_sent(await gw.services.ecf.participants(q=q, duplicates=duplicates, page=page, user=user))


@finance.get("/participants/{participant_id}", summary="A participant with its statuses and declarations",
             responses=FINANCE_ERRORS)
async def participant(participant_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)) -> dict:
    return as_sent(await gw.services.ecf.participant(_participant(participant_id), user=user))


@finance.post("/participants/{participant_id}/retire", summary="Retire a duplicate participant into another",
              responses=FINANCE_ERRORS, openapi_extra=w.json_body(RetireDoc))
async def retire(participant_id: str, request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.ecf.retire(_participant(participant_id), await request.body(), user=user))


@finance.post("/participants/{participant_id}/eligible", summary="Make a participant eligible for funding",
              responses=FINANCE_ERRORS)
async def eligible(participant_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.ecf.make_eligible(_participant(participant_id), user=user))


@finance.post("/participants/{participant_id}/induction-start-date",
              summary="Record an induction start date (confirms a temporary cohort)", responses=FINANCE_ERRORS,
              openapi_extra=w.json_body(InductionStartDoc))
async def induction_start(participant_id: str, request: Request, user: User = Depends(FINANCE),
                          gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.ecf.record_induction_start(_participant(participant_id), await request.body(),
                                                                user=user))


@finance.post("/cohorts/{cohort}/freeze", summary="Close a cohort for payments (and move its participants)",
              responses=FINANCE_ERRORS, openapi_extra=w.json_body(FreezeDoc, required=False))
async def freeze(cohort: Annotated[int, Path(ge=2000, le=2100)], request: Request, user: User = Depends(FINANCE),
                 gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.ecf.freeze_cohort(cohort, await request.body(), user=user))


@finance.get("/cohorts/frozen", summary="Cohorts closed for payments", responses=FINANCE_ERRORS)
async def frozen(user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)) -> dict:
    return as_sent(await gw.services.ecf.frozen_cohorts(user=user))


@finance.post("/statements/{statement_id}/notes", status_code=201, summary="Add an audit note to a statement",
              responses=FINANCE_ERRORS, openapi_extra=w.json_body(NoteDoc))
async def add_note(statement_id: str, request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.ecf.add_note(check_id(statement_id, "statement"), await request.body(),
                                                  user=user))


@finance.post("/contracts/{contract_id}/bands/{band}/capacity", summary="Raise a band's capacity",
              responses=FINANCE_ERRORS, openapi_extra=w.json_body(CapacityDoc))
async def raise_capacity(contract_id: str, band: Annotated[str, Path(pattern="^[A-D]$")], request: Request,
                         user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.ecf.raise_capacity(check_id(contract_id, "contract"), band, await request.body(),
                                                        user=user))


@finance.get("/schedules", summary="Schedules and their milestones", responses=FINANCE_ERRORS)
async def schedules(user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)) -> dict:
    return as_sent(await gw.services.ecf.schedules(user=user))


# ------------------------------------------------------------------------ lead provider API v3
@lead_providers.get("/participants", summary="This lead provider's participants", responses=V3,
                    openapi_extra=v3_query("filter[cohort]", "filter[updated_since]", "page[page]", "page[per_page]"))
async def lp_participants(request: Request, lp: dict = Depends(lead_provider),
                          gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "participants", request)


@lead_providers.get("/participants/{participant_id}", summary="One participant", responses=V3)
async def lp_participant(participant_id: str, request: Request, lp: dict = Depends(lead_provider),
                         gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "participant", request, participant_id=_id(participant_id))


@lead_providers.put("/participants/{participant_id}/{action}",
                    summary="Withdraw, defer, resume or change the schedule of a participant", responses=V3)
async def lp_participant_action(participant_id: str, action: str, request: Request, lp: dict = Depends(lead_provider),
                                gw: Gateway = Depends(gateway)) -> Response:
    if action not in PARTICIPANT_ACTIONS:
        raise JsonApiError(404, "Resource not found", "Nothing could be found for your query")
    return await as_lead_provider(gw, lp, "participant_action", request, participant_id=_id(participant_id),
                                  action=action)
