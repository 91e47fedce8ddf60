"""The claims service's internal API: organisations, claims, the activity log.

School and MAT users' calls are scoped by the service from the ``X-Actor-School`` /
``X-Actor-Trust`` headers (another school's claim is "not found").
"""
from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from .base import Amount, Body, Endpoint, Id, Page, SizedPage, Timestamp, Wire, endpoints

#: The acting person's name, percent-encoded (UTF-8): claims keeps it as who submitted a claim
#: (``ClaimSubmitted.submitted_by_name``, which the generated sample compares with the mentors' names).
NAME_HEADER = "x-actor-name"


# ------------------------------------------------------------------ request bodies
class ProviderIn(Body):
    name: str = ""
    code: str = ""
    email_addresses: list[str] = []


class WindowIn(Body):
    starts_on: date
    ends_on: date
    academic_year: str


class MentorIn(Body):
    trn: str
    full_name: str
    hours: int = Field(strict=True)


class ClaimIn(Body):
    school_urn: str
    provider_id: str
    mentors: list[MentorIn]


class AssignIn(Body):
    user_email: str | None = None


class DraftMentorIn(Body):
    trn: str = Field(max_length=20)
    full_name: str = Field(max_length=300)
    hours: int | None = Field(default=None, strict=True)  # a draft's mentor may not have hours yet


class DraftIn(Body):
    """A school's (or trust's, or support's for a school) new draft claim (docs/design.md §11)."""
    school_urn: str = Field(max_length=20)
    provider_id: str = Field(max_length=100)
    mentors: list[DraftMentorIn] = Field(default_factory=list, max_length=100)


class DraftPatch(Body):
    """What changes on a draft: its provider, its mentors (all of them), or both."""
    provider_id: str | None = Field(default=None, max_length=100)
    mentors: list[DraftMentorIn] | None = Field(default=None, max_length=100)


class SubmitIn(Body):
    declaration: bool = False


class ReasonIn(Body):
    reason: str = Field(default="", max_length=5000)


class ProviderChoice(Body):
    provider_id: str = Field(max_length=100)


# ------------------------------------------------------------------ responses
class ImportResult(Wire):
    created: int
    updated: int


class Provider(Wire):
    id: Id
    name: str
    code: str
    email_addresses: list[str] = []


class ProviderList(Page[Provider]):
    pass


class ClaimWindow(Wire):
    id: Id
    starts_on: date
    ends_on: date
    academic_year: str


class ClaimWindowList(Page[ClaimWindow]):
    pass


class ClaimWindowState(ClaimWindow):
    """One claim window, and whether it is open today or has not opened yet (only those can be deleted)."""
    current: bool
    future: bool


class GiasUploaded(Wire):
    """A GIAS extract read and kept pending: how many schools it would add, change and close."""
    upload_id: Id
    new: int
    changed: int
    closed: int


class GiasFinished(GiasUploaded):
    status: str  # confirmed or cancelled


class GiasUpload(GiasUploaded):
    status: str  # pending, confirmed or cancelled
    file_name: str
    links_file_name: str | None = None
    row_count: int
    created_by: str | None = None
    created_at: Timestamp
    confirmed_at: Timestamp | None = None


class School(Wire):
    urn: str
    name: str
    postcode: str | None = None
    local_authority: str | None = None
    type_of_establishment: str | None = None
    phase_of_education: str | None = None
    urban_rural: str | None = None
    region: str | None = None
    district_code: str | None = None
    trust_id: str | None = None
    trust_name: str | None = None
    establishment_status: str
    closed_on: date | None = None
    successor_urn: str | None = None


class SchoolList(SizedPage[School]):
    pass


class Successor(Wire):
    urn: str
    name: str | None = None


class SchoolDetail(School):
    successor: Successor | None = None


class SchoolRef(Wire):
    urn: str
    name: str


class ProviderRef(Wire):
    id: Id
    name: str


class ClaimSummary(Wire):
    reference: str
    status: str
    status_label: str
    amount: Amount | None
    school: SchoolRef
    provider: ProviderRef
    claim_window_id: Id
    academic_year: str | None = None
    submitted_at: Timestamp | None = None
    assigned_to: str | None = None


class ClaimList(SizedPage[ClaimSummary]):
    pass


class ClaimRow(Wire):
    """A claim as another service's list shows it, from that service's own copy of the claim."""
    reference: str
    status: str
    status_label: str
    school: dict[str, Any]
    provider: dict[str, Any]
    amount: Amount | None = None


class ClaimReferences(Wire):
    """Only the references of the matching claims, in reference order."""
    references: list[str]
    total: int


class Mentor(Wire):
    trn: str
    full_name: str
    hours: int | None = None  # a draft's mentor may not have hours yet
    assured: bool | None = None
    not_assured_reason: str | None = None
    hours_clawed_back: int | None = None
    hours_confirmed: int | None = None  # the hours the provider confirmed (docs/design.md §12)


class Activity(Wire):
    id: Any
    occurred_at: Timestamp
    title: str
    actor: str | None = None
    claim_references: list[str] = []
    files: Any = None


class ActivityList(SizedPage[Activity]):
    pass


class StatusChange(Wire):
    from_status: str | None = None
    to_status: str
    to_status_label: str
    caused_by: str | None = None
    actor: str | None = None
    reason: str | None = None
    changed_at: Timestamp


class ClaimDetail(ClaimSummary):
    sample_reason: str | None = None
    provider_comment: str | None = None
    clawback_amount: Amount | None = None
    mentors: list[Mentor]
    activity: list[Activity] = []
    history: list[StatusChange] = []


class DraftCreated(Wire):
    reference: str
    status: str


