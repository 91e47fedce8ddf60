"""The sampling service's internal API for accredited providers' own accounts (docs/design.md §12):
the provider's claims list (and its CSV), a claim's page, and an answer given in the service (by
the provider, or by support recording it by hand).

The gateway passes the provider user's providers in ``x-actor-providers`` (comma-separated ids,
from the user record, never from the client); the service scopes every query by them, and a claim
of another provider is not found."""
from __future__ import annotations

from pydantic import Field

from .base import Amount, Body, Endpoint, SizedPage, Wire, endpoints
from .uploads import Accepted

#: The header carrying a provider user's provider ids.
PROVIDERS_HEADER = "x-actor-providers"


class ProviderClaim(Wire):
    reference: str
    status: str
    status_label: str
    school: dict
    provider: dict
    academic_year: str = ""
    amount: Amount | None = None
    submitted_at: str | None = None
    audit_deadline: str | None = None
    days_left: int | None = None
    needs_action: bool = False


class ProviderClaimList(SizedPage[ProviderClaim]):
    schools: list[dict] = []
    academic_years: list[str] = []


class ProviderMentor(Wire):
    trn: str
    full_name: str
    hours: int
    assured: bool | None = None
    hours_confirmed: int | None = None
    reason: str | None = None


class ProviderClaimDetail(ProviderClaim):
    mentors: list[ProviderMentor] = []
    sample_reason: str | None = None
    provider_comment: str | None = None
    answer: dict | None = None


class MentorAnswerIn(Body):
    trn: str = Field(max_length=16)
    hours_confirmed: int | str | None = None
    reason_code: str = Field(default="", max_length=64)
    reason: str = Field(default="", max_length=2000)


class AssuranceIn(Body):
    """``{"assured": true}`` or ``{"assured": false, "mentors": [...]}`` (docs/design.md §9b)."""
    assured: bool | None = None
    mentors: list[MentorAnswerIn] = Field(default_factory=list, max_length=100)


PROVIDER_CLAIMS = Endpoint("GET", "/internal/v1/provider/claims", ProviderClaimList)
PROVIDER_CLAIMS_CSV = Endpoint("GET", "/internal/v1/provider/claims.csv")  # one row per mentor
PROVIDER_CLAIM = Endpoint("GET", "/internal/v1/provider/claims/{reference}", ProviderClaimDetail)
ASSURE_CLAIM = Endpoint("POST", "/internal/v1/claims/{reference}/assurance", Accepted, AssuranceIn, status=202)

ENDPOINTS = endpoints(globals())
