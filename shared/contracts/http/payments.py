"""The payments service's internal API for school claims: sending to the payer, the payer's
answers (uploaded or recorded by hand), clawbacks (four eyes) and the payer's clawback answers.
Only support users change anything (the service checks ``X-Actor-Role``)."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from .base import Amount, Body, Endpoint, Id, Page, SizedPage, Timestamp, Wire, endpoints
from .claims import ClaimRow
from .links import LinkStatus
from .uploads import Accepted, UploadCreated, UploadView, upload_endpoints  # noqa: F401 - re-exported


# ------------------------------------------------------------------ request bodies
class SendIn(Body):
    claim_window_id: str
    #: What claims showed as submitted in the window when the button was pressed (the gateway asks).
    submitted_references: list[str] = []


class RejectIn(Body):
    reason: str = ""


class MentorHoursIn(Body):
    trn: str
    hours_worked: int = Field(strict=True)
    notes: str = ""


class ClawbackIn(Body):
    mentors: list[MentorHoursIn]


class ClawbackRejectIn(Body):
    reasons: dict[str, str] = {}


# ------------------------------------------------------------------ responses
class PaymentSent(Wire):
    payment_id: Id
    claim_count: int
    total_amount: Amount | None = None
    #: Claims in ``submitted_references`` that payments had not yet seen, so were not sent.
    claims_still_arriving: int = 0


class PaymentBatch(Wire):
    id: Id
    claim_count: int
    total_amount: Amount | None = None
    created_at: Timestamp | None = None
    created_by: str | None = None


class PaymentBatchList(SizedPage[PaymentBatch]):
    pass


class BatchClaim(Wire):
    reference: str
    amount: Amount | None = None
    status: str
    status_label: str


class PaymentBatchDetail(PaymentBatch):
    claims: list[BatchClaim] = []


class ReadyWindow(Wire):
    claim_window_id: Id
    claim_count: int
    total_amount: Amount | None = None


class ReadyWindowList(Page[ReadyWindow]):
    pass


class PaymentClaim(ClaimRow):
    pass


class PaymentClaimList(SizedPage[PaymentClaim]):
    pass


class ClawbackMentorView(Wire):
    trn: str
    full_name: str
    hours: int
    to_enter: bool = False


class ClawbackView(Wire):
    reference: str
    status: str
    mentors: list[ClawbackMentorView]
    clawback: dict[str, Any] | None = None


class ClawbackAssessment(Wire):
    hourly_rate: Amount | None = None
    hours_clawed_back: int | None = None
    amount: Amount | None = None
    mentors: list[dict[str, Any]] = []


class ClawbackRequested(ClawbackAssessment):
    clawback_id: Id
    reference: str
    status: str


class ClawbacksSent(Wire):
    clawback_id: Id
    claim_count: int


class ClawbackItem(Wire):
    id: Id
    claim_reference: str
    status: str


class ClawbackList(SizedPage[ClawbackItem]):
    pass


# ------------------------------------------------------------------ the calls
SEND_TO_PAYER = Endpoint("POST", "/internal/v1/payments", PaymentSent, SendIn, status=201)
LIST_PAYMENTS = Endpoint("GET", "/internal/v1/payments", PaymentBatchList)
READY_TO_SEND = Endpoint("GET", "/internal/v1/payments/ready", ReadyWindowList)
PAYMENT_CLAIMS = Endpoint("GET", "/internal/v1/payments/claims", PaymentClaimList)
GET_PAYMENT = Endpoint("GET", "/internal/v1/payments/{payment_id}", PaymentBatchDetail)
(UPLOAD_PAYMENT_RESPONSE, REVIEW_PAYMENT_RESPONSE, CONFIRM_PAYMENT_RESPONSE,
 CANCEL_PAYMENT_RESPONSE) = upload_endpoints("/internal/v1/payments/responses")
INFORMATION_SENT = Endpoint("POST", "/internal/v1/claims/{reference}/payment/information-sent", Accepted, status=202)
PAID = Endpoint("POST", "/internal/v1/claims/{reference}/payment/paid", Accepted, status=202)
REJECT_PAYMENT = Endpoint("POST", "/internal/v1/claims/{reference}/payment/reject", Accepted, RejectIn, status=202)
GET_CLAWBACK = Endpoint("GET", "/internal/v1/claims/{reference}/clawback", ClawbackView)
CHECK_CLAWBACK = Endpoint("POST", "/internal/v1/claims/{reference}/clawback/check", ClawbackAssessment, ClawbackIn)
REQUEST_CLAWBACK = Endpoint("POST", "/internal/v1/claims/{reference}/clawback", ClawbackRequested, ClawbackIn,
                            status=201)
APPROVE_CLAWBACK = Endpoint("POST", "/internal/v1/claims/{reference}/clawback/approve", Accepted, status=202)
REJECT_CLAWBACK = Endpoint("POST", "/internal/v1/claims/{reference}/clawback/reject", Accepted, ClawbackRejectIn,
                           status=202)
LIST_CLAWBACKS = Endpoint("GET", "/internal/v1/clawbacks", ClawbackList)
SEND_CLAWBACKS = Endpoint("POST", "/internal/v1/clawbacks", ClawbacksSent, status=201)
CLAWBACK_BATCHES = Endpoint("GET", "/internal/v1/clawbacks/batches", PaymentBatchList)
(UPLOAD_CLAWBACK_RESPONSE, REVIEW_CLAWBACK_RESPONSE, CONFIRM_CLAWBACK_RESPONSE,
 CANCEL_CLAWBACK_RESPONSE) = upload_endpoints("/internal/v1/clawbacks/responses")
DOWNLOAD_LINK = Endpoint("GET", "/internal/v1/links/{token}")  # the file, or 404/410
LINK_STATUS = Endpoint("GET", "/internal/v1/links/{token}/status", LinkStatus)  # does not spend the link

ENDPOINTS = endpoints(globals())