class MentorAllowance(Wire):
    """Hours a mentor has left with a provider in an academic year (``kind``: which limit applies)."""
    trn: str
    full_name: str = ""
    kind: str
    limit: int
    used: int
    remaining: int


class Allowances(Wire):
    academic_year: str
    claim_window_id: Id
    mentors: list[MentorAllowance]


class SchoolOrganisation(School):
    """The school as DfE holds it, with its region's hourly rate (what the school's home shows)."""
    hourly_rate: Amount


class SchoolPage(Wire):
    """What one school page needs in one call: the school, and as asked its claim, the allowances of the
    claim's mentors with its provider, the providers, the claim windows (absent when not asked)."""
    school: SchoolOrganisation
    claim: ClaimDetail | None = None
    allowances: Allowances | None = None
    providers: list[Provider] | None = None
    windows: list[ClaimWindowState] | None = None


class TrustSchool(Wire):
    urn: str
    name: str
    region: str | None = None
    hourly_rate: Amount


class TrustSchools(Wire):
    items: list[TrustSchool]


# ------------------------------------------------------------------ the calls
IMPORT_SCHOOLS = Endpoint("POST", "/internal/v1/schools/import", ImportResult)  # multipart: file
ADD_PROVIDER = Endpoint("POST", "/internal/v1/providers", Provider, ProviderIn, status=201)
LIST_PROVIDERS = Endpoint("GET", "/internal/v1/providers", ProviderList)
ADD_CLAIM_WINDOW = Endpoint("POST", "/internal/v1/claim-windows", ClaimWindow, WindowIn, status=201)
LIST_CLAIM_WINDOWS = Endpoint("GET", "/internal/v1/claim-windows", ClaimWindowList)
UPLOAD_GIAS = Endpoint("POST", "/internal/v1/schools/gias", GiasUploaded, status=201)  # multipart: file, links
GIAS_UPLOAD = Endpoint("GET", "/internal/v1/schools/gias/{upload_id}", GiasUpload)
CONFIRM_GIAS = Endpoint("POST", "/internal/v1/schools/gias/{upload_id}/confirm", GiasFinished)
CANCEL_GIAS = Endpoint("POST", "/internal/v1/schools/gias/{upload_id}/cancel", GiasFinished)
SEARCH_SCHOOLS = Endpoint("GET", "/internal/v1/schools", SchoolList)
GET_SCHOOL = Endpoint("GET", "/internal/v1/schools/{urn}", SchoolDetail)
GET_PROVIDER = Endpoint("GET", "/internal/v1/providers/{provider_id}", Provider)
EDIT_PROVIDER = Endpoint("PATCH", "/internal/v1/providers/{provider_id}", Provider, ProviderIn)
GET_CLAIM_WINDOW = Endpoint("GET", "/internal/v1/claim-windows/{window_id}", ClaimWindowState)
EDIT_CLAIM_WINDOW = Endpoint("PATCH", "/internal/v1/claim-windows/{window_id}", ClaimWindowState, WindowIn)
DELETE_CLAIM_WINDOW = Endpoint("DELETE", "/internal/v1/claim-windows/{window_id}", status=204)
SUBMIT_CLAIM = Endpoint("POST", "/internal/v1/claims", ClaimDetail, ClaimIn, status=201)
SEARCH_CLAIMS = Endpoint("GET", "/internal/v1/claims", ClaimList)
DOWNLOAD_CLAIMS = Endpoint("GET", "/internal/v1/claims.csv")  # text/csv, streamed
CLAIM_REFERENCES = Endpoint("GET", "/internal/v1/claims/references", ClaimReferences)
GET_CLAIM = Endpoint("GET", "/internal/v1/claims/{reference}", ClaimDetail)
ASSIGN_CLAIM = Endpoint("POST", "/internal/v1/claims/{reference}/assign", ClaimDetail, AssignIn)
ACTIVITY = Endpoint("GET", "/internal/v1/activity", ActivityList)
# schools and trusts claim in the browser (docs/design.md §11)
CREATE_DRAFT = Endpoint("POST", "/internal/v1/claims/drafts", DraftCreated, DraftIn, status=201)
UPDATE_DRAFT = Endpoint("PATCH", "/internal/v1/claims/{reference}", ClaimDetail, DraftPatch)
#: The same change of a draft, answered without reading the claim back (the school pages show it again
#: after their redirect, with the rest of the page, in one call: SCHOOL_PAGE).
CHANGE_DRAFT = Endpoint("PATCH", "/internal/v1/claims/{reference}/draft", None, DraftPatch, status=204)
DELETE_DRAFT = Endpoint("DELETE", "/internal/v1/claims/{reference}", status=204)
SUBMIT_DRAFT = Endpoint("POST", "/internal/v1/claims/{reference}/submit", ClaimDetail, SubmitIn)
MARK_INVALID_PROVIDER = Endpoint("POST", "/internal/v1/claims/{reference}/invalid-provider", ClaimDetail, ReasonIn)
CHANGE_PROVIDER = Endpoint("POST", "/internal/v1/claims/{reference}/provider", ClaimDetail, ProviderChoice)
ALLOWANCES = Endpoint("GET", "/internal/v1/schools/{urn}/allowances", Allowances)
SCHOOL_ORGANISATION = Endpoint("GET", "/internal/v1/schools/{urn}/organisation", SchoolOrganisation)
#: query: claim (a reference), allowances, providers, windows (true to have them)
SCHOOL_PAGE = Endpoint("GET", "/internal/v1/schools/{urn}/page", SchoolPage)
TRUST_SCHOOLS = Endpoint("GET", "/internal/v1/trusts/{trust_id}/schools", TrustSchools)

ENDPOINTS = endpoints(globals())
