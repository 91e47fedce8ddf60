"""The sampling service, one method per call of its internal API (``shared.contracts.http.sampling``)."""
from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import httpx

from shared.contracts.http import provider as provider_api
from shared.contracts.http import sampling as api

from ..users import User
from .base import ServiceClient
from .uploads import UploadClient, UploadEndpoints


class SamplingClient:
    def __init__(self, http: ServiceClient) -> None:
        self.http = http
        #: Claims to sample (the Data and Insights team's file).
        self.samples = UploadClient(http, UploadEndpoints(api.UPLOAD_SAMPLE, api.REVIEW_SAMPLE, api.CONFIRM_SAMPLE,
                                                          api.CANCEL_SAMPLE))
        #: A provider's answers.
        self.responses = UploadClient(http, UploadEndpoints(api.UPLOAD_RESPONSE, api.REVIEW_RESPONSE,
                                                            api.CONFIRM_RESPONSE, api.CANCEL_RESPONSE))

    async def generate(self, body: api.GenerateIn, *, user: User) -> api.Generated:
        """A sample generated in the service, held as a pending sample upload (``samples`` reviews,
        confirms or cancels it)."""
        return await self.http.call(api.GENERATE_SAMPLE, user=user, body=body)

    async def sample_csv(self, upload_id: str, *, user: User) -> httpx.Response:
        """A generated sample in the sampling file's format (404 for an unknown upload: ``Downstream``)."""
        return await self.http.call(api.SAMPLE_CSV, user=user, upload_id=upload_id)

    async def waiting_claims(self, *, page: int, per_page: int, status: str | None = None,
                             user: User) -> api.WaitingClaimList:
        params = {"page": page, "per_page": per_page, **({"status": status} if status else {})}
        return await self.http.call(api.WAITING_CLAIMS, user=user, params=params)

    async def summary(self, *, user: User) -> api.Summary:
        return await self.http.call(api.SUMMARY, user=user)

    async def approve_claim(self, reference: str, *, user: User) -> api.Accepted:
        return await self.http.call(api.APPROVE_CLAIM, user=user, body=api.DecisionIn(), reference=reference)

    async def reject_claim(self, reference: str, reason: str, *, user: User) -> api.Accepted:
        return await self.http.call(api.REJECT_CLAIM, user=user, body=api.DecisionIn(reason=reason),
                                    reference=reference)

    async def resend_link(self, provider_id: str, *, user: User, round_id: str | None = None) -> api.Accepted:
        """A new link for the provider's sampling in ``round_id`` (its latest when None)."""
        params = {"upload_id": round_id} if round_id else None
        return await self.http.call(api.RESEND_LINK, user=user, params=params, provider_id=provider_id)

    async def remind_provider(self, provider_id: str, *, user: User) -> api.Reminded:
        """Send the provider's reminder now (once a day; 422 with the reason otherwise)."""
        return await self.http.call(api.REMIND_PROVIDER, user=user, provider_id=provider_id)

    async def rounds(self, *, page: int, per_page: int = 25, user: User) -> api.RoundList:
        return await self.http.call(api.ROUNDS, user=user, params={"page": page, "per_page": per_page})

    async def round(self, round_id: str, *, user: User) -> api.RoundDetail:
        return await self.http.call(api.ROUND, user=user, round_id=round_id)

    def download_link(self, token: str) -> AbstractAsyncContextManager[httpx.Response]:
        """A provider's one-time file (404 unknown, 410 used or expired: ``Downstream``)."""
        return self.http.stream(api.DOWNLOAD_LINK.method, api.DOWNLOAD_LINK.url(token=token), user=None)

    async def link_status(self, token: str) -> api.LinkStatus:
        """Whether a provider's link would download (``ok``) or why not, without spending it."""
        return await self.http.call(api.LINK_STATUS, user=None, token=token)

    # -- the providers' own accounts (docs/design.md §12): scoped by the user's provider ids -------
    async def provider_claims(self, *, params: dict, user: User) -> provider_api.ProviderClaimList:
        return await self.http.call(provider_api.PROVIDER_CLAIMS, user=user, params=params)

    async def provider_claims_csv(self, *, params: dict, user: User) -> httpx.Response:
        """The provider's claims as CSV, one row per mentor (formula-safe, written by the service)."""
        return await self.http.call(provider_api.PROVIDER_CLAIMS_CSV, user=user, params=params)

    async def provider_claim(self, reference: str, *, user: User) -> provider_api.ProviderClaimDetail:
        return await self.http.call(provider_api.PROVIDER_CLAIM, user=user, reference=reference)

    async def assure_claim(self, reference: str, body: provider_api.AssuranceIn, *, user: User) -> api.Accepted:
        """An answer given in the service: by a provider user for its own claim, or by support by hand."""
        return await self.http.call(provider_api.ASSURE_CLAIM, user=user, body=body, reference=reference)
