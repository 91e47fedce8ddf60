"""ECF: finance users' routes (``/api/v1/finance``, role finance) and the Lead Provider API
(``/api/v3``, a compatible subset of the ECF API v3).

Bodies are forwarded byte for byte (the payments service reads amounts as exact decimals and
rejects unknown members itself); the OpenAPI document still describes them.

Lead providers authenticate with their own API token (``Authorization: Bearer ...``), which the
payments service resolves (``GET /internal/v1/ecf/lead-providers/by-token``); the gateway then acts
as that lead provider (``X-Lead-Provider-Id``), so a lead provider only ever sees its own
declarations and statements. A user's sign-in token is not a lead provider token (401 here), and a
lead provider token is not a user's (401 on ``/api/v1``). Responses and JSON:API errors of the
service pass through unchanged.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from shared.contracts import roles
from shared.contracts.http import ecf as ecf_api

from ..auth import api_role
from ..checks import check_id
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from . import workflow_schemas as w
from .schemas import errors

FINANCE = api_role(roles.FINANCE)
finance = APIRouter(prefix="/api/v1/finance", tags=["ecf finance"])
lead_providers = APIRouter(prefix="/api/v3", tags=["ecf lead provider api"])

FINANCE_ERRORS = errors(401, 403, 404, 422, 503)


async def create(request: Request, gw: Gateway, user: User, what: str) -> ecf_api.Created:
    return await gw.services.ecf.create(what, await request.body(), user=user)


# ------------------------------------------------------------------------------------ finance
@finance.get("/lead-providers", summary="Lead providers", responses=FINANCE_ERRORS)
async def list_lead_providers(user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)) -> dict:
    return as_sent(await gw.services.ecf.lead_providers(user=user))


@finance.post("/lead-providers/{lead_provider_id}/email", summary="Record a lead provider's email address",
              responses=FINANCE_ERRORS, openapi_extra=w.json_body(w.LeadProviderEmailDoc))
async def set_lead_provider_email(lead_provider_id: str, request: Request, user: User = Depends(FINANCE),
                                  gw: Gateway = Depends(gateway)) -> dict:
    return as_sent(await gw.services.ecf.set_lead_provider_email(check_id(lead_provider_id, "lead_provider"),
                                                                  await request.body(), user=user))


@finance.post("/schedules", status_code=201, response_model=w.Created, summary="Add a schedule of milestones",
              responses=FINANCE_ERRORS, openapi_extra=w.json_body(w.ScheduleDoc))
async def add_schedule(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return as_sent(await create(request, gw, user, "schedule"))


@finance.post("/contracts", status_code=201, response_model=w.Created,
              summary="Add a lead provider's contract for a cohort (bands A–D)", responses=FINANCE_ERRORS,
              openapi_extra=w.json_body(w.ContractDoc))
async def add_contract(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return as_sent(await create(request, gw, user, "contract"))


@finance.get("/contracts", summary="Contracts", responses=FINANCE_ERRORS)
async def list_contracts(lead_provider_id: Annotated[str | None, Query(max_length=100)] = None,
                         user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)) -> dict:
    lead_provider_id = check_id(lead_provider_id, "lead_provider") if lead_provider_id else None
    return as_sent(await gw.services.ecf.contracts(lead_provider_id=lead_provider_id, user=user))


@finance.post("/statements", status_code=201, response_model=w.Created, summary="Add a monthly statement",
              responses=FINANCE_ERRORS, openapi_extra=w.json_body(w.StatementDoc))
async def add_statement(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return as_sent(await create(request, gw, user, "statement"))


@finance.post("/participants", status_code=201, response_model=w.Created,
              summary="Add a participant (its id is the participant_id lead providers declare for)",
              responses=FINANCE_ERRORS, openapi_extra=w.json_body(w.ParticipantDoc))
async def add_participant(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return as_sent(await create(request, gw, user, "participant"))


@finance.get("/statements", response_model=w.StatementList, summary="Statements", responses=FINANCE_ERRORS)
async def list_statements(lead_provider_id: Annotated[str | None, Query(max_length=100)] = None,
                          cohort: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                          page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                          per_page: Annotated[int, Query(ge=1, le=500)] = 50,
                          user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    lead_provider_id = check_id(lead_provider_id, "lead_provider") if lead_provider_id else None
    return as_sent(await gw.services.ecf.statements(page=page, per_page=per_page, lead_provider_id=lead_provider_id,
                                            cohort=cohort, user=user))


async def csv_download(gw: Gateway, user: User, statement_id: str, *, declarations: bool = False) -> Response:
    response = await gw.services.ecf.statement_csv(check_id(statement_id, "statement"), declarations=declarations,
                                                   user=user)
    return Response(response.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": response.headers.get("content-disposition",
                                                                         'attachment; filename="statement.csv"')})


CSV = {200: {"content": {"text/csv": {}}, "description": "CSV file"}, **FINANCE_ERRORS}


@finance.get("/statements/{statement_id}.csv", summary="Download a statement as CSV", response_class=Response,
             responses=CSV)
async def statement_csv(statement_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await csv_download(gw, user, statement_id)


@finance.get("/statements/{statement_id}/declarations.csv", summary="Download a statement's declarations as CSV",
             response_class=Response, responses=CSV)
async def statement_declarations_csv(statement_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await csv_download(gw, user, statement_id, declarations=True)


@finance.get("/statements/{statement_id}", response_model=w.Statement, summary="A statement with its output fees",
             responses=FINANCE_ERRORS)
async def statement(statement_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.ecf.statement(check_id(statement_id, "statement"), user=user))


@finance.post("/statements/{statement_id}/authorise", response_model=w.Statement,
              summary="Authorise a statement for payment (requires the assurance checks)", responses=FINANCE_ERRORS,
              openapi_extra=w.json_body(w.AuthoriseDoc))
async def authorise(statement_id: str, request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.ecf.authorise(check_id(statement_id, "statement"), await request.body(),
                                                   user=user))


@finance.post("/statements/{statement_id}/adjustments", status_code=201, response_model=w.Statement,
              summary="Add a manual adjustment to a statement", responses=FINANCE_ERRORS,
              openapi_extra=w.json_body(w.AdjustmentDoc))
async def add_adjustment(statement_id: str, request: Request, user: User = Depends(FINANCE),
                         gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.ecf.add_adjustment(check_id(statement_id, "statement"), await request.body(),
                                                user=user))


# ------------------------------------------------------------------------ lead provider API v3
class JsonApiError(Exception):
    """Answered as a JSON:API error document (the Lead Provider API's shape)."""

    def __init__(self, status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers or {}

    def response(self) -> JSONResponse:
        return JSONResponse({"errors": [{"title": self.title, "detail": self.detail}]}, status_code=self.status,
                            headers=self.headers)


def _denied() -> JsonApiError:
    return JsonApiError(401, "Unauthorized", "HTTP Token: Access denied", {"WWW-Authenticate": "Bearer"})


async def lead_provider(request: Request, gw: Gateway = Depends(gateway)) -> dict[str, str]:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 500 or not token.isprintable():
        raise _denied()
    found = await gw.services.ecf.lead_provider_for_token(token)
    if found is None:
        raise _denied()
    return found.model_dump()


def passed_through(response) -> Response:
    headers = {k: v for k, v in response.headers.items() if k.lower() in ("content-type", "content-disposition")}
    return Response(response.content, status_code=response.status_code, headers=headers)


async def as_lead_provider(gw: Gateway, lp: dict[str, str], call: str, request: Request, **path: str) -> Response:
    return passed_through(await gw.services.ecf.as_lead_provider(
        call, lp["id"], params=list(request.query_params.multi_items()), content=await request.body(), **path))


V3 = {200: {"description": "JSON:API document"}, 400: {"description": "Bad or missing parameters (JSON:API errors)"},
      401: {"description": "Missing or wrong lead provider token (JSON:API errors)"},
      404: {"description": "Not found, or not this lead provider's (JSON:API errors)"},
      422: {"description": "Refused declaration: every reason (JSON:API errors)"}, 503: {"description": "Unavailable"}}


def v3_query(*names: str) -> dict:
    """``openapi_extra`` documenting the optional text query parameters a v3 list reads itself
    (``filter[...]``, ``page[...]``: the engine checks them, the gateway passes them on)."""
    return {"parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                           for n in names]}


@lead_providers.post("/participant-declarations", summary="Record a participant declaration", responses=V3,
                     openapi_extra=w.json_body(w.DeclarationDoc))
async def declare(request: Request, lp: dict = Depends(lead_provider), gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "declare", request)


@lead_providers.get("/participant-declarations", summary="This lead provider's declarations", responses=V3,
                    openapi_extra=v3_query("filter[cohort]", "filter[participant_id]", "filter[updated_since]",
                                           "page[page]", "page[per_page]"))
async def declarations(request: Request, lp: dict = Depends(lead_provider), gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "declarations", request)


@lead_providers.get("/participant-declarations/{declaration_id}", summary="One declaration", responses=V3)
async def declaration(declaration_id: str, request: Request, lp: dict = Depends(lead_provider),
                      gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "declaration", request, declaration_id=_id(declaration_id))


@lead_providers.put("/participant-declarations/{declaration_id}/void", summary="Void a declaration", responses=V3)
async def void(declaration_id: str, request: Request, lp: dict = Depends(lead_provider),
               gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "void", request, declaration_id=_id(declaration_id))


@lead_providers.get("/statements", summary="This lead provider's statements", responses=V3,
                    openapi_extra=v3_query("filter[cohort]", "filter[updated_since]"))
async def lp_statements(request: Request, lp: dict = Depends(lead_provider), gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "statements", request)


@lead_providers.get("/statements/{statement_id}", summary="One statement", responses=V3)
async def lp_statement(statement_id: str, request: Request, lp: dict = Depends(lead_provider),
                       gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "statement", request, statement_id=_id(statement_id))


def _id(value: str) -> str:
    if not value or len(value) > 100 or not all(c.isalnum() or c in "-_" for c in value):
        raise JsonApiError(404, "Resource not found", "Nothing could be found for your query")
    return value


__all__ = ["finance", "lead_providers", "JsonApiError", "GatewayError"]
