"""Internal HTTP API of the ECF engine (the gateway proxies it; every route needs the internal token).

Finance users (the gateway passes ``X-Actor-Email`` / ``X-Actor-Role``), under /internal/v1/finance:
the JSON shapes of docs/design.md §9; errors ``{"errors": [{"message", "field"}]}`` with 4xx.

Lead providers (the gateway authenticates the bearer token with ``GET
/internal/v1/ecf/lead-providers/by-token`` and passes ``X-Lead-Provider-Id``), under
/internal/v1/ecf: JSON:API documents of the ECF API v3 (``jsonapi``); errors
``{"errors": [{"title", "detail"}]}``. A lead provider only ever sees its own declarations and
statements (another's are "not found").

Routes are adapters: parse (``http``), call a handler, shape the answer.
"""
from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any, Callable

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import async_sessionmaker

from shared.contracts import Actor, NotFound, Refused
from shared.contracts.http.ecf import (ContractList, Created, LeadProvider, LeadProviderList, ParticipantChanged,
                                       Statement, StatementList)
from shared.contracts.money import Money

from . import handlers, jsonapi
from .domain.contract import Band
from .domain.presentation import statement_document
from .domain.statements import can_authorise
from .exports import declarations_csv, statement_csv
from .domain.schedules import Milestone
from .handlers import Clock, uk_today
from .http import (DEFAULT_PER_PAGE, MAX_PER_PAGE, AdjustmentIn, AuthoriseIn, BadRequest, ContractIn, FinanceRoute,
                   LeadProviderEmailIn, LeadProviderRoute, ParticipantIn, RetireIn, ScheduleIn, StatementIn, Unauthorised, actor_of,
                   cohort_filter, contract_document, csv_response, page_number, parse, read_body, slug,
                   updated_since_filter, uuid_or_none)
