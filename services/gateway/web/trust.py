"""The trust overview (docs/design.md §11): every school's claims in a multi-academy trust, with totals per
school and for the trust, filters (school, claim window, status) and a CSV download (cells made safe
against spreadsheet formulas by the one CSV writer)."""
from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from shared.contracts import roles
from shared.contracts.claim_status import SCHOOL_LABELS, school_label
from shared.csvfiles.writing import write_csv

from ..auth import page_role
from ..clients import as_sent
from ..context import Gateway, gateway
from ..users import User
from .common import render
from .school_common import mentor_names, windows

MAT_ONLY = page_role(roles.MAT)
router = APIRouter(include_in_schema=False)
#: The status filter offers the school's words; each stands for the statuses shown with it.
LABELS = list(OrderedDict.fromkeys(SCHOOL_LABELS.values()))
PAGE = 500
MOST = 20_000  # claims read for one overview (a trust's claims in a few years are far fewer)


def _filters(request: Request, schools: list[dict[str, Any]], window_ids: set[str]) -> dict[str, str]:
    query = request.query_params
    urn, window, label = (query.get(k, "")[:100] for k in ("school_urn", "claim_window_id", "status"))
    return {"school_urn": urn if urn in {s["urn"] for s in schools} else "",
            "claim_window_id": window if window in window_ids else "", "status": label if label in LABELS else ""}


async def _claims(gw: Gateway, user: User, chosen: dict[str, str]) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"sort": "school_name", "order": "asc", "per_page": PAGE}
    if chosen["school_urn"]:
        params["school_urn"] = chosen["school_urn"]
    if chosen["claim_window_id"]:
        params["claim_window_id"] = chosen["claim_window_id"]
    if chosen["status"]:
        params["status"] = [s for s, label in SCHOOL_LABELS.items() if label == chosen["status"]]
    found: list[dict[str, Any]] = []
    page = 1
    while len(found) < MOST:
        result = as_sent(await gw.services.claims.search_claims({**params, "page": page}, user=user))
        found += result["items"]
        if page * PAGE >= result["total"]:
            break
        page += 1
    return found


async def _overview(request: Request, user: User, gw: Gateway):
    schools = as_sent(await gw.services.claims.trust_schools(user.trust_id, user=user))["items"]
    window_items = await windows(gw, user)
    chosen = _filters(request, schools, {w["id"] for w in window_items})
    items = await _claims(gw, user, chosen)
    return schools, window_items, chosen, items


def _totals(schools: list[dict[str, Any]], items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Claims and amounts per school and for the trust; drafts are counted apart (they are not claimed yet)."""
    per = {s["urn"]: {"urn": s["urn"], "name": s["name"], "claims": 0, "drafts": 0, "amount": Decimal("0")}
           for s in schools}
    for c in items:
        row = per.setdefault(c["school"]["urn"], {"urn": c["school"]["urn"], "name": c["school"]["name"], "claims": 0,
                                                  "drafts": 0, "amount": Decimal("0")})
        if c["status"] == "draft":
            row["drafts"] += 1
        else:
            row["claims"] += 1
            row["amount"] += Decimal(c["amount"] or "0")
    rows = sorted(per.values(), key=lambda r: r["name"].lower())
    total = {"claims": sum(r["claims"] for r in rows), "drafts": sum(r["drafts"] for r in rows),
             "amount": sum((r["amount"] for r in rows), Decimal("0"))}
    return rows, total


@router.get("/trust")
async def overview(request: Request, user: User = Depends(MAT_ONLY), gw: Gateway = Depends(gateway)):
    schools, window_items, chosen, items = await _overview(request, user, gw)
    rows, total = _totals(schools if not chosen["school_urn"] else
                          [s for s in schools if s["urn"] == chosen["school_urn"]], items)
    query = urlencode([(k, v) for k, v in chosen.items() if v])
    return render(request, "school/trust.html", {
        "title": "Claims for your trust", "section": "trust", "schools": schools, "windows": window_items,
        "labels": LABELS, "chosen": chosen, "rows": rows, "total": total,
        "claims": [{**c, "label": school_label(c["status"]), "mentors": mentor_names(c)} for c in items],
        "csv_link": "/trust/claims.csv" + (f"?{query}" if query else "")})


@router.get("/trust/claims.csv")
async def download(request: Request, user: User = Depends(MAT_ONLY), gw: Gateway = Depends(gateway)):
    _, _, _, items = await _overview(request, user, gw)
    body = write_csv(["claim_reference", "school_urn", "school_name", "provider_name", "mentors", "status",
                      "claim_amount", "academic_year", "claim_submission_date"],
                     [[c["reference"], c["school"]["urn"], c["school"]["name"], c["provider"]["name"],
                       "; ".join(mentor_names(c)), school_label(c["status"]), c["amount"], c["academic_year"],
                       (c["submitted_at"] or "")[:10]] for c in items])
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="trust-claims.csv"'})
