"""Internal HTTP API of the ECF engine (the gateway proxies it; every route needs the internal token).

Finance users (the gateway passes ``X-Actor-Email`` / ``X-Actor-Role``), under /internal/v1/finance:
the JSON shapes of DESIGN §9; errors ``{"errors": [{"message", "field"}]}`` with 4xx.

Lead providers (the gateway authenticates the bearer token with ``GET
/internal/v1/ecf/lead-providers/by-token`` and passes ``X-Lead-Provider-Id``), under
/internal/v1/ecf: JSON:API documents of the ECF API v3 (``jsonapi``); errors
``{"errors": [{"title", "detail"}]}``. A lead provider only ever sees its own declarations and
statements (another's are "not found").

Routes are adapters: parse, call a handler, shape the answer.
"""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Type, TypeVar

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlalchemy.ext.asyncio import async_sessionmaker

from shared.contracts import Actor, NotFound, Refused
from shared.contracts.money import Money

from . import handlers, jsonapi
from .domain.contract import Band
from .domain.presentation import declarations_csv, statement_csv, statement_document
from .domain.schedules import Milestone
from .handlers import Clock, Refusals, uk_today
from .unit_of_work import EcfUnitOfWork

M = TypeVar("M", bound=BaseModel)
MAX_PER_PAGE = 3000  # as the ECF API v3
DEFAULT_PER_PAGE = 100


# ------------------------------------------------------------------ error shapes per audience
class FinanceRoute(APIRoute):
    """Refusals as the gateway's ``{"errors": [{"message", "field"}]}``: 404 not found, 422 refused."""

    def get_route_handler(self) -> Callable:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await inner(request)
            except Refused as exc:
                errors = getattr(exc, "errors", None) or [exc]
                return JSONResponse({"errors": [_finance_error(e) for e in errors]},
                                    status_code=404 if isinstance(exc, NotFound) else 422)

        return handler


def _finance_error(e: Refused) -> dict[str, Any]:
    out: dict[str, Any] = {"message": e.message}
    if e.field is not None:
        out["field"] = e.field
    if e.row is not None:
        out["row"] = e.row
    return out


class LeadProviderRoute(APIRoute):
    """Refusals as JSON:API errors: 404 "Resource not found", 422 with every reason."""

    def get_route_handler(self) -> Callable:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await inner(request)
            except Unauthorised:
                return JSONResponse(jsonapi.error("Unauthorized", "HTTP Token: Access denied"), status_code=401)
            except NotFound:
                return JSONResponse(jsonapi.error("Resource not found", "Nothing could be found for your query"),
                                    status_code=404)
            except BadRequest as exc:
                return JSONResponse(jsonapi.error(exc.title, exc.detail), status_code=400)
            except Refused as exc:
                return JSONResponse(jsonapi.errors_document(getattr(exc, "errors", None) or [exc]), status_code=422)

        return handler


class Unauthorised(Exception):
    """No lead provider (the gateway passes ``X-Lead-Provider-Id`` after checking the token)."""


class BadRequest(Exception):
    def __init__(self, title: str, detail: str) -> None:
        super().__init__(detail)
        self.title, self.detail = title, detail


# ------------------------------------------------------------------ request bodies
class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _two_places(value: Decimal | None) -> Decimal | None:
    if value is not None and (not value.is_finite() or value != value.quantize(Decimal("0.01"))):
        raise ValueError("pounds and pence")
    return value


class MilestoneIn(_In):
    declaration_type: str
    start_date: date
    milestone_date: date | None = None


class ScheduleIn(_In):
    identifier: str
    cohort: int
    milestones: list[MilestoneIn]


class BandIn(_In):
    name: str
    min: int
    max: int
    per_participant: Decimal | None = None
    _places = field_validator("per_participant")(_two_places)


