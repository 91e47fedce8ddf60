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

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from shared.contracts import roles

from ..auth import api_role
from ..clients import GatewayError
from ..context import Gateway, gateway
from ..users import User
from . import workflow_schemas as w
from .schemas import errors
from .workflows import check_id

FINANCE = api_role(roles.FINANCE)
finance = APIRouter(prefix="/api/v1/finance", tags=["ecf finance"])
lead_providers = APIRouter(prefix="/api/v3", tags=["ecf lead provider api"])

FINANCE_ERRORS = errors(401, 403, 404, 422, 503)
JSON = {"content-type": "application/json"}


async def forward(request: Request, gw: Gateway, user: User, method: str, path: str) -> Any:
    body = await request.body()
    return await gw.services.payments.json(method, path, user=user, content=body or b"{}", headers=JSON)


# ------------------------------------------------------------------------------------ finance
@finance.get("/lead-providers", summary="Lead providers", responses=FINANCE_ERRORS)
async def list_lead_providers(user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)) -> dict:
    return await gw.services.payments.json("GET", "/internal/v1/finance/lead-providers", user=user)


@finance.post("/schedules", status_code=201, response_model=w.Created, summary="Add a schedule of milestones",
              responses=FINANCE_ERRORS, openapi_extra=w.json_body(w.ScheduleDoc))