from .participant_api import add_participant_routes
from .unit_of_work import EcfUnitOfWork


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
    @finance.get("/lead-providers", response_model=LeadProviderList)
    async def list_lead_providers():
        async with uow_factory() as uow:
            items = await uow.ecf.lead_providers()
        return {"items": items, "total": len(items), "page": 1}

    @finance.post("/lead-providers/{lead_provider_id}/email", response_model=LeadProvider)
    async def set_lead_provider_email(lead_provider_id: str, request: Request):
        body = parse(LeadProviderEmailIn, await read_body(request))
        async with uow_factory() as uow:
            return await handlers.set_lead_provider_email(uow, lead_provider_id=lead_provider_id, email=body.email)

    @finance.post("/schedules", status_code=201, response_model=Created)
    async def add_schedule(request: Request):
        body = parse(ScheduleIn, await read_body(request))
        async with uow_factory() as uow:
            return await handlers.add_schedule(
                uow, new_id=make_id(), identifier=body.identifier, cohort=body.cohort,
                milestones=[Milestone(m.declaration_type, m.start_date, m.milestone_date) for m in body.milestones])

    @finance.post("/contracts", status_code=201, response_model=Created)
    async def add_contract(request: Request):
        body = parse(ContractIn, await read_body(request))
        async with uow_factory() as uow:
            return await handlers.add_contract(
                uow, new_id=make_id(), lead_provider_id=body.lead_provider_id, cohort=body.cohort,
                recruitment_target=body.recruitment_target,
                bands=[Band(b.name, b.min, b.max, None if b.per_participant is None else Money(b.per_participant),
                            b.output_fee_percent) for b in body.bands],
                set_up_fee=Money(body.set_up_fee), uplift_amount=Money(body.uplift_amount),
                vat_chargeable=body.vat_chargeable,
                monthly_service_fee=None if body.monthly_service_fee is None else Money(body.monthly_service_fee),
                service_fee_months=body.service_fee_months, contract_type=body.contract_type,
                mentor_fee_per_declaration=None if body.mentor_fee_per_declaration is None
                else Money(body.mentor_fee_per_declaration))

    @finance.get("/contracts", response_model=ContractList)
    async def list_contracts(lead_provider_id: str | None = None):
        async with uow_factory() as uow:
            found = await uow.ecf.contracts(lead_provider_id=uuid_or_none(lead_provider_id)) \
                if lead_provider_id is None or uuid_or_none(lead_provider_id) else []
        items = [contract_document(c) for c in found]
        return {"items": items, "total": len(items), "page": 1}

    @finance.post("/statements", status_code=201, response_model=Created)
    async def add_statement(request: Request):
        body = parse(StatementIn, await read_body(request))
        async with uow_factory() as uow:
            return await handlers.add_statement(
                uow, clock, new_id=make_id(), lead_provider_id=body.lead_provider_id, cohort=body.cohort,
                name=body.name, deadline_date=body.deadline_date, payment_date=body.payment_date,
                output_fee=body.output_fee)

    @finance.post("/participants", status_code=201, response_model=Created)
    async def add_participant(request: Request):
        body = parse(ParticipantIn, await read_body(request))
        async with uow_factory() as uow:
            temporary = "induction_start_date" in body.model_fields_set and body.induction_start_date is None \
                and body.course_identifier == "ecf-induction"
            return await handlers.add_participant(uow, clock, new_id=make_id(), temporary_cohort=temporary,
                                                  **body.model_dump())

    @finance.post("/participants/{participant_id}/retire", response_model=ParticipantChanged)
    async def retire_participant(participant_id: str, request: Request):
        body = parse(RetireIn, await read_body(request))
        into = body.into_participant_id or body.into
        if not into:
            raise Refused("Choose the participant to retire this one into", field="into")
        async with uow_factory() as uow:
            return await handlers.retire_participant(uow, clock, participant_id=participant_id,
                                                     into_participant_id=into)

    @finance.post("/participants/{participant_id}/funding-eligible")
    async def make_participant_eligible(participant_id: str):
        async with uow_factory() as uow:
            return await handlers.make_participant_eligible(uow, clock, participant_id=participant_id)

    @finance.get("/statements", response_model=StatementList)
    async def list_statements(lead_provider_id: str | None = None, cohort: int | None = None, page: int = 1,
                              per_page: int = 50):
        if lead_provider_id is not None and uuid_or_none(lead_provider_id) is None:
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
        return csv_response(statement_csv(statement, lines), f"statement-{slug(statement.name)}.csv")

    @finance.get("/statements/{statement_id}/declarations.csv")
    async def statement_declarations_file(statement_id: str):
        async with uow_factory() as uow:
            found = await handlers.statement_declarations(uow, clock, statement_id)
            statement = await uow.ecf.statement(statement_id)
        return csv_response(declarations_csv(found), f"declarations-{slug(statement.name)}.csv")

    @finance.get("/statements/{statement_id}", response_model=Statement)
    async def statement_detail(statement_id: str):
        async with uow_factory() as uow:
            statement, lines = await handlers.statement_with_lines(uow, clock, statement_id)
            contract = await uow.ecf.contract(statement.lead_provider_id, statement.cohort)
            notes = await uow.ecf.notes(statement.id)
            to_pay = await uow.ecf.to_pay_count(statement.id)
        return {**statement_document(statement, lines, today=today()),
                "to_pay_count": to_pay, "can_authorise": can_authorise(statement, today=today(), to_pay=to_pay),
                "contract_type": contract.contract_type if contract else "ecf",
                "notes": [{"text": n["text"], "created_by": n["created_by"],
                           "created_at": n["created_at"].isoformat()} for n in notes]}

    @finance.post("/statements/{statement_id}/authorise", response_model=Statement)
    async def authorise(statement_id: str, request: Request, actor: Actor | None = Depends(actor_of)):
        body = parse(AuthoriseIn, await read_body(request))
        async with uow_factory() as uow:
            await handlers.authorise_statement(uow, clock, statement_id=statement_id,
                                               assurance_checks_done=body.assurance_checks_done is True, actor=actor)
        return await statement_detail(statement_id)

    @finance.post("/statements/{statement_id}/adjustments", status_code=201, response_model=Statement)
    async def add_adjustment(statement_id: str, request: Request, actor: Actor | None = Depends(actor_of)):
        body = parse(AdjustmentIn, await read_body(request))
        async with uow_factory() as uow:
            await handlers.add_statement_adjustment(uow, clock, statement_id=statement_id,
                                                    payment_type=body.payment_type, amount=Money(body.amount),
                                                    actor=actor)
        return await statement_detail(statement_id)

    # -------------------------------------------------------------- lead providers
    @ecf.get("/lead-providers/by-token", response_model=LeadProvider)
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
        page = page_number(q.get("page[page]"), "page", 1)
        per_page = page_number(q.get("page[per_page]"), "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        cohort = cohort_filter(q.get("filter[cohort]"))
        updated_since = updated_since_filter(q.get("filter[updated_since]"))
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
        cohort = cohort_filter(q.get("filter[cohort]"))
        updated_since = updated_since_filter(q.get("filter[updated_since]"))
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

    add_participant_routes(finance, ecf, uow_factory, clock, lead_provider)
    router.include_router(finance)
    router.include_router(ecf)
    return router
