"""Request and response shapes of the public JSON API (what the OpenAPI document publishes).

Responses allow extra fields: the owning service may add information without breaking the
gateway, and clients must ignore what they do not know.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Where the public shape is the internal one field for field, the API publishes the internal model.
from shared.contracts.http.claims import Activity, ProviderRef, SchoolRef


def no_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters; refuse them here rather than fail downstream."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Remove the invalid characters")
    if isinstance(value, (list, tuple)):
        for item in value:
            no_nul(item)
    return value


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return no_nul(value)


# ------------------------------------------------------------------------------------ errors
class ErrorItem(BaseModel):
    message: str = Field(description="What went wrong, in words a person can act on")
    row: int | None = Field(default=None, description="The spreadsheet row where it applies: the header is row 1, "
                                                     "so the first data row is row 2")
    field: str | None = Field(default=None, description="Field or CSV column where it applies")
    file: str | None = Field(default=None, description="The uploaded file it is in, when several files were "
                                                       "uploaded together")


class Errors(BaseModel):
    errors: list[ErrorItem]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {400: "Bad request", 401: "Not signed in (missing, wrong or expired token)",
                    403: "Your role may not do this", 404: "Not found (or not yours)",
                    409: "Conflicts with the current state", 410: "Gone",
                    422: "Refused: every error is listed", 429: "Too many attempts",
                    503: "A service the gateway needs is unavailable"}
    return {s: {"model": Errors, "description": descriptions[s]} for s in statuses}


# -------------------------------------------------------------------------------------- auth
class TokenRequest(Closed):
    email: str = Field(max_length=320, examples=["support@example.com"])
    password: str = Field(max_length=1024)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")


# ------------------------------------------------------------------------------ organisations
class ImportResult(Open):
    created: int
    updated: int


class ProviderIn(Closed):
    name: str = Field(max_length=200)
    code: str = Field(max_length=50)
    email_addresses: list[str] = Field(default_factory=list, max_length=50)


class Provider(Open):
    id: str
    name: str
    code: str
    email_addresses: list[str] = []


class ClaimWindowIn(Closed):
    starts_on: date
    ends_on: date
    academic_year: str = Field(max_length=9, examples=["2026/27"])


class ClaimWindow(Open):
    id: str
    starts_on: date
    ends_on: date
    academic_year: str


class Page(Open):
    total: int
    page: int


class ProviderList(Page):
    items: list[Provider]


class ClaimWindowList(Page):
    items: list[ClaimWindow]


# ------------------------------------------------------------------------------------- claims
class MentorIn(Closed):
    trn: str = Field(max_length=20, description="Teacher reference number, 7 digits")
    full_name: str = Field(max_length=200)
    hours: int = Field(strict=True, ge=-(2**31), le=2**31 - 1)


class ClaimIn(Closed):
    school_urn: str = Field(max_length=20)
    provider_id: str = Field(max_length=100)
    mentors: list[MentorIn] = Field(max_length=200)


class ClaimSummary(Open):
    reference: str
    status: str
    status_label: str
    amount: str | None = Field(description='Amount in pounds with two decimals, e.g. "1072.00"')
    school: SchoolRef
    provider: ProviderRef
    claim_window_id: str
    academic_year: str | None = None
    submitted_at: str | None = None
    assigned_to: str | None = None


class ClaimList(Page):
    items: list[ClaimSummary]
    per_page: int | None = None


class Mentor(Open):
    trn: str
    full_name: str
    hours: int | None = None
    assured: bool | None = None
    not_assured_reason: str | None = None
    hours_clawed_back: int | None = None


class ActivityList(Page):
    items: list[Activity]


class ClaimDetail(ClaimSummary):
    sample_reason: str | None = None
    provider_comment: str | None = None
    clawback_amount: str | None = None
    mentors: list[Mentor]
    activity: list[Activity] = []
    history: list[dict[str, Any]] = []


class AssignIn(Closed):
    user_email: str | None = Field(default=None, max_length=320,
                                   description="A support user's email address; null to unassign")


# ------------------------------------------------------------------------------ notifications
class Notification(Open):
    pass


class NotificationList(Page):
    items: list[Notification]
