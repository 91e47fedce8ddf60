"""The ECF engine's internal API (in the payments process).

Finance users, under ``/internal/v1/finance``: request bodies are JSON the gateway forwards byte for
byte (the engine reads amounts as exact decimals and refuses unknown members itself), so only the
answers are modelled here. Lead providers, under ``/internal/v1/ecf``: JSON:API documents the
gateway passes through unchanged, after resolving the bearer token (``LEAD_PROVIDER_BY_TOKEN``).
"""
from __future__ import annotations

from typing import Any

from .base import Amount, Endpoint, Id, Page, SizedPage, Wire, endpoints


class Created(Wire):
    id: Id


class LeadProvider(Wire):
    id: Id
    name: str


class LeadProviderList(Page[LeadProvider]):
    pass


class Contract(Wire):
    id: Id
    lead_provider_id: Id
    cohort: int


class ContractList(Page[Contract]):
    pass


class Statement(Wire):
    id: Id
    lead_provider_id: Id
    cohort: int
    name: str
    state: str
    total: Amount | None = None


class StatementList(SizedPage[Statement]):
    pass


class Participant(Wire):
    """Finance's view of a participant (its statuses as history; declarations on the detail)."""
    id: Id
    cohort: int | None = None
    status: str | None = None


class ParticipantList(Page[dict[str, Any]]):
    """Participants, or (``duplicates=true``) pairs ``{participant, duplicate_of, reason}``."""


class ParticipantChanged(Wire):
    id: Id


class CohortFrozen(Wire):
    cohort: int
    frozen: bool


class CohortList(Wire):
    items: list[int]
    total: int


class Note(Wire):
    text: str
    created_by: str | None = None
    created_at: str


class StatementNotes(Wire):
    notes: list[Note]


class BandCapacity(Wire):
    id: Id
    band: str | None = None
    max: int | None = None


class Schedule(Wire):
    identifier: str
    cohort: int
    milestones: list[dict[str, Any]]


class ScheduleList(Wire):
    items: list[Schedule]
    total: int


LIST_LEAD_PROVIDERS = Endpoint("GET", "/internal/v1/finance/lead-providers", LeadProviderList)
SET_LEAD_PROVIDER_EMAIL = Endpoint("POST", "/internal/v1/finance/lead-providers/{lead_provider_id}/email", LeadProvider)
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
FIND_PARTICIPANTS = Endpoint("GET", "/internal/v1/finance/participants", ParticipantList)
GET_PARTICIPANT = Endpoint("GET", "/internal/v1/finance/participants/{participant_id}", Participant)
RETIRE_PARTICIPANT = Endpoint("POST", "/internal/v1/finance/participants/{participant_id}/retire", ParticipantChanged)
MAKE_ELIGIBLE = Endpoint("POST", "/internal/v1/finance/participants/{participant_id}/eligible", ParticipantChanged)
INDUCTION_START = Endpoint("POST", "/internal/v1/finance/participants/{participant_id}/induction-start-date",
                           ParticipantChanged)
FREEZE_COHORT = Endpoint("POST", "/internal/v1/finance/cohorts/{cohort}/freeze", CohortFrozen)
FROZEN_COHORTS = Endpoint("GET", "/internal/v1/finance/cohorts/frozen", CohortList)
ADD_NOTE = Endpoint("POST", "/internal/v1/finance/statements/{statement_id}/notes", StatementNotes, status=201)
RAISE_CAPACITY = Endpoint("POST", "/internal/v1/finance/contracts/{contract_id}/bands/{band}/capacity", BandCapacity)
LIST_SCHEDULES = Endpoint("GET", "/internal/v1/finance/schedules", ScheduleList)
LEAD_PROVIDER_BY_TOKEN = Endpoint("GET", "/internal/v1/ecf/lead-providers/by-token", LeadProvider)
# Lead Provider API v3 (JSON:API, passed through):
DECLARE = Endpoint("POST", "/internal/v1/ecf/participant-declarations")
DECLARATIONS = Endpoint("GET", "/internal/v1/ecf/participant-declarations")
DECLARATION = Endpoint("GET", "/internal/v1/ecf/participant-declarations/{declaration_id}")
VOID_DECLARATION = Endpoint("PUT", "/internal/v1/ecf/participant-declarations/{declaration_id}/void")
LP_STATEMENTS = Endpoint("GET", "/internal/v1/ecf/statements")
LP_STATEMENT = Endpoint("GET", "/internal/v1/ecf/statements/{statement_id}")
LP_PARTICIPANTS = Endpoint("GET", "/internal/v1/ecf/participants")
LP_PARTICIPANT = Endpoint("GET", "/internal/v1/ecf/participants/{participant_id}")
LP_PARTICIPANT_ACTION = Endpoint("PUT", "/internal/v1/ecf/participants/{participant_id}/{action}")

ENDPOINTS = endpoints(globals())
