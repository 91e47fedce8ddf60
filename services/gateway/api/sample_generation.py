"""JSON API of the sample generated in the service (docs/design.md §13, §9b), support only.

- ``POST /api/v1/sampling/generate`` → 201 ``{"upload_id", "claim_count", "strata", "total", …}``: the
  sample is held as a pending sampling upload, confirmed with ``POST /api/v1/sampling/uploads/{id}/confirm``.
- ``GET /api/v1/sampling/uploads/{id}/sample.csv``: the proposed sample in the sampling file's format.

``check_generation`` reads the parameters in the Design System's words (the web page uses it too);
the sampling service applies the rules.
"""
from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import Response

from shared.contracts import roles
from shared.contracts.http.sampling import GenerateIn
from shared.contracts.identifiers import is_ascii_digits
from shared.contracts.money import MoneyRefused, parse_money

from ..auth import api_role
from ..checks import check_id
from ..clients import GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from .schemas import errors

SUPPORT = api_role(roles.SUPPORT)
router = APIRouter(prefix="/api/v1")

_KNOWN = {"method", "claim_window_id", "academic_year", "seed", "threshold", "random_percent", "coverage_percent",
          "extend", "tolerable_misstatement", "confidence"}
_PERCENT = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,2})?$")
_ID = re.compile(r"^[A-Za-z0-9_\- ]{1,64}$")
MAX_SEED = 2**63 - 1


def _percent(value: Any, field: str, words: str, found: list[dict[str, Any]]) -> Any:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if text is None or not _PERCENT.fullmatch(text) or float(text) > 100:
        found.append({"message": f"Enter the {words} as a number from 0 to 100", "field": field})
        return None
    return text


def check_generation(raw: Any) -> GenerateIn:
    """The internal body, or ``GatewayError`` 422 with every field's error."""
    if not isinstance(raw, dict):
        raise GatewayError.one(422, "Send the parameters as a JSON object")
    found: list[dict[str, Any]] = []
    for key in sorted(set(raw) - _KNOWN):
        found.append({"message": f"‘{key[:40]}’ is not a parameter of a generated sample", "field": key[:40]})
    body: dict[str, Any] = {"extend": False}
    method = raw.get("method", "dfe")
    if method not in ("dfe", "mus"):
        found.append({"message": "Select a sampling method: dfe or mus", "field": "method"})
    body["method"] = method
    window, year = raw.get("claim_window_id"), raw.get("academic_year")
    if isinstance(window, str) and _ID.fullmatch(window):
        body["claim_window_id"] = window
    elif isinstance(year, str) and _ID.fullmatch(year) and len(year) <= 16 and window in (None, ""):
        body["academic_year"] = year
    else:
        found.append({"message": "Select a claim window", "field": "claim_window_id"})
    seed = raw.get("seed")
    if isinstance(seed, str) and is_ascii_digits(seed.strip()) and len(seed.strip()) <= 19:
        seed = int(seed.strip())
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        found.append({"message": "Enter the seed as a whole number from 0 to 9223372036854775807", "field": "seed"})
    else:
        body["seed"] = seed
    extend = raw.get("extend", False)
    if not isinstance(extend, bool):
        found.append({"message": "Enter extend as true or false", "field": "extend"})
    body["extend"] = extend is True
    for field, label in (("threshold", "threshold"), ("tolerable_misstatement", "tolerable misstatement")):
        if field in raw:
            try:
                value = parse_money(raw[field], field=field, label=label)
                if value < 0 or (field == "tolerable_misstatement" and value == 0):
                    raise MoneyRefused(f"The {label} must be more than £0", field=field)
                body[field] = f"{value:.2f}"
            except MoneyRefused as refused:
                found.append({"message": str(refused), "field": field})
    for field, words in (("random_percent", "random share"), ("coverage_percent", "coverage target")):
        if field in raw and (value := _percent(raw[field], field, words, found)) is not None:
            body[field] = value
    if "confidence" in raw:
        if raw["confidence"] in (90, 95, "90", "95") and not isinstance(raw["confidence"], bool):
            body["confidence"] = int(raw["confidence"])
        else:
            found.append({"message": "Select a confidence of 90% or 95%", "field": "confidence"})
    if found:
        raise GatewayError(422, found)
    return GenerateIn.model_validate(body)


@router.post("/sampling/generate", status_code=201, tags=["sampling"],
             responses=errors(401, 403, 422, 503),
             summary="Generate a sample in the service (held pending like an uploaded sampling file)")
async def generate(raw: Any = Body(default=None), user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    return as_sent(await gw.services.sampling.generate(check_generation(raw), user=user))


@router.get("/sampling/uploads/{upload_id}/sample.csv", tags=["sampling"], response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "CSV file"}, **errors(401, 403, 404, 503)},
            summary="Download a generated sample in the sampling file's format")
async def sample_csv(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    response = await gw.services.sampling.sample_csv(check_id(upload_id), user=user)
    return Response(response.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="generated-sample.csv"'})