class ContractIn(_In):
    lead_provider_id: str
    cohort: int
    recruitment_target: int
    set_up_fee: Decimal = Decimal(0)
    uplift_amount: Decimal = Decimal(100)
    vat_chargeable: bool = False
    monthly_service_fee: Decimal | None = None
    service_fee_months: int = 29
    bands: list[BandIn]
    _places = field_validator("set_up_fee", "uplift_amount", "monthly_service_fee")(_two_places)


class StatementIn(_In):
    lead_provider_id: str
    cohort: int
    name: str
    deadline_date: date
    payment_date: date
    output_fee: bool = True


class ParticipantIn(_In):
    lead_provider_id: str
    cohort: int
    schedule: str
    trn: str
    full_name: str
    course_identifier: str = "ecf-induction"
    pupil_premium_uplift: bool = False
    sparsity_uplift: bool = False
    funding_eligible: bool = True


class RetireIn(_In):
    into_participant_id: str


class AuthoriseIn(_In):
    assurance_checks_done: bool = False


class AdjustmentIn(_In):
    payment_type: str
    amount: Decimal
    _places = field_validator("amount")(_two_places)


async def _body(request: Request) -> Any:
    """The JSON body with exact decimals (a number like 995.10 never becomes a float)."""
    raw = await request.body()
    try:
        return json.loads(raw or b"null", parse_float=Decimal)
    except ValueError:
        raise Refused("Send a JSON object", field="body") from None


def _parse(model: Type[M], data: Any) -> M:
    """Validate a body; every problem becomes an error naming its field ("bands.0.per_participant")."""
    if not isinstance(data, dict):
        raise Refused("Send a JSON object", field="body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            where = ".".join(str(part) for part in e["loc"])
            words = next((str(p) for p in reversed(e["loc"]) if isinstance(p, str)), "value").replace("_", " ")
            if e["type"] == "missing":
                message = f"Enter the {words}"
            elif e["type"] == "extra_forbidden":
                message = f"‘{where}’ is not something this request takes"
            elif "pounds and pence" in str(e.get("msg", "")):
                message = f"Enter the {words} in pounds and pence, like 995.00"
            else:
                message = f"Enter a valid {words}"
            errors.append(Refused(message, field=where))
        raise Refusals(errors) from None


def _actor(x_actor_email: str | None = Header(default=None), x_actor_role: str | None = Header(default=None)) -> Actor | None:
    return Actor(email=x_actor_email, role=x_actor_role or "finance") if x_actor_email else None


def _page_number(value: str | None, name: str, default: int, maximum: int | None = None) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) < 1:
        raise BadRequest("Bad parameter", f"The '#/page[{name}]' must be a whole number of 1 or more.")
    return min(int(value), maximum) if maximum else int(value)


