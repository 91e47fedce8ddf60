"""The claims service, one method per call of its internal API (``shared.contracts.http.claims``)."""
from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx

from shared.contracts.http import claims as api

from ..users import User
from .base import ServiceClient
from .uploads import file_part

GIAS_TIMEOUT_S = 120.0


class ClaimsClient:
    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    async def import_schools(self, *, file_name: str, data: bytes, content_type: str, user: User) -> api.ImportResult:
        return await self.http.call(api.IMPORT_SCHOOLS, user=user, files=file_part(file_name, data, content_type))

    async def add_provider(self, body: api.ProviderIn, *, user: User) -> api.Provider:
        return await self.http.call(api.ADD_PROVIDER, user=user, body=body)

    async def list_providers(self, *, user: User) -> api.ProviderList:
        return await self.http.call(api.LIST_PROVIDERS, user=user)

    async def add_claim_window(self, body: api.WindowIn, *, user: User) -> api.ClaimWindow:
        return await self.http.call(api.ADD_CLAIM_WINDOW, user=user, body=body)

    async def list_claim_windows(self, *, user: User) -> api.ClaimWindowList:
        return await self.http.call(api.LIST_CLAIM_WINDOWS, user=user)

    # GIAS's extracts take seconds to read and apply (50,000 schools): these calls wait longer.
    async def upload_gias(self, file: tuple[str, bytes, str], links: tuple[str, bytes, str] | None, *,
                          user: User) -> api.GiasUploaded:
        """``file`` (and ``links``): (file name, content, content type) of GIAS's CSV extracts."""
        files = {"file": file, **({"links": links} if links else {})}
        return await self.http.call(api.UPLOAD_GIAS, user=user, files=files, timeout=GIAS_TIMEOUT_S)

    async def gias_upload(self, upload_id: str, *, user: User) -> api.GiasUpload:
        return await self.http.call(api.GIAS_UPLOAD, user=user, upload_id=upload_id)

    async def confirm_gias(self, upload_id: str, *, user: User) -> api.GiasFinished:
        return await self.http.call(api.CONFIRM_GIAS, user=user, upload_id=upload_id, timeout=GIAS_TIMEOUT_S)

    async def cancel_gias(self, upload_id: str, *, user: User) -> api.GiasFinished:
        return await self.http.call(api.CANCEL_GIAS, user=user, upload_id=upload_id)

    async def schools(self, *, q: str | None, page: int, per_page: int, user: User) -> api.SchoolList:
        params = {"page": page, "per_page": per_page, **({"q": q} if q else {})}
        return await self.http.call(api.SEARCH_SCHOOLS, user=user, params=params)

    async def school(self, urn: str, *, user: User) -> api.SchoolDetail:
        return await self.http.call(api.GET_SCHOOL, user=user, urn=urn)

    async def provider(self, provider_id: str, *, user: User) -> api.Provider:
        return await self.http.call(api.GET_PROVIDER, user=user, provider_id=provider_id)

    async def edit_provider(self, provider_id: str, body: api.ProviderIn, *, user: User) -> api.Provider:
        return await self.http.call(api.EDIT_PROVIDER, user=user, body=body, provider_id=provider_id)

    async def claim_window(self, window_id: str, *, user: User) -> api.ClaimWindowState:
        return await self.http.call(api.GET_CLAIM_WINDOW, user=user, window_id=window_id)

    async def edit_claim_window(self, window_id: str, body: api.WindowIn, *, user: User) -> api.ClaimWindowState:
        return await self.http.call(api.EDIT_CLAIM_WINDOW, user=user, body=body, window_id=window_id)

    async def delete_claim_window(self, window_id: str, *, user: User) -> None:
        await self.http.call(api.DELETE_CLAIM_WINDOW, user=user, window_id=window_id)

    async def submit_claim(self, body: api.ClaimIn, *, user: User) -> api.ClaimDetail:
        return await self.http.call(api.SUBMIT_CLAIM, user=user, body=body)

    async def search_claims(self, params: dict[str, Any], *, user: User) -> api.ClaimList:
        """``params``: the filters (q, status, provider_id, ...), sort, order, page, per_page."""
        return await self.http.call(api.SEARCH_CLAIMS, user=user, params=params)

    def download_claims(self, params: dict[str, Any], *, user: User
                        ) -> AbstractAsyncContextManager[httpx.Response]:
        """The claims CSV, streamed (read it inside the ``async with``)."""
        endpoint = api.DOWNLOAD_CLAIMS
        return self.http.stream(endpoint.method, endpoint.url(), user=user, params=params)

    async def claim_references(self, *, status: str, claim_window_id: str, user: User) -> api.ClaimReferences:
        """Only the references of the claims in ``status`` in the window (what sending to the payer waits for)."""
        return await self.http.call(api.CLAIM_REFERENCES, user=user,
                                    params={"status": status, "claim_window_id": claim_window_id})

    async def get_claim(self, reference: str, *, user: User) -> api.ClaimDetail:
        return await self.http.call(api.GET_CLAIM, user=user, reference=reference)

    async def assign_claim(self, reference: str, user_email: str | None, *, user: User) -> api.ClaimDetail:
        return await self.http.call(api.ASSIGN_CLAIM, user=user, body=api.AssignIn(user_email=user_email),
                                    reference=reference)

    async def activity(self, *, page: int, user: User) -> api.ActivityList:
        return await self.http.call(api.ACTIVITY, user=user, params={"page": page})

    # schools and trusts claim in the browser (docs/design.md §11)
    async def create_draft(self, body: api.DraftIn, *, user: User) -> api.DraftCreated:
        return await self.http.call(api.CREATE_DRAFT, user=user, body=body)

    async def update_draft(self, reference: str, body: api.DraftPatch, *, user: User) -> api.ClaimDetail:
        return await self.http.call(api.UPDATE_DRAFT, user=user, body=body, reference=reference)

    async def change_draft(self, reference: str, body: api.DraftPatch, *, user: User) -> None:
        """``update_draft`` without reading the claim back."""
        await self.http.call(api.CHANGE_DRAFT, user=user, body=body, reference=reference)

    async def delete_draft(self, reference: str, *, user: User) -> None:
        await self.http.call(api.DELETE_DRAFT, user=user, reference=reference)

    async def submit_draft(self, reference: str, declaration: bool, *, user: User) -> api.ClaimDetail:
        return await self.http.call(api.SUBMIT_DRAFT, user=user, body=api.SubmitIn(declaration=declaration),
                                    reference=reference)

    async def mark_invalid_provider(self, reference: str, reason: str, *, user: User) -> api.ClaimDetail:
        return await self.http.call(api.MARK_INVALID_PROVIDER, user=user, body=api.ReasonIn(reason=reason),
                                    reference=reference)

    async def change_provider(self, reference: str, provider_id: str, *, user: User) -> api.ClaimDetail:
        return await self.http.call(api.CHANGE_PROVIDER, user=user, body=api.ProviderChoice(provider_id=provider_id),
                                    reference=reference)

    async def allowances(self, urn: str, params: dict[str, Any], *, user: User) -> api.Allowances:
        """``params``: provider_id, any ``trn`` asked about, the draft being ``editing``."""
        return await self.http.call(api.ALLOWANCES, user=user, params=params, urn=urn)

    async def school_organisation(self, urn: str, *, user: User) -> api.SchoolOrganisation:
        return await self.http.call(api.SCHOOL_ORGANISATION, user=user, urn=urn)

    async def school_page(self, urn: str, *, claim: str | None = None, allowances: bool = False,
                          providers: bool = False, windows: bool = False, user: User) -> api.SchoolPage:
        """What one school page needs in one call: the school, and as asked the claim (with its mentors'
        allowances), the providers, the claim windows."""
        params: dict[str, Any] = {k: "true" for k, v in (("allowances", allowances), ("providers", providers),
                                                         ("windows", windows)) if v}
        if claim is not None:
            params["claim"] = claim
        return await self.http.call(api.SCHOOL_PAGE, user=user, urn=urn, params=params)

    async def trust_schools(self, trust_id: str, *, user: User) -> api.TrustSchools:
        return await self.http.call(api.TRUST_SCHOOLS, user=user, trust_id=trust_id)