async def add_schedule(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await forward(request, gw, user, "POST", "/internal/v1/finance/schedules")


@finance.post("/contracts", status_code=201, response_model=w.Created,
              summary="Add a lead provider's contract for a cohort (bands A–D)", responses=FINANCE_ERRORS,
              openapi_extra=w.json_body(w.ContractDoc))
async def add_contract(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await forward(request, gw, user, "POST", "/internal/v1/finance/contracts")


@finance.get("/contracts", summary="Contracts", responses=FINANCE_ERRORS)
async def list_contracts(lead_provider_id: Annotated[str | None, Query(max_length=100)] = None,
                         user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)) -> dict:
    params = {"lead_provider_id": check_id(lead_provider_id, "lead_provider")} if lead_provider_id else {}
    return await gw.services.payments.json("GET", "/internal/v1/finance/contracts", user=user, params=params)


@finance.post("/statements", status_code=201, response_model=w.Created, summary="Add a monthly statement",
              responses=FINANCE_ERRORS, openapi_extra=w.json_body(w.StatementDoc))
async def add_statement(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await forward(request, gw, user, "POST", "/internal/v1/finance/statements")


@finance.post("/participants", status_code=201, response_model=w.Created,
              summary="Add a participant (its id is the participant_id lead providers declare for)",
              responses=FINANCE_ERRORS, openapi_extra=w.json_body(w.ParticipantDoc))
async def add_participant(request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await forward(request, gw, user, "POST", "/internal/v1/finance/participants")


@finance.get("/statements", response_model=w.StatementList, summary="Statements", responses=FINANCE_ERRORS)
async def list_statements(lead_provider_id: Annotated[str | None, Query(max_length=100)] = None,
                          cohort: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                          page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                          per_page: Annotated[int, Query(ge=1, le=500)] = 50,
                          user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    params: dict[str, Any] = {"page": page, "per_page": per_page}
    if lead_provider_id:
        params["lead_provider_id"] = check_id(lead_provider_id, "lead_provider")
    if cohort is not None:
        params["cohort"] = cohort
    return await gw.services.payments.json("GET", "/internal/v1/finance/statements", user=user, params=params)


async def csv_download(gw: Gateway, user: User, path: str) -> Response:
    response = await gw.services.payments.request("GET", path, user=user)
    return Response(response.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": response.headers.get("content-disposition",
                                                                         'attachment; filename="statement.csv"')})


CSV = {200: {"content": {"text/csv": {}}, "description": "CSV file"}, **FINANCE_ERRORS}


@finance.get("/statements/{statement_id}.csv", summary="Download a statement as CSV", response_class=Response,
             responses=CSV)
async def statement_csv(statement_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await csv_download(gw, user, f"/internal/v1/finance/statements/{check_id(statement_id, 'statement')}.csv")


@finance.get("/statements/{statement_id}/declarations.csv", summary="Download a statement's declarations as CSV",
             response_class=Response, responses=CSV)
async def statement_declarations_csv(statement_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await csv_download(
        gw, user, f"/internal/v1/finance/statements/{check_id(statement_id, 'statement')}/declarations.csv")


@finance.get("/statements/{statement_id}", response_model=w.Statement, summary="A statement with its output fees",
             responses=FINANCE_ERRORS)
async def statement(statement_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await gw.services.payments.json(
        "GET", f"/internal/v1/finance/statements/{check_id(statement_id, 'statement')}", user=user)


@finance.post("/statements/{statement_id}/authorise", response_model=w.Statement,
              summary="Authorise a statement for payment (requires the assurance checks)", responses=FINANCE_ERRORS,
              openapi_extra=w.json_body(w.AuthoriseDoc))
async def authorise(statement_id: str, request: Request, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await forward(request, gw, user, "POST",
                         f"/internal/v1/finance/statements/{check_id(statement_id, 'statement')}/authorise")


@finance.post("/statements/{statement_id}/adjustments", status_code=201, response_model=w.Statement,
              summary="Add a manual adjustment to a statement", responses=FINANCE_ERRORS,
              openapi_extra=w.json_body(w.AdjustmentDoc))
async def add_adjustment(statement_id: str, request: Request, user: User = Depends(FINANCE),
                         gw: Gateway = Depends(gateway)):
    return await forward(request, gw, user, "POST",
                         f"/internal/v1/finance/statements/{check_id(statement_id, 'statement')}/adjustments")


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
    found = await gw.services.payments.passthrough("GET", "/internal/v1/ecf/lead-providers/by-token", user=None,
                                                   headers={"X-Lead-Provider-Token": token})
    if found.status_code != 200:
        raise _denied()
    return found.json()


def passed_through(response) -> Response:
    headers = {k: v for k, v in response.headers.items() if k.lower() in ("content-type", "content-disposition")}
    return Response(response.content, status_code=response.status_code, headers=headers)


async def as_lead_provider(gw: Gateway, lp: dict[str, str], method: str, path: str, request: Request) -> Response:
    kwargs: dict[str, Any] = {"params": list(request.query_params.multi_items())}
    if method in ("POST", "PUT"):
        kwargs["content"] = await request.body()
        kwargs["headers"] = {"X-Lead-Provider-Id": lp["id"], **JSON}
    else:
        kwargs["headers"] = {"X-Lead-Provider-Id": lp["id"]}
    return passed_through(await gw.services.payments.passthrough(method, path, user=None, **kwargs))


V3 = {200: {"description": "JSON:API document"}, 400: {"description": "Bad or missing parameters (JSON:API errors)"},
      401: {"description": "Missing or wrong lead provider token (JSON:API errors)"},
      404: {"description": "Not found, or not this lead provider's (JSON:API errors)"},
      422: {"description": "Refused declaration: every reason (JSON:API errors)"}, 503: {"description": "Unavailable"}}


@lead_providers.post("/participant-declarations", summary="Record a participant declaration", responses=V3,
                     openapi_extra=w.json_body(w.DeclarationDoc))
async def declare(request: Request, lp: dict = Depends(lead_provider), gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "POST", "/internal/v1/ecf/participant-declarations", request)


@lead_providers.get("/participant-declarations", summary="This lead provider's declarations", responses=V3,
                    openapi_extra={"parameters": [
                        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                        for n in ("filter[cohort]", "filter[participant_id]", "filter[updated_since]",
                                  "page[page]", "page[per_page]")]})
async def declarations(request: Request, lp: dict = Depends(lead_provider), gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "GET", "/internal/v1/ecf/participant-declarations", request)


@lead_providers.get("/participant-declarations/{declaration_id}", summary="One declaration", responses=V3)
async def declaration(declaration_id: str, request: Request, lp: dict = Depends(lead_provider),
                      gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "GET", f"/internal/v1/ecf/participant-declarations/{_id(declaration_id)}",
                                  request)


@lead_providers.put("/participant-declarations/{declaration_id}/void", summary="Void a declaration", responses=V3)
async def void(declaration_id: str, request: Request, lp: dict = Depends(lead_provider),
               gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(
        gw, lp, "PUT", f"/internal/v1/ecf/participant-declarations/{_id(declaration_id)}/void", request)


@lead_providers.get("/statements", summary="This lead provider's statements", responses=V3,
                    openapi_extra={"parameters": [
                        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                        for n in ("filter[cohort]", "filter[updated_since]")]})
async def lp_statements(request: Request, lp: dict = Depends(lead_provider), gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "GET", "/internal/v1/ecf/statements", request)


@lead_providers.get("/statements/{statement_id}", summary="One statement", responses=V3)
async def lp_statement(statement_id: str, request: Request, lp: dict = Depends(lead_provider),
                       gw: Gateway = Depends(gateway)) -> Response:
    return await as_lead_provider(gw, lp, "GET", f"/internal/v1/ecf/statements/{_id(statement_id)}", request)


def _id(value: str) -> str:
    if not value or len(value) > 100 or not all(c.isalnum() or c in "-_" for c in value):
        raise JsonApiError(404, "Resource not found", "Nothing could be found for your query")
    return value


__all__ = ["finance", "lead_providers", "JsonApiError", "GatewayError"]
