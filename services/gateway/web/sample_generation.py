"""Generate a sample (docs/design.md §13) in the Sampling section: the parameters (seed prefilled at random
and shown), the coverage report with a chart per stratum, the proposed sample as a CSV, "Change the
parameters", and "Use this sample", which goes to the sampling upload's own review and confirm."""
from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..api.sample_generation import check_generation
from ..auth import verify_csrf
from ..clients import Downstream, GatewayError, as_sent
from ..context import Gateway, gateway
from ..users import User
from .common import SUPPORT, form_text, render, see_other

router = APIRouter(include_in_schema=False)
BASE = "/claims/sampling/generate"
FIELDS = ("method", "claim_window_id", "seed", "threshold", "random_percent", "coverage_percent",
          "tolerable_misstatement", "confidence", "extend")
DEFAULTS = {"method": "dfe", "threshold": "5000.00", "random_percent": "20", "coverage_percent": "10",
            "tolerable_misstatement": "50000.00", "confidence": "95"}
CHART_WIDTH = 400


def _valid_id(upload_id: str) -> bool:
    return 0 < len(upload_id) <= 100 and all(c.isalnum() or c in "-_" for c in upload_id)


async def _windows(gw: Gateway, user: User) -> list[dict[str, Any]]:
    return as_sent(await gw.services.claims.list_claim_windows(user=user))["items"]


def _form_page(request: Request, values: dict[str, str], windows: list[dict[str, Any]], *,
               errors: list[dict[str, Any]] | None = None, status_code: int = 200):
    by_field = {e.get("field"): e["message"] for e in errors or []}
    title = "Extend the sample" if values.get("extend") == "true" else "Generate a sample"
    return render(request, "sample_generation/form.html", {
        "title": title, "section": "claims", "subsection": "sampling", "values": values, "windows": windows,
        "errors": [{"text": e["message"], "href": f"#{e.get('field') or 'claim_window_id'}"} for e in errors or []],
        "field_errors": by_field}, status_code=status_code)


@router.get(BASE)
async def form(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    windows = await _windows(gw, user)
    values = {**DEFAULTS, "seed": str(secrets.randbelow(10**9))}
    current = next((w["id"] for w in windows if w.get("current")), windows[0]["id"] if windows else "")
    values["claim_window_id"] = current
    for key in FIELDS:  # "Change the parameters" comes back with the last ones
        if (given := request.query_params.get(key)) is not None:
            values[key] = given[:100]
    return _form_page(request, values, windows)


@router.post(BASE, dependencies=[Depends(verify_csrf)])
async def generate(request: Request, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    submitted = await request.form()
    values = {key: form_text(submitted, key, 100) for key in FIELDS}
    method = values["method"] or "dfe"
    raw: dict[str, Any] = {"method": method, "claim_window_id": values["claim_window_id"], "seed": values["seed"],
                           "extend": values["extend"] == "true"}
    keys = ("threshold", "random_percent", "coverage_percent") if method == "dfe" else (
        "tolerable_misstatement", "confidence")
    raw.update({key: values[key] for key in keys})
    try:
        created = await gw.services.sampling.generate(check_generation(raw), user=user)
    except GatewayError as exc:
        if exc.status != 422:
            raise
        return _form_page(request, values, await _windows(gw, user), errors=exc.errors, status_code=422)
    return see_other(f"{BASE}/{created.upload_id}")


def chart(strata: list[dict[str, Any]], target: str | None) -> dict[str, Any]:
    """The bar chart's geometry: one bar per stratum, its length the percentage of value sampled."""
    bars = []
    for i, s in enumerate(strata):
        percent = min(Decimal(s["percent"]), Decimal(100))
        bars.append({"y": 10 + i * 34, "width": int(percent * CHART_WIDTH / 100), "label": s["stratum"],
                     "percent": s["percent"]})
    line = int(Decimal(target) * CHART_WIDTH / 100) if target else None
    return {"bars": bars, "height": 20 + len(strata) * 34, "width": CHART_WIDTH, "target_x": line}


@router.get(BASE + "/{upload_id}")
async def report(request: Request, upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if not _valid_id(upload_id):
        raise Downstream(404, [{"message": "There is no such upload"}])
    upload = as_sent(await gw.services.sampling.samples.review(upload_id, user=user))
    generation = upload.get("generation")
    if not generation:
        raise Downstream(404, [{"message": "There is no such generated sample"}])
    params = generation["parameters"]
    change = {k: str(v) for k, v in params.items()} | {
        "seed": str(generation["seed"]), "claim_window_id": generation.get("claim_window_id") or "",
        "extend": "true" if generation.get("extend") else ""}
    return render(request, "sample_generation/report.html", {
        "title": "Coverage of the proposed sample", "section": "claims", "subsection": "sampling", "upload": upload,
        "generation": generation, "params": params, "evaluation": upload.get("evaluation"),
        "chart": chart(generation["strata"], params.get("coverage_percent")),
        "change_href": f"{BASE}?{urlencode(change)}"})


@router.get(BASE + "/{upload_id}/sample.csv")
async def sample_csv(upload_id: str, user: User = Depends(SUPPORT), gw: Gateway = Depends(gateway)):
    if not _valid_id(upload_id):
        raise Downstream(404, [{"message": "There is no such upload"}])
    response = await gw.services.sampling.sample_csv(upload_id, user=user)
    return Response(response.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="proposed-sample.csv"'})
