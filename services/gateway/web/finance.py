"""Finance pages (ECF): statements and a statement's detail, where a finance user authorises it for
payment after confirming the assurance checks (the checkbox is required; the payments service
checks it again)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from shared.contracts.identifiers import is_ascii_digits, is_id

from ..auth import verify_csrf
from ..clients import Downstream
from ..context import Gateway, gateway
from ..users import User
from .common import FINANCE, render, see_other

router = APIRouter(include_in_schema=False)


def _check(statement_id: str) -> str:
    if not is_id(statement_id):
        raise Downstream(404, [{"message": "Page not found"}])
    return statement_id


async def _lead_providers(gw: Gateway, user: User) -> dict[str, str]:
    found = await gw.services.ecf.lead_providers(user=user)
    return {lp.id: lp.name for lp in found.items}


@router.get("/finance/statements")
async def statements(request: Request, lead_provider_id: str = "", cohort: str = "", user: User = Depends(FINANCE),
                     gw: Gateway = Depends(gateway)):
    names = await _lead_providers(gw, user)
    chosen = int(cohort) if len(cohort) == 4 and is_ascii_digits(cohort) and 2000 <= int(cohort) <= 2100 else None
    found = await gw.services.ecf.statements(per_page=500, user=user, cohort=chosen,
                                             lead_provider_id=lead_provider_id if lead_provider_id in names else None)
    contracts = await gw.services.ecf.contracts(user=user)
    return render(request, "finance/statements.html", {
        "title": "Statements", "section": "finance", "result": found, "names": names,
        "cohorts": sorted({c.cohort for c in contracts.items}), "cohort": chosen,
        "lead_provider_id": lead_provider_id if lead_provider_id in names else ""})


async def _statement_page(request: Request, gw: Gateway, user: User, statement_id: str, *,
                          errors: list[dict[str, str]] | None = None, status_code: int = 200,
                          form: dict[str, str] | None = None):
    statement = await gw.services.ecf.statement(_check(statement_id), user=user)
    names = await _lead_providers(gw, user)
    extra = statement.model_extra or {}
    return render(request, "finance/statement.html", {
        "title": statement.name or "Statement", "section": "finance", "statement": statement,
        "lead_provider_name": names.get(statement.lead_provider_id, ""), "errors": errors, "form": form or {},
        # Offered only where the engine would accept it: after the deadline, before it is authorised,
        # with payable declarations (or clawbacks) on it; the engine says so (``can_authorise``).
        "can_authorise": extra.get("can_authorise", statement.state == "payable" and not extra.get("authorised_at")),
        "done": request.query_params.get("done", ""),
        "authorised": bool(request.query_params.get("authorised"))}, status_code=status_code)


@router.get("/finance/statements/{statement_id}")
async def statement(request: Request, statement_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    return await _statement_page(request, gw, user, statement_id)


@router.post("/finance/statements/{statement_id}/authorise", dependencies=[Depends(verify_csrf)])
async def authorise(request: Request, statement_id: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    form = await request.form()
    if form.get("assurance_checks_done") != "yes":
        return await _statement_page(request, gw, user, statement_id, status_code=422, errors=[
            {"text": "Confirm that the assurance checks have been done", "href": "#assurance_checks_done"}])
    try:
        await gw.services.ecf.authorise(_check(statement_id), b'{"assurance_checks_done": true}', user=user)
    except Downstream as exc:
        if exc.status != 422:
            raise
        return await _statement_page(request, gw, user, statement_id, status_code=422, errors=[
            {"text": e["message"], "href": "#assurance_checks_done"} for e in exc.errors])
    return see_other(f"/finance/statements/{statement_id}?authorised=1")


@router.get("/finance/statements/{statement_id}/download/{which}")
async def download(statement_id: str, which: str, user: User = Depends(FINANCE), gw: Gateway = Depends(gateway)):
    if which not in ("statement.csv", "declarations.csv"):
        raise Downstream(404, [{"message": "Page not found"}])
    response = await gw.services.ecf.statement_csv(_check(statement_id), declarations=which == "declarations.csv",
                                                   user=user)
    return Response(response.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": response.headers.get("content-disposition",
                                                                         f'attachment; filename="{which}"')})