# ------------------------------------------------------------------ the router
def build_router(uow_source: async_sessionmaker | Callable[[], EcfUnitOfWork], clock: Clock, auth: Callable, *,
                 new_id: Callable[[], str] | None = None) -> APIRouter:
    """``uow_source``: the payments process's ``async_sessionmaker`` (runtime.sessionmaker), or a
    factory of ``EcfUnitOfWork``. ``clock.now()`` gives aware datetimes."""
    if isinstance(uow_source, async_sessionmaker):
        def uow_factory() -> EcfUnitOfWork:
            return EcfUnitOfWork(uow_source)
    else:
        uow_factory = uow_source
    make_id = new_id or (lambda: str(uuid.uuid4()))

    router = APIRouter(prefix="/internal/v1", dependencies=[Depends(auth)])
    finance = APIRouter(prefix="/finance", route_class=FinanceRoute, tags=["ecf finance"])
    ecf = APIRouter(prefix="/ecf", route_class=LeadProviderRoute, tags=["ecf lead providers"])

    def today() -> date:
        return uk_today(clock.now())

    # -------------------------------------------------------------- finance
    @finance.get("/lead-providers")
    async def list_lead_providers():
        async with uow_factory() as uow:
            items = await uow.ecf.lead_providers()
        return {"items": items, "total": len(items), "page": 1}

    @finance.post("/schedules", status_code=201)
    async def add_schedule(request: Request):
        body = _parse(ScheduleIn, await _body(request))
        async with uow_factory() as uow:
            return await handlers.add_schedule(
                uow, new_id=make_id(), identifier=body.identifier, cohort=body.cohort,
                milestones=[Milestone(m.declaration_type, m.start_date, m.milestone_date) for m in body.milestones])

    @finance.post("/contracts", status_code=201)
    async def add_contract(request: Request):
        body = _parse(ContractIn, await _body(request))
        async with uow_factory() as uow:
            return await handlers.add_contract(
                uow, new_id=make_id(), lead_provider_id=body.lead_provider_id, cohort=body.cohort,
                recruitment_target=body.recruitment_target,
                bands=[Band(b.name, b.min, b.max, None if b.per_participant is None else Money(b.per_participant))
                       for b in body.bands],
                set_up_fee=Money(body.set_up_fee), uplift_amount=Money(body.uplift_amount),
                vat_chargeable=body.vat_chargeable,
                monthly_service_fee=None if body.monthly_service_fee is None else Money(body.monthly_service_fee),
                service_fee_months=body.service_fee_months)

    @finance.get("/contracts")
    async def list_contracts(lead_provider_id: str | None = None):
        async with uow_factory() as uow:
            found = await uow.ecf.contracts(lead_provider_id=_uuid_or_none(lead_provider_id)) \
                if lead_provider_id is None or _uuid_or_none(lead_provider_id) else []
        items = [_contract_document(c) for c in found]
        return {"items": items, "total": len(items), "page": 1}

    @finance.post("/statements", status_code=201)
    async def add_statement(request: Request):
        body = _parse(StatementIn, await _body(request))
        async with uow_factory() as uow:
            return await handlers.add_statement(
                uow, clock, new_id=make_id(), lead_provider_id=body.lead_provider_id, cohort=body.cohort,
                name=body.name, deadline_date=body.deadline_date, payment_date=body.payment_date,
                output_fee=body.output_fee)

    @finance.post("/participants", status_code=201)
    async def add_participant(request: Request):
        body = _parse(ParticipantIn, await _body(request))
        async with uow_factory() as uow:
            return await handlers.add_participant(uow, clock, new_id=make_id(), **body.model_dump())

    @finance.post("/participants/{participant_id}/retire")
    async def retire_participant(participant_id: str, request: Request):
        body = _parse(RetireIn, await _body(request))
        async with uow_factory() as uow:
            return await handlers.retire_participant(uow, clock, participant_id=participant_id,
                                                     into_participant_id=body.into_participant_id)

    @finance.post("/participants/{participant_id}/funding-eligible")
    async def make_participant_eligible(participant_id: str):
        async with uow_factory() as uow:
            return await handlers.make_participant_eligible(uow, clock, participant_id=participant_id)

    @finance.get("/statements")
    async def list_statements(lead_provider_id: str | None = None, cohort: int | None = None, page: int = 1,
                              per_page: int = 50):
        if lead_provider_id is not None and _uuid_or_none(lead_provider_id) is None:
            return {"items": [], "total": 0, "page": page, "per_page": per_page}
        page, per_page = max(page, 1), min(max(per_page, 1), 500)
        async with uow_factory() as uow:
            found = await handlers.statements_with_lines(uow, clock, lead_provider_id=lead_provider_id, cohort=cohort)
        day = today()
        chunk = found[(page - 1) * per_page: page * per_page]
        return {"items": [statement_document(s, lines, today=day) for s, lines in chunk], "total": len(found),
                "page": page, "per_page": per_page}

    # The .csv routes come before /statements/{statement_id} so "x.csv" is never taken for an id.
    @finance.get("/statements/{statement_id}.csv")
    async def statement_file(statement_id: str):
        async with uow_factory() as uow:
            statement, lines = await handlers.statement_with_lines(uow, clock, statement_id)
        return _csv(statement_csv(statement, lines), f"statement-{_slug(statement.name)}.csv")

    @finance.get("/statements/{statement_id}/declarations.csv")
    async def statement_declarations_file(statement_id: str):
        async with uow_factory() as uow:
            found = await handlers.statement_declarations(uow, clock, statement_id)
            statement = await uow.ecf.statement(statement_id)
        return _csv(declarations_csv(found), f"declarations-{_slug(statement.name)}.csv")

    @finance.get("/statements/{statement_id}")
    async def statement_detail(statement_id: str):
        async with uow_factory() as uow:
            statement, lines = await handlers.statement_with_lines(uow, clock, statement_id)
        return statement_document(statement, lines, today=today())

    @finance.post("/statements/{statement_id}/authorise")
    async def authorise(statement_id: str, request: Request, actor: Actor | None = Depends(_actor)):
        body = _parse(AuthoriseIn, await _body(request))
        async with uow_factory() as uow:
            await handlers.authorise_statement(uow, clock, statement_id=statement_id,
                                               assurance_checks_done=body.assurance_checks_done is True, actor=actor)
        return await statement_detail(statement_id)

    @finance.post("/statements/{statement_id}/adjustments", status_code=201)
    async def add_adjustment(statement_id: str, request: Request, actor: Actor | None = Depends(_actor)):
        body = _parse(AdjustmentIn, await _body(request))
        async with uow_factory() as uow:
            await handlers.add_statement_adjustment(uow, clock, statement_id=statement_id,
                                                    payment_type=body.payment_type, amount=Money(body.amount),
                                                    actor=actor)
        return await statement_detail(statement_id)

    # -------------------------------------------------------------- lead providers
    @ecf.get("/lead-providers/by-token")
    async def lead_provider_by_token(x_lead_provider_token: str = Header(default="")):
        async with uow_factory() as uow:
            found = await handlers.lead_provider_for_token(uow, x_lead_provider_token)
        if found is None:
            return JSONResponse(jsonapi.error("Unauthorized", "HTTP Token: Access denied"), status_code=401)
        return {"id": found["id"], "name": found["name"]}

    async def lead_provider(x_lead_provider_id: str = Header(default="")) -> dict[str, Any]:
        async with uow_factory() as uow:
            found = await uow.ecf.lead_provider(x_lead_provider_id)
        if found is None:
            raise Unauthorised()
        return found

    @ecf.post("/participant-declarations")
    async def record_declaration(request: Request, lp: dict = Depends(lead_provider)):
        try:
            document = json.loads(await request.body() or b"null")
        except ValueError:
            document = None
        data = document.get("data") if isinstance(document, dict) else None
        attributes = data.get("attributes") if isinstance(data, dict) else None
        if not isinstance(attributes, dict) or data.get("type", "participant-declaration") != "participant-declaration":
            raise BadRequest("Bad or missing parameters",
                             "Correct json data structure required. See API docs for reference.")
        async with uow_factory() as uow:
            declaration = await handlers.submit_declaration(uow, clock, new_id=make_id(), lead_provider_id=lp["id"],
                                                            attributes=attributes)
        return {"data": jsonapi.declaration_resource(declaration, lead_provider_name=lp["name"])}

    @ecf.put("/participant-declarations/{declaration_id}/void")
    async def void_declaration(declaration_id: str, lp: dict = Depends(lead_provider)):
        async with uow_factory() as uow:
            declaration = await handlers.void_declaration(uow, clock, lead_provider_id=lp["id"],
                                                          declaration_id=declaration_id)
        return {"data": jsonapi.declaration_resource(declaration, lead_provider_name=lp["name"],
                                                     updated_at=clock.now())}

    @ecf.get("/participant-declarations")
    async def list_declarations(request: Request, lp: dict = Depends(lead_provider)):
        q = request.query_params
        page = _page_number(q.get("page[page]"), "page", 1)
        per_page = _page_number(q.get("page[per_page]"), "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        cohort = _cohort_filter(q.get("filter[cohort]"))
        updated_since = _updated_since(q.get("filter[updated_since]"))
        async with uow_factory() as uow:
            await handlers.apply_deadlines(uow, clock)
            found = await uow.ecf.declaration_page(lp["id"], page=page, per_page=per_page, cohort=cohort,
                                                   participant_id=q.get("filter[participant_id]") or None,
                                                   updated_since=updated_since)
            times = await uow.ecf.declaration_times([d.id for d in found.items])
            await uow.commit()
        return {"data": [jsonapi.declaration_resource(d, lead_provider_name=lp["name"], updated_at=times.get(d.id))
                         for d in found.items],
                "meta": {"total": found.total, "page": page, "per_page": per_page}}

    @ecf.get("/participant-declarations/{declaration_id}")
    async def declaration_detail(declaration_id: str, lp: dict = Depends(lead_provider)):
        async with uow_factory() as uow:
            await handlers.apply_deadlines(uow, clock)
            declaration = await uow.ecf.declaration(declaration_id, lead_provider_id=lp["id"])
            if declaration is None:
                raise NotFound("Nothing could be found for your query")
            times = await uow.ecf.declaration_times([declaration.id])
            await uow.commit()
        return {"data": jsonapi.declaration_resource(declaration, lead_provider_name=lp["name"],
                                                     updated_at=times.get(declaration.id))}

    @ecf.get("/statements")
    async def lead_provider_statements(request: Request, lp: dict = Depends(lead_provider)):
        q = request.query_params
        cohort = _cohort_filter(q.get("filter[cohort]"))
        updated_since = _updated_since(q.get("filter[updated_since]"))
        async with uow_factory() as uow:
            found = await uow.ecf.statements(lead_provider_id=lp["id"], cohort=cohort)
            times = await uow.ecf.statement_times([s.id for s in found])
        data = [jsonapi.statement_resource(s, created_at=times[s.id][0], updated_at=times[s.id][1]) for s in found
                if updated_since is None or times[s.id][1] >= updated_since]
        return {"data": data}

    @ecf.get("/statements/{statement_id}")
    async def lead_provider_statement(statement_id: str, lp: dict = Depends(lead_provider)):
        async with uow_factory() as uow:
            statement = await uow.ecf.statement(statement_id)
            if statement is None or statement.lead_provider_id != lp["id"]:
                raise NotFound("Nothing could be found for your query")
            times = await uow.ecf.statement_times([statement.id])
        created, updated = times[statement.id]
        return {"data": jsonapi.statement_resource(statement, created_at=created, updated_at=updated)}

    router.include_router(finance)
    router.include_router(ecf)
    return router


# ------------------------------------------------------------------ small helpers
def _uuid_or_none(value: str | None) -> str | None:
    from .repository import as_uuid
    return as_uuid(value)


def _cohort_filter(value: str | None) -> int | None:
    if not value:
        return None
    if not value.strip().isdigit():
        raise BadRequest("Bad parameter", "The '#/filter[cohort]' must be a year, like 2026.")
    return int(value)


def _updated_since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise BadRequest("Bad parameter", "The filter '#/updated_since' must be a valid RFC 3339 date.")
    return at


def _slug(name: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split()) or "statement"


def _csv(text: str, file_name: str) -> Response:
    return Response(text.encode(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file_name}"'})


def _contract_document(c) -> dict[str, Any]:
    return {
        "id": c.id, "lead_provider_id": c.lead_provider_id, "cohort": c.cohort,
        "recruitment_target": c.recruitment_target, "set_up_fee": str(c.set_up_fee),
        "uplift_amount": str(c.uplift_amount), "vat_chargeable": c.vat_chargeable,
        "monthly_service_fee": str(c.monthly_service_fee), "service_fee_months": c.service_fee_months,
        "service_fee_total": str(c.service_fee_total),
        "bands": [{"name": b.name, "first_participant": b.first, "last_participant": b.last, "per_participant": str(b.per_participant),
                   "service_fee_per_participant": str(b.service_fee_per_participant),
                   "output_fee_per_participant": str(b.per_participant * b.output_share)} for b in c.bands],
    }
