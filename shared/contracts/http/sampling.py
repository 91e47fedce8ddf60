"""The sampling service's internal API: the two uploads (claims to sample, a provider's response),
the sample generated in the service (held as a pending sample upload), the Sampling section,
support's decision on a claim the provider did not approve, new links."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from .base import Amount, Body, Endpoint, Id, SizedPage, Wire, endpoints
from .claims import ClaimRow
from .links import LinkStatus
from .provider import PROVIDERS_HEADER  # noqa: F401 - re-exported for the response uploads
from .uploads import Accepted, UploadCreated, UploadView, upload_endpoints  # noqa: F401 - re-exported


#: With ``X-Actor-Role: provider``, ``PROVIDERS_HEADER`` (``.provider``) scopes the provider's response
#: uploads too: its own claims; its own uploads to review, confirm or cancel.


class DecisionIn(Body):
    reason: str = ""


class GenerateIn(Body):
    """The parameters of a generated sample (the gateway checks them in the Design System's words first)."""
    method: Literal["dfe", "mus"] = "dfe"
    claim_window_id: str | None = Field(default=None, max_length=64)
    academic_year: str | None = Field(default=None, max_length=16)
    seed: int = Field(ge=0, le=2**63 - 1)
    extend: bool = False
    threshold: Amount = "5000.00"
    random_percent: Decimal = Field(default=Decimal(20), ge=0, le=100)
    coverage_percent: Decimal = Field(default=Decimal(10), ge=0, le=100)
    tolerable_misstatement: Amount = "50000.00"
    confidence: Literal[90, 95] = 95


class StratumCoverage(Wire):
    stratum: str
    claims: int
    value: Amount
    sampled_claims: int
    sampled_value: Amount
    percent: str


class Generated(Wire):
    """The generated sample, held pending (review, confirm and cancel are the sample upload's); the
    monetary-unit method adds ``sample_size``, ``interval`` and ``population_value``."""
    upload_id: Id
    claim_count: int
    method: str
    seed: int
    parameters: dict[str, Any]
    claim_window_id: str | None = None
    academic_year: str | None = None
    extend: bool = False
    strata: list[StratumCoverage]
    total: StratumCoverage


class WaitingClaim(ClaimRow):
    sample_reason: str | None = None
    provider_comment: str | None = None


class WaitingClaimList(SizedPage[WaitingClaim]):
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


class RoundReminder(Wire):
    sent_at: str
    due_on: str
    sent_by: str  # "schedule" or the support user's email
    claim_count: int = 0
    sent_to: list[str] = []


class RoundProvider(Wire):
    """One provider in a sampling round (docs/design.md §12)."""
    provider_id: str
    provider_name: str
    provider_sampling_id: str | None = None
    claims: int
    emailed_to: list[str]
    emailed_at: str | None = None
    last_link_sent_at: str | None = None
    downloaded_at: str | None = None
    answered_claims: int
    open_claims: int
    answered_via: dict[str, int]
    completion_date: str | None = None
    days_left: int | None = None
    reminders: list[RoundReminder]


class ReasonCount(Wire):
    code: str
    label: str
    count: int


class RoundSummary(Wire):
    id: Id
    file_name: str | None = None
    generated: bool = False
    confirmed_at: str | None = None
    confirmed_by: str | None = None
    claim_count: int
    provider_count: int = 0
    answered_claims: int = 0
    open_claims: int = 0
    completion_date: str | None = None
    days_left: int | None = None


class RoundList(SizedPage[RoundSummary]):
    pass


class RoundDetail(RoundSummary):
    providers: list[RoundProvider]
    reasons: list[ReasonCount]


class Reminded(Wire):
    provider_id: str
    sent_to: list[str] = []
    due_on: str | None = None


UPLOAD_SAMPLE, REVIEW_SAMPLE, CONFIRM_SAMPLE, CANCEL_SAMPLE = upload_endpoints("/internal/v1/sampling/uploads")
GENERATE_SAMPLE = Endpoint("POST", "/internal/v1/sampling/generate", Generated, GenerateIn, status=201)
SAMPLE_CSV = Endpoint("GET", "/internal/v1/sampling/uploads/{upload_id}/sample.csv")  # the proposed sample (CSV)
#: The upload: one ``file``, or several ``file`` parts held as one upload (each checked on its own, errors
#: naming their ``file``); a provider user's upload sends ``PROVIDERS_HEADER`` (docs/design.md §12).
(UPLOAD_RESPONSE, REVIEW_RESPONSE, CONFIRM_RESPONSE,
 CANCEL_RESPONSE) = upload_endpoints("/internal/v1/sampling/responses")
#: One accredited provider's part of a provider response upload (the CSV as uploaded; 404 unknown).
RESPONSE_FILE = Endpoint("GET", "/internal/v1/sampling/response-files/{file_id}")
WAITING_CLAIMS = Endpoint("GET", "/internal/v1/sampling/claims", WaitingClaimList)
SUMMARY = Endpoint("GET", "/internal/v1/sampling/summary", Summary)
APPROVE_CLAIM = Endpoint("POST", "/internal/v1/claims/{reference}/sampling/approve", Accepted, DecisionIn, status=202)
REJECT_CLAIM = Endpoint("POST", "/internal/v1/claims/{reference}/sampling/reject", Accepted, DecisionIn, status=202)
# ?upload_id= names the round whose link to send again (the provider's latest when absent).
RESEND_LINK = Endpoint("POST", "/internal/v1/providers/{provider_id}/sampling/resend", Accepted, status=202)
REMIND_PROVIDER = Endpoint("POST", "/internal/v1/providers/{provider_id}/sampling/remind", Reminded, status=202)
ROUNDS = Endpoint("GET", "/internal/v1/sampling/rounds", RoundList)
ROUND = Endpoint("GET", "/internal/v1/sampling/rounds/{round_id}", RoundDetail)
DOWNLOAD_LINK = Endpoint("GET", "/internal/v1/links/{token}")  # the file, or 404/410
LINK_STATUS = Endpoint("GET", "/internal/v1/links/{token}/status", LinkStatus)  # does not spend the link

ENDPOINTS = endpoints(globals())
