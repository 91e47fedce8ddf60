"""The ECF engine's internal API (in the payments process).

Finance users, under ``/internal/v1/finance``: request bodies are JSON the gateway forwards byte for
byte (the engine reads amounts as exact decimals and refuses unknown members itself), so only the
answers are modelled here. Lead providers, under ``/internal/v1/ecf``: JSON:API documents the
gateway passes through unchanged, after resolving the bearer token (``LEAD_PROVIDER_BY_TOKEN``).
"""
from __future__ import annotations

from .base import Amount, Endpoint, Id, Wire, endpoints


class Created(Wire):
    id: Id


class LeadProvider(Wire):
    id: Id
    name: str


class LeadProviderList(Wire):
    items: list[LeadProvider]
    total: int
    page: int


class Contract(Wire):
    id: Id
    lead_provider_id: Id
    cohort: int


class ContractList(Wire):
    items: list[Contract]
    total: int
    page: int


class Statement(Wire):
    id: Id
    lead_provider_id: Id
    cohort: int
    name: str
    state: str
    total: Amount | None = None


class StatementList(Wire):
    items: list[Statement]
    total: int
    page: int
    per_page: int | None = None


LIST_LEAD_PROVIDERS = Endpoint("GET", "/internal/v1/finance/lead-providers", LeadProviderList)
ADD_SCHEDULE = Endpoint("POST", "/internal/v1/finance/schedules", Created, status=201)
ADD_CONTRACT = Endpoint("POST", "/internal/v1/finance/contracts", Created, status=201)
LIST_CONTRACTS = Endpoint("GET", "/internal/v1/finance/contracts", ContractList)
ADD_STATEMENT = Endpoint("POST", "/internal/v1/finance/statements", Created, status=201)
ADD_PARTICIPANT = Endpoint("POST", "/internal/v1/finance/participants", Created, status=201)
LIST_STATEMENTS = Endpoint("GET", "/internal/v1/finance/statements", StatementList)
STATEMENT_CSV = Endpoint("GET", "/internal/v1/finance/statements/{statement_id}.csv")
DECLARATIONS_CSV = Endpoint("GET", "/internal/v1/finance/statements/{statement_id}/declarations.csv")
GET_STATEMENT = Endpoint("GET", "/internal/v1/finance/statements/{statement_id}", Statement)
AUTHORISE_STATEMENT = Endpoint("POST", "/internal/v1/finance/statements/{statement_id}/authorise", Statement)
ADD_ADJUSTMENT = Endpoint("POST", "/internal/v1/finance/statements/{statement_id}/adjustments", Statement,
                          status=201)
LEAD_PROVIDER_BY_TOKEN = Endpoint("GET", "/internal/v1/ecf/lead-providers/by-token", LeadProvider)
# Lead Provider API v3 (JSON:API, passed through):
DECLARE = Endpoint("POST", "/internal/v1/ecf/participant-declarations")
DECLARATIONS = Endpoint("GET", "/internal/v1/ecf/participant-declarations")
DECLARATION = Endpoint("GET", "/internal/v1/ecf/participant-declarations/{declaration_id}")
VOID_DECLARATION = Endpoint("PUT", "/internal/v1/ecf/participant-declarations/{declaration_id}/void")
LP_STATEMENTS = Endpoint("GET", "/internal/v1/ecf/statements")
LP_STATEMENT = Endpoint("GET", "/internal/v1/ecf/statements/{statement_id}")

ENDPOINTS = endpoints(globals())
