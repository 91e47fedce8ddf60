"""Accredited providers' pages (docs/design.md §12): the provider's claims (filters, CSV download)
and a claim's page. Answering an audit is ``provider_answer.py``."""
from __future__ import annotations

import math
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from shared.contracts import roles
from shared.contracts.claim_status import PROVIDER_LABELS, PROVIDER_VISIBLE
from shared.contracts.http.provider import ProviderClaimDetail
from shared.contracts.identifiers import is_ascii_digits

from ..auth import page_role
from ..context import Gateway, gateway
from ..users import User
from .common import check_reference, render
from .forms import pagination
from .templating import comment_words

PROVIDER = page_role(roles.PROVIDER)
PER_PAGE = 25

router = APIRouter(include_in_schema=False)


# ------------------------------------------------------------------------------------ list and claim
def _filters(query) -> dict[str, str]:
    values = {k: (query.get(k) or "").strip()[:20] for k in ("status", "school_urn", "academic_year")}
    if values["status"] not in PROVIDER_VISIBLE:
        values["status"] = ""
    if values["school_urn"] and not is_ascii_digits(values["school_urn"]):
        values["school_urn"] = ""
    return values


@router.get("/provider/claims")
async def claims_list(request: Request, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    filters = _filters(request.query_params)
    page = request.query_params.get("page", "1")
    page = max(1, min(int(page), 100_000)) if is_ascii_digits(page) and len(page) < 7 else 1
    params = {k: v for k, v in filters.items() if v}
    result = await gw.services.sampling.provider_claims(params={**params, "page": page, "per_page": PER_PAGE},
                                                        user=user)
    pages = math.ceil(result.total / PER_PAGE) if result.total else 0
    return render(request, "provider/claims.html", {
        "title": "Claims", "section": "provider", "result": result, "filters": filters,
        "statuses": [(s, PROVIDER_LABELS[s]) for s in PROVIDER_VISIBLE],
        "filtered": bool(params), "csv_link": "/provider/claims.csv" + (f"?{urlencode(params)}" if params else ""),
        "pagination": pagination(page, pages, lambda n: "?" + urlencode({**params, "page": n}))})


@router.get("/provider/claims.csv")
async def claims_csv(request: Request, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    params = {k: v for k, v in _filters(request.query_params).items() if v}
    answer = await gw.services.sampling.provider_claims_csv(params=params, user=user)
    return Response(answer.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="claims.csv"'})


async def provider_claim(gw: Gateway, user: User, reference: str) -> ProviderClaimDetail:
    check_reference(reference)
    return await gw.services.sampling.provider_claim(reference, user=user)


def _answer_lines(claim: ProviderClaimDetail) -> list[str]:
    """The provider's comment in words: "<mentor>: <reason label and details>" a line."""
    return comment_words(claim.provider_comment).splitlines()


@router.get("/provider/claims/{reference}")
async def claim_page(request: Request, reference: str, user: User = Depends(PROVIDER), gw: Gateway = Depends(gateway)):
    claim = await provider_claim(gw, user, reference)
    return render(request, "provider/claim.html", {
        "title": f"Claim {claim.reference}", "section": "provider", "claim": claim,
        "answer_lines": _answer_lines(claim), "done": request.query_params.get("done") == "1"})
