"""HTTP plumbing of the ECF internal API: the two error shapes (finance users' ``{"errors":
[{"message", "field"}]}`` and lead providers' JSON:API ``{"errors": [{"title", "detail"}]}``), the
request bodies (strict: an unknown member is an error naming it; amounts are exact, in pounds and
pence) and query parameter parsing."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Type, TypeVar

from fastapi import Header, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from shared.contracts import Actor, NotFound, Refused
from shared.contracts.identifiers import is_ascii_digits
from shared.contracts.money import MoneyRefused, parse_money
from shared.contracts.roles import FINANCE

from . import jsonapi
from .handlers import Refusals
from .rows import as_uuid
from shared.platform.service import error_item

M = TypeVar("M", bound=BaseModel)
MAX_PER_PAGE = 3000  # as the ECF API v3
DEFAULT_PER_PAGE = 100


# ------------------------------------------------------------------ error shapes per audience
class _RefusalRoute(APIRoute):
    """A route that answers a refusal in its audience's error shape (``refusal``); anything else
    goes on up."""

    def refusal(self, exc: Exception) -> Response | None:
        raise NotImplementedError

    def get_route_handler(self) -> Callable:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await inner(request)
            except Exception as exc:
                answer = self.refusal(exc)
                if answer is None:
                    raise
                return answer

        return handler


class FinanceRoute(_RefusalRoute):
    """Refusals as the gateway's ``{"errors": [{"message", "field"}]}``: 404 not found, 422 refused."""

    def refusal(self, exc: Exception) -> Response | None:
        if not isinstance(exc, Refused):
            return None
        errors = getattr(exc, "errors", None) or [exc]
        return JSONResponse({"errors": [error_item(e) for e in errors]},
                            status_code=404 if isinstance(exc, NotFound) else 422)


class LeadProviderRoute(_RefusalRoute):
    """Refusals as JSON:API errors: 404 "Resource not found", 422 with every reason."""

    def refusal(self, exc: Exception) -> Response | None:
        if isinstance(exc, Unauthorised):
            return JSONResponse(jsonapi.error("Unauthorized", "HTTP Token: Access denied"), status_code=401)
        if isinstance(exc, NotFound):
            return JSONResponse(jsonapi.error("Resource not found", "Nothing could be found for your query"),
                                status_code=404)
        if isinstance(exc, BadRequest):
            return JSONResponse(jsonapi.error(exc.title, exc.detail), status_code=400)
        if isinstance(exc, Refused):
            return JSONResponse(jsonapi.errors_document(getattr(exc, "errors", None) or [exc]), status_code=422)
        return None


class Unauthorised(Exception):
    """No lead provider (the gateway passes ``X-Lead-Provider-Id`` after checking the token)."""


class BadRequest(Exception):
    def __init__(self, title: str, detail: str) -> None:
        super().__init__(detail)
        self.title, self.detail = title, detail


# ------------------------------------------------------------------ request bodies
class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _two_places(value: Any, info: ValidationInfo) -> Decimal | None:
    """Every amount through the one money parser (``shared.contracts.money.parse_money``)."""
    return None if value is None else parse_money(value, field=info.field_name or "amount")


class LeadProviderEmailIn(_In):
    email: str | None = None


class MilestoneIn(_In):
    declaration_type: str
    start_date: date
    milestone_date: date | None = None


class ScheduleIn(_In):
    identifier: str
    cohort: int
    milestones: list[MilestoneIn]


class BandIn(_In):
    name: str
    min: int
    max: int
    per_participant: Decimal | None = None
    output_fee_percent: Decimal | None = None
    _places = field_validator("per_participant", mode="before")(_two_places)


class ContractIn(_In):
    lead_provider_id: str
    cohort: int
    recruitment_target: int
    set_up_fee: Decimal = Decimal(0)
    uplift_amount: Decimal = Decimal(100)
    vat_chargeable: bool = False
    monthly_service_fee: Decimal | None = None
    service_fee_months: int = 29
    bands: list[BandIn]
    contract_type: str = "ecf"
    mentor_fee_per_declaration: Decimal | None = None
    _places = field_validator("set_up_fee", "uplift_amount", "monthly_service_fee", "mentor_fee_per_declaration",
                              mode="before")(_two_places)


class StatementIn(_In):
    lead_provider_id: str
    cohort: int
    name: str
    deadline_date: date
    payment_date: date
    output_fee: bool = True


