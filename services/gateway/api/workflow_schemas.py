"""Shapes of the workflow API (sampling, payments, clawbacks, ECF finance and lead providers) as the
OpenAPI document publishes them. Responses allow extra fields (services may add information);
request bodies the gateway validates itself forbid unknown members."""
from __future__ import annotations

from copy import deepcopy
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Where the public shape is the internal one field for field, the API publishes the internal model.
from shared.contracts.http.payments import (  # noqa: F401
    ClawbackAssessment, ClawbackRequested, ClawbacksSent, PaymentBatch, ReadyWindow,
)
from shared.contracts.http.sampling import Reminded, WaitingClaim  # noqa: F401
from shared.contracts.money import MONEY_PATTERN

from .schemas import Closed, Open, Page


# ------------------------------------------------------------------ uploads (every CSV workflow)
class UploadCreated(Open):
    upload_id: str = Field(description="Give it to /confirm or /cancel")
    claim_count: int = Field(description="Claims the file changes once confirmed")


class UploadReview(Open):
    upload_id: str
    status: str = Field(description="pending, confirmed or cancelled")
    claim_count: int
    file_name: str | None = None
    warning: str | None = Field(default=None, description="What confirming will do (sampling uploads)")


class Accepted(Open):
    """A command was accepted; claim statuses follow within seconds (events)."""


# ------------------------------------------------------------------ sampling
class SamplingDecisionIn(Closed):
    reason: str = Field(default="", max_length=5000, description="Why the claim is rejected (required to reject)")
    reason_code: str | None = Field(default=None, max_length=64,
                                    description="A structured reason (GET /api/v1/reasons); `reason` is then its details")


class WaitingClaimList(Page):
    items: list[WaitingClaim]


class RoundReminder(Open):
    sent_at: str
    due_on: str = Field(description="The day the reminder was due (a bank holiday moves it to the next working day)")
    sent_by: str = Field(description="schedule, or the support user who pressed Send reminder")
    claim_count: int = Field(description="Claims waiting for the provider's answer when it was sent")
    sent_to: list[str] = []


class RoundProvider(Open):
    provider_id: str
    provider_name: str
    claims: int = Field(description="The provider's claims in the round")
    emailed_to: list[str] = Field(description="Addresses its download links were sent to")
    emailed_at: str | None = None
    last_link_sent_at: str | None = None
    downloaded_at: str | None = Field(default=None, description="When a link was first used (null: not downloaded)")
    answered_claims: int
    open_claims: int
    answered_via: dict[str, int] = Field(description="Answered claims by how: csv, account, support")
    completion_date: str | None = None
    days_left: int | None = Field(default=None, description="Days until the completion date (negative: overdue)")
    reminders: list[RoundReminder]


class ReasonCount(Open):
    code: str
    label: str
    count: int = Field(description="Mentors not assured for this reason in the round")


class RoundSummary(Open):
    id: str = Field(description="The round's id: the sample upload's")
    file_name: str | None = None
    generated: bool = False
    confirmed_at: str | None = None
    confirmed_by: str | None = None
    claim_count: int
    provider_count: int = 0
    answered_claims: int = 0
    open_claims: int = 0


class RoundList(Page):
    items: list[RoundSummary]


class RoundDetail(RoundSummary):
    providers: list[RoundProvider]
    reasons: list[ReasonCount]


# ------------------------------------------------------------------ payments
class SendToPayerIn(Closed):
    claim_window_id: str = Field(max_length=100)


class PaymentSent(Open):
    payment_id: str
    claim_count: int
    total_amount: str | None = None
    claims_still_arriving: int = Field(default=0, description=(
        "Claims shown as submitted in the window when the request was made that had not yet reached "
        "payments, so were not sent (send again in a minute)"))


class PaymentBatchList(Page):
    items: list[PaymentBatch]


class ReadyWindowList(Page):
    items: list[ReadyWindow]


class PaymentClaimList(Page):
    items: list[dict[str, Any]]


class PaymentRejectIn(Closed):
    reason: str = Field(default="", max_length=5000)


# ------------------------------------------------------------------ clawbacks
class MentorHoursWorked(Closed):
    trn: str = Field(max_length=20)
    hours_worked: int = Field(strict=True, ge=-(2**31), le=2**31 - 1,
                              description="Hours the mentor actually worked (0 to the hours claimed)")
    notes: str = Field(default="", max_length=5000)


class ClawbackIn(Closed):
    mentors: list[MentorHoursWorked] = Field(max_length=200)


