"""The payments service's school payments and clawbacks, one method per call of its internal API
(``shared.contracts.http.payments``)."""
from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx

from shared.contracts.http import payments as api

from ..users import User
from .base import ServiceClient
from .uploads import UploadClient, UploadEndpoints

#: Manual payer actions on a claim, by the name in the URL.
PAYER_ACTIONS = {"information-sent": api.INFORMATION_SENT, "paid": api.PAID, "reject": api.REJECT_PAYMENT}


class PaymentsClient:
    def __init__(self, http: ServiceClient) -> None:
        self.http = http
        #: The payer's answers about the claims it was sent.
        self.payer_responses = UploadClient(http, UploadEndpoints(
            api.UPLOAD_PAYMENT_RESPONSE, api.REVIEW_PAYMENT_RESPONSE, api.CONFIRM_PAYMENT_RESPONSE,
            api.CANCEL_PAYMENT_RESPONSE))
        #: The payer's answers about the clawbacks it was sent.
        self.clawback_responses = UploadClient(http, UploadEndpoints(
            api.UPLOAD_CLAWBACK_RESPONSE, api.REVIEW_CLAWBACK_RESPONSE, api.CONFIRM_CLAWBACK_RESPONSE,
            api.CANCEL_CLAWBACK_RESPONSE))

    # ------------------------------------------------------------------ payments
    async def send_to_payer(self, claim_window_id: str, *, submitted_references: list[str] | None = None,
                            user: User) -> api.PaymentSent:
        """``submitted_references``: what claims shows as submitted in the window now (payments waits for them)."""
        return await self.http.call(api.SEND_TO_PAYER, user=user, body=api.SendIn(
            claim_window_id=claim_window_id, submitted_references=submitted_references or []))

    async def payments(self, *, page: int = 1, per_page: int = 25, user: User) -> api.PaymentBatchList:
        return await self.http.call(api.LIST_PAYMENTS, user=user, params={"page": page, "per_page": per_page})

    async def ready_to_send(self, *, user: User) -> api.ReadyWindowList:
        return await self.http.call(api.READY_TO_SEND, user=user)

    async def claims(self, *, status: list[str], claim_window_id: str | None = None, page: int = 1,
                     per_page: int = 25, user: User) -> api.PaymentClaimList:
        params: dict[str, Any] = {"status": status, "page": page, "per_page": per_page}
        if claim_window_id:
            params["claim_window_id"] = claim_window_id
        return await self.http.call(api.PAYMENT_CLAIMS, user=user, params=params)

    async def payment(self, payment_id: str, *, user: User) -> api.PaymentBatchDetail:
        return await self.http.call(api.GET_PAYMENT, user=user, payment_id=payment_id)

    async def payer_action(self, reference: str, action: str, *, reason: str | None = None,
                           user: User) -> api.Accepted:
        """``action``: information-sent, paid or reject (``reason`` only with reject)."""
        body = api.RejectIn(reason=reason) if action == "reject" and reason is not None else None
        return await self.http.call(PAYER_ACTIONS[action], user=user, body=body, reference=reference)

    # ------------------------------------------------------------------ clawbacks
    async def clawback(self, reference: str, *, user: User) -> api.ClawbackView:
        return await self.http.call(api.GET_CLAWBACK, user=user, reference=reference)

    async def check_clawback(self, reference: str, body: api.ClawbackIn, *, user: User) -> api.ClawbackAssessment:
        return await self.http.call(api.CHECK_CLAWBACK, user=user, body=body, reference=reference)

    async def request_clawback(self, reference: str, body: api.ClawbackIn, *, user: User) -> api.ClawbackRequested:
        return await self.http.call(api.REQUEST_CLAWBACK, user=user, body=body, reference=reference)

    async def approve_clawback(self, reference: str, *, user: User) -> api.Accepted:
        return await self.http.call(api.APPROVE_CLAWBACK, user=user, reference=reference)

    async def reject_clawback(self, reference: str, reasons: dict[str, str], *, user: User) -> api.Accepted:
        return await self.http.call(api.REJECT_CLAWBACK, user=user, body=api.ClawbackRejectIn(reasons=reasons),
                                    reference=reference)

    async def clawbacks(self, *, status: list[str] | str, page: int = 1, per_page: int = 25,
                        user: User) -> api.ClawbackList:
        return await self.http.call(api.LIST_CLAWBACKS, user=user,
                                    params={"status": status, "page": page, "per_page": per_page})

    async def send_clawbacks(self, *, user: User) -> api.ClawbacksSent:
        return await self.http.call(api.SEND_CLAWBACKS, user=user)

    async def clawback_batches(self, *, page: int = 1, per_page: int = 25, user: User) -> api.PaymentBatchList:
        return await self.http.call(api.CLAWBACK_BATCHES, user=user, params={"page": page, "per_page": per_page})

    def download_link(self, token: str) -> AbstractAsyncContextManager[httpx.Response]:
        """The payer's one-time file (404 unknown, 410 used or expired: ``Downstream``)."""
        return self.http.stream(api.DOWNLOAD_LINK.method, api.DOWNLOAD_LINK.url(token=token), user=None)

    async def link_status(self, token: str) -> api.LinkStatus:
        """Whether the payer's link would download (``ok``) or why not, without spending it."""
        return await self.http.call(api.LINK_STATUS, user=None, token=token)
