"""The sampling service's internal API: the two uploads (claims to sample, a provider's response),
the Sampling section, support's decision on a claim the provider did not approve, new links."""
from __future__ import annotations

from typing import Any

from .base import Amount, Body, Endpoint, Wire, endpoints
from .links import LinkStatus
from .uploads import Accepted, UploadCreated, UploadView


class DecisionIn(Body):
    reason: str = ""


class WaitingClaim(Wire):
    reference: str
    status: str
    status_label: str
    school: dict[str, Any]
    provider: dict[str, Any]
    amount: Amount | None = None
    sample_reason: str | None = None
    provider_comment: str | None = None


class WaitingClaimList(Wire):
    items: list[WaitingClaim]
    total: int
    page: int
    per_page: int | None = None
    empty_message: str | None = None


class Summary(Wire):
    """What the Sampling section needs to choose its "cannot upload" states."""
    paid_claim_count: int = 0
    sampling_in_progress_count: int = 0
    provider_not_approved_count: int = 0
    can_upload_sample: bool
    can_upload_response: bool
    cannot_upload_sample_message: str | None = None
    cannot_upload_response_message: str | None = None


UPLOAD_SAMPLE = Endpoint("POST", "/internal/v1/sampling/uploads", UploadCreated, status=201)  # multipart: file
REVIEW_SAMPLE = Endpoint("GET", "/internal/v1/sampling/uploads/{upload_id}", UploadView)
CONFIRM_SAMPLE = Endpoint("POST", "/internal/v1/sampling/uploads/{upload_id}/confirm", Accepted, status=202)
CANCEL_SAMPLE = Endpoint("POST", "/internal/v1/sampling/uploads/{upload_id}/cancel", Accepted)
UPLOAD_RESPONSE = Endpoint("POST", "/internal/v1/sampling/responses", UploadCreated, status=201)  # multipart: file
REVIEW_RESPONSE = Endpoint("GET", "/internal/v1/sampling/responses/{upload_id}", UploadView)
CONFIRM_RESPONSE = Endpoint("POST", "/internal/v1/sampling/responses/{upload_id}/confirm", Accepted, status=202)
CANCEL_RESPONSE = Endpoint("POST", "/internal/v1/sampling/responses/{upload_id}/cancel", Accepted)
WAITING_CLAIMS = Endpoint("GET", "/internal/v1/sampling/claims", WaitingClaimList)
SUMMARY = Endpoint("GET", "/internal/v1/sampling/summary", Summary)
APPROVE_CLAIM = Endpoint("POST", "/internal/v1/claims/{reference}/sampling/approve", Accepted, DecisionIn, status=202)
REJECT_CLAIM = Endpoint("POST", "/internal/v1/claims/{reference}/sampling/reject", Accepted, DecisionIn, status=202)
RESEND_LINK = Endpoint("POST", "/internal/v1/providers/{provider_id}/sampling/resend", Accepted, status=202)
DOWNLOAD_LINK = Endpoint("GET", "/internal/v1/links/{token}")  # the file, or 404/410
LINK_STATUS = Endpoint("GET", "/internal/v1/links/{token}/status", LinkStatus)  # does not spend the link

ENDPOINTS = endpoints(globals())
