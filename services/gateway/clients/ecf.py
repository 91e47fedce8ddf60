"""The ECF engine (in the payments process), one method per call of its internal API
(``shared.contracts.http.ecf``). Finance bodies go byte for byte (exact decimals); the Lead
Provider API's answers come back as the engine gave them (JSON:API documents and errors)."""
from __future__ import annotations

from typing import Any

import httpx

from shared.contracts.http import ecf as api
from shared.contracts.http.base import Endpoint

from ..users import User
from .base import ServiceClient

JSON = {"content-type": "application/json"}

#: Finance creations by what they create.
CREATE = {"schedule": api.ADD_SCHEDULE, "contract": api.ADD_CONTRACT, "statement": api.ADD_STATEMENT,
          "participant": api.ADD_PARTICIPANT}
#: Lead Provider API calls by name (the gateway route of the same shape).
LEAD_PROVIDER_CALLS = {"declare": api.DECLARE, "declarations": api.DECLARATIONS, "declaration": api.DECLARATION,
                       "void": api.VOID_DECLARATION, "statements": api.LP_STATEMENTS, "statement": api.LP_STATEMENT,
                       "participants": api.LP_PARTICIPANTS, "participant": api.LP_PARTICIPANT,
                       "participant_action": api.LP_PARTICIPANT_ACTION}


class EcfClient:
    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    async def _raw(self, endpoint: Endpoint, content: bytes, *, user: User, **path: Any) -> Any:
        response = await self.http.request(endpoint.method, endpoint.url(**path), user=user, content=content or b"{}",
                                           headers=JSON)
        return self.http.parse(endpoint, response)

    # ------------------------------------------------------------------ finance
    async def lead_providers(self, *, user: User) -> api.LeadProviderList:
        return await self.http.call(api.LIST_LEAD_PROVIDERS, user=user)

    async def set_lead_provider_email(self, lead_provider_id: str, content: bytes, *, user: User) -> api.LeadProvider:
        """``content``: ``{"email": ...}`` (blank or null removes it)."""
        return await self._raw(api.SET_LEAD_PROVIDER_EMAIL, content, user=user, lead_provider_id=lead_provider_id)

    async def create(self, what: str, content: bytes, *, user: User) -> api.Created:
        """``what``: schedule, contract, statement or participant; ``content``: the JSON body as sent."""
        return await self._raw(CREATE[what], content, user=user)

    async def contracts(self, *, lead_provider_id: str | None = None, user: User) -> api.ContractList:
        params = {"lead_provider_id": lead_provider_id} if lead_provider_id else {}
        return await self.http.call(api.LIST_CONTRACTS, user=user, params=params)

    async def statements(self, *, page: int = 1, per_page: int = 50, lead_provider_id: str | None = None,
                         cohort: int | None = None, user: User) -> api.StatementList:
        params: dict[str, Any] = {"page": page, "per_page": per_page}
        if lead_provider_id:
            params["lead_provider_id"] = lead_provider_id
        if cohort is not None:
            params["cohort"] = cohort
        return await self.http.call(api.LIST_STATEMENTS, user=user, params=params)

    async def statement(self, statement_id: str, *, user: User) -> api.Statement:
        return await self.http.call(api.GET_STATEMENT, user=user, statement_id=statement_id)

    async def authorise(self, statement_id: str, content: bytes, *, user: User) -> api.Statement:
        return await self._raw(api.AUTHORISE_STATEMENT, content, user=user, statement_id=statement_id)

    async def add_adjustment(self, statement_id: str, content: bytes, *, user: User) -> api.Statement:
        return await self._raw(api.ADD_ADJUSTMENT, content, user=user, statement_id=statement_id)

    async def statement_csv(self, statement_id: str, *, declarations: bool = False, user: User) -> httpx.Response:
        """The statement's CSV (or its declarations'), read whole."""
        endpoint = api.DECLARATIONS_CSV if declarations else api.STATEMENT_CSV
        return await self.http.call(endpoint, user=user, statement_id=statement_id)

    # ------------------------------------------------------------------ finance: participants, cohorts, notes
    async def participants(self, *, q: str | None = None, duplicates: bool = False, page: int = 1,
                           user: User) -> api.ParticipantList:
        params: dict[str, Any] = {"page": page, "duplicates": "true" if duplicates else "false"}
        if q:
            params["q"] = q
        return await self.http.call(api.FIND_PARTICIPANTS, user=user, params=params)

    async def participant(self, participant_id: str, *, user: User) -> api.Participant:
        return await self.http.call(api.GET_PARTICIPANT, user=user, participant_id=participant_id)

    async def retire(self, participant_id: str, content: bytes, *, user: User) -> api.ParticipantChanged:
        return await self._raw(api.RETIRE_PARTICIPANT, content, user=user, participant_id=participant_id)

    async def make_eligible(self, participant_id: str, *, user: User) -> api.ParticipantChanged:
        return await self._raw(api.MAKE_ELIGIBLE, b"{}", user=user, participant_id=participant_id)

    async def record_induction_start(self, participant_id: str, content: bytes, *,
                                     user: User) -> api.ParticipantChanged:
        return await self._raw(api.INDUCTION_START, content, user=user, participant_id=participant_id)

    async def freeze_cohort(self, cohort: int, content: bytes, *, user: User) -> api.CohortFrozen:
        return await self._raw(api.FREEZE_COHORT, content, user=user, cohort=cohort)

    async def frozen_cohorts(self, *, user: User) -> api.CohortList:
        return await self.http.call(api.FROZEN_COHORTS, user=user)

    async def add_note(self, statement_id: str, content: bytes, *, user: User) -> api.StatementNotes:
        return await self._raw(api.ADD_NOTE, content, user=user, statement_id=statement_id)

    async def raise_capacity(self, contract_id: str, band: str, content: bytes, *, user: User) -> api.BandCapacity:
        return await self._raw(api.RAISE_CAPACITY, content, user=user, contract_id=contract_id, band=band)

    async def schedules(self, *, user: User) -> api.ScheduleList:
        return await self.http.call(api.LIST_SCHEDULES, user=user)

    # ------------------------------------------------------------------ lead providers
    async def lead_provider_for_token(self, token: str) -> api.LeadProvider | None:
        """The lead provider whose API token this is, or None (a refused token is not an error)."""
        endpoint = api.LEAD_PROVIDER_BY_TOKEN
        found = await self.http.passthrough(endpoint.method, endpoint.url(), user=None,
                                            headers={"X-Lead-Provider-Token": token})
        if found.status_code != 200:
            return None
        return self.http.parse(endpoint, found)

    async def as_lead_provider(self, call: str, lead_provider_id: str, *, params: Any, content: bytes | None = None,
                               **path: Any) -> httpx.Response:
        """A Lead Provider API call made as that lead provider; the answer as the engine gave it."""
        endpoint = LEAD_PROVIDER_CALLS[call]
        headers = {"X-Lead-Provider-Id": lead_provider_id}
        kwargs: dict[str, Any] = {"params": params}
        if endpoint.method in ("POST", "PUT"):
            kwargs["content"] = content if content is not None else b""
            headers.update(JSON)
        return await self.http.passthrough(endpoint.method, endpoint.url(**path), user=None, headers=headers,
                                           **kwargs)