class ClawbackRejectIn(Closed):
    reasons: dict[str, str] = Field(default_factory=dict, description="Reason per mentor TRN")
    reason_codes: dict[str, str] = Field(default_factory=dict,
                                         description="A structured reason code per mentor TRN (GET /api/v1/reasons); "
                                                     "the TRN's `reasons` entry is then its details")


class ClawbackView(Open):
    reference: str
    status: str
    mentors: list[dict[str, Any]]
    clawback: dict[str, Any] | None = None


class ClawbackList(Page):
    items: list[dict[str, Any]]


# ------------------------------------------------------------------ ECF finance (documentation of bodies
# that are forwarded byte for byte, so amounts keep their exact decimals)
class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MilestoneDoc(_Doc):
    declaration_type: str = Field(examples=["started"])
    start_date: date
    milestone_date: date | None = None


class ScheduleDoc(_Doc):
    identifier: str = Field(examples=["ecf-standard-september"])
    cohort: int = Field(examples=[2026])
    milestones: list[MilestoneDoc]


class BandDoc(_Doc):
    name: str = Field(examples=["A"])
    min: int
    max: int
    per_participant: str | None = Field(default=None, examples=["995.00"], pattern=MONEY_PATTERN)
    output_fee_percent: str | None = Field(default=None, examples=["60"], description="default 60 (band D 100)")


class ContractDoc(_Doc):
    lead_provider_id: str
    cohort: int
    recruitment_target: int
    set_up_fee: str = Field(default="0.00", pattern=MONEY_PATTERN)
    uplift_amount: str = Field(default="100.00", pattern=MONEY_PATTERN)
    vat_chargeable: bool = False
    monthly_service_fee: str | None = Field(default=None, pattern=MONEY_PATTERN)
    service_fee_months: int = 29
    bands: list[BandDoc]
    contract_type: str = Field(default="ecf", examples=["ecf", "ittecf_ectp"])
    mentor_fee_per_declaration: str | None = Field(default=None, pattern=MONEY_PATTERN,
                                                   description="ittecf_ectp only: a mentor's flat fee")


class StatementDoc(_Doc):
    lead_provider_id: str
    cohort: int
    name: str = Field(examples=["December 2026"])
    deadline_date: date
    payment_date: date
    output_fee: bool = True


class ParticipantDoc(_Doc):
    lead_provider_id: str
    cohort: int
    schedule: str = Field(examples=["ecf-standard-september"])
    trn: str
    full_name: str
    course_identifier: str = "ecf-induction"
    pupil_premium_uplift: bool = False
    sparsity_uplift: bool = False
    funding_eligible: bool = True
    date_of_birth: str | None = Field(default=None, examples=["1990-01-02"])
    induction_start_date: str | None = Field(default=None, examples=["2026-09-01"],
                                             description="null for an ECT without one: a temporary cohort")


class LeadProviderEmailDoc(_Doc):
    email: str | None = Field(default=None, examples=["contracts@lead-provider.example"],
                              description="Where the reminders before each output deadline go; blank or null removes it")


class AuthoriseDoc(_Doc):
    assurance_checks_done: bool = Field(description="Must be true: the assurance checks have been done")


class AdjustmentDoc(_Doc):
    payment_type: str
    amount: str = Field(pattern=MONEY_PATTERN, examples=["-250.00"])


class Created(Open):
    id: str


class Statement(Open):
    id: str
    state: str = Field(description="open, payable or paid")
    total: str | None = None


class StatementList(Page):
    items: list[Statement]


class DeclarationAttributesDoc(BaseModel):
    participant_id: str
    declaration_type: str = Field(examples=["started"])
    declaration_date: str = Field(examples=["2026-10-01T10:00:00Z"])
    course_identifier: str = Field(examples=["ecf-induction"])
    evidence_held: str | None = Field(default=None, examples=["training-event-attended"])


class DeclarationDataDoc(BaseModel):
    type: str = Field(default="participant-declaration", examples=["participant-declaration"])
    attributes: DeclarationAttributesDoc


class DeclarationDoc(BaseModel):
    data: DeclarationDataDoc


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its ``$defs`` inlined (for ``openapi_extra``, where a local
    ``#/$defs`` reference would not resolve)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node and node["$ref"].startswith("#/$defs/"):
                return resolve(deepcopy(defs[node["$ref"].split("/")[-1]]))
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


def json_body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON request body the route forwards unparsed."""
    return {"requestBody": {"required": required, "content": {"application/json": {"schema": inline_schema(model)}}}}