class ParticipantIn(_In):
    lead_provider_id: str
    cohort: int
    schedule: str
    trn: str
    full_name: str
    course_identifier: str = "ecf-induction"
    pupil_premium_uplift: bool = False
    sparsity_uplift: bool = False
    funding_eligible: bool = True
    date_of_birth: date | None = None
    #: Sent as null for an early career teacher: they go into a temporary cohort (docs/design.md §15) until
    #: it is recorded. Not sent: the cohort is taken as confirmed (Part one).
    induction_start_date: date | None = None


class RetireIn(_In):
    into_participant_id: str | None = None
    into: str | None = None


class InductionStartIn(_In):
    induction_start_date: date
    cohort: int | None = None


class FreezeIn(_In):
    move_to_cohort: int | None = None


class NoteIn(_In):
    text: str


class CapacityIn(_In):
    max: int


class AuthoriseIn(_In):
    assurance_checks_done: bool = False


class AdjustmentIn(_In):
    payment_type: str
    amount: Decimal
    _places = field_validator("amount", mode="before")(_two_places)


async def read_body(request: Request) -> Any:
    """The JSON body with exact decimals (a number like 995.10 never becomes a float)."""
    raw = await request.body()
    try:
        return json.loads(raw or b"null", parse_float=Decimal)
    except ValueError:
        raise Refused("Send a JSON object", field="body") from None


def parse(model: Type[M], data: Any) -> M:
    """Validate a body; every problem becomes an error naming its field ("bands.0.per_participant")."""
    if not isinstance(data, dict):
        raise Refused("Send a JSON object", field="body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            where = ".".join(str(part) for part in e["loc"])
            words = next((str(p) for p in reversed(e["loc"]) if isinstance(p, str)), "value").replace("_", " ")
            if e["type"] == "missing":
                message = f"Enter the {words}"
            elif e["type"] == "extra_forbidden":
                message = f"‘{where}’ is not something this request takes"
            elif isinstance(refused := (e.get("ctx") or {}).get("error"), MoneyRefused):
                message = refused.message
            else:
                message = f"Enter a valid {words}"
            errors.append(Refused(message, field=where))
        raise Refusals(errors) from None


def actor_of(x_actor_email: str | None = Header(default=None), x_actor_role: str | None = Header(default=None)) -> Actor | None:
    return Actor(email=x_actor_email, role=x_actor_role or FINANCE) if x_actor_email else None


def page_number(value: str | None, name: str, default: int, maximum: int | None = None) -> int:
    if value is None or value == "":
        return default
    if not is_ascii_digits(value) or int(value) < 1:
        raise BadRequest("Bad parameter", f"The '#/page[{name}]' must be a whole number of 1 or more.")
    return min(int(value), maximum) if maximum else int(value)



# ------------------------------------------------------------------ small helpers
def uuid_or_none(value: str | None) -> str | None:
    return as_uuid(value)


def cohort_filter(value: str | None) -> int | None:
    if not value:
        return None
    if not is_ascii_digits(value.strip()):
        raise BadRequest("Bad parameter", "The '#/filter[cohort]' must be a year, like 2026.")
    return int(value)


def updated_since_filter(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise BadRequest("Bad parameter", "The filter '#/updated_since' must be a valid RFC 3339 date.")
    return at


def slug(name: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split()) or "statement"


def csv_response(content: bytes, file_name: str) -> Response:
    return Response(content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file_name}"'})


def contract_document(c) -> dict[str, Any]:
    return {
        "id": c.id, "lead_provider_id": c.lead_provider_id, "cohort": c.cohort,
        "recruitment_target": c.recruitment_target, "set_up_fee": str(c.set_up_fee),
        "uplift_amount": str(c.uplift_amount), "vat_chargeable": c.vat_chargeable,
        "monthly_service_fee": str(c.monthly_service_fee), "service_fee_months": c.service_fee_months,
        "service_fee_total": str(c.service_fee_total),
        "contract_type": c.contract_type,
        "mentor_fee_per_declaration": None if c.mentor_fee_per_declaration is None
        else str(c.mentor_fee_per_declaration),
        "bands": [{"name": b.name, "first_participant": b.first, "last_participant": b.last, "per_participant": str(b.per_participant),
                   "capacity": b.capacity, "output_fee_percent": format((b.output_share * 100).normalize(), "f"),
                   "service_fee_per_participant": str(b.service_fee_per_participant),
                   "output_fee_per_participant": str(b.per_participant * b.output_share)} for b in c.bands],
    }
