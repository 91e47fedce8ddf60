"""ECF through the gateway: a lead provider added with the command line declares through the Lead
Provider API (/api/v3, its own token); a finance user sets up the contract and statements with the
finance API and, in the browser, reads the statements and authorises one for payment (the
assurance checkbox is required)."""
from __future__ import annotations

import json
import subprocess
import sys

import httpx

from tests.support.browser import sign_in
from tests.support.journeys import step


def payable_on(system, declaration_id: str, statement_id: str) -> None:
    """Put a declaration, payable, on a statement whose deadline has passed: the running system's
    clock is the real one, so a lead provider's declaration always goes on a statement still open
    ("Authorise for payment" is offered only where there is something to pay)."""
    import asyncio
    import threading

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def move() -> None:
        engine = create_async_engine(system.stack.env["PAYMENTS_DATABASE_URL"])
        try:
            async with engine.begin() as conn:
                await conn.execute(text("UPDATE ecf_declarations SET statement_id = :s, state = 'payable' "
                                        "WHERE id = :d"), {"s": statement_id, "d": declaration_id})
        finally:
            await engine.dispose()

    # the sync Playwright driver keeps an event loop in this thread: the SQL runs in its own
    worker = threading.Thread(target=lambda: asyncio.run(move()))
    worker.start()
    worker.join(60)


def add_lead_provider(system, name: str) -> dict:
    run = subprocess.run([sys.executable, "-m", "claimflow", "lead-providers", "add", "--name", name],
                         env=system.stack.env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_finance_authorises_a_statement_and_lead_providers_use_api_v3(system, new_page, screens):
    lp = add_lead_provider(system, "Ambition Institute (browser test)")
    finance = system.api("finance@example.com")
    r = finance.post("/api/v1/finance/schedules", json={
        "identifier": "ecf-standard-september-bt", "cohort": 2026, "milestones": [
            {"declaration_type": "started", "start_date": "2026-09-01", "milestone_date": "2026-11-30"},
            {"declaration_type": "retained-1", "start_date": "2026-12-01", "milestone_date": "2027-02-28"}]})
    assert r.status_code == 201, r.text
    r = finance.post("/api/v1/finance/contracts", json={
        "lead_provider_id": lp["id"], "cohort": 2026, "recruitment_target": 2000, "set_up_fee": "0.00",
        "uplift_amount": "100.00", "vat_chargeable": False, "monthly_service_fee": None, "service_fee_months": 29,
        "bands": [{"name": "A", "min": 0, "max": 2000, "per_participant": "995.00"}]})
    assert r.status_code == 201, r.text
    past = finance.post("/api/v1/finance/statements", json={
        "lead_provider_id": lp["id"], "cohort": 2026, "name": "October 2026", "deadline_date": "2026-10-31",
        "payment_date": "2026-11-25", "output_fee": True})
    assert past.status_code == 201, past.text
    r = finance.post("/api/v1/finance/statements", json={
        "lead_provider_id": lp["id"], "cohort": 2026, "name": "December 2026", "deadline_date": "2026-12-31",
        "payment_date": "2027-01-25", "output_fee": True})
    assert r.status_code == 201, r.text
    participant = finance.post("/api/v1/finance/participants", json={
        "lead_provider_id": lp["id"], "cohort": 2026, "schedule": "ecf-standard-september-bt", "trn": "3000001",
        "full_name": "Grace Hopper", "course_identifier": "ecf-induction", "pupil_premium_uplift": True,
        "sparsity_uplift": False, "funding_eligible": True})
    assert participant.status_code == 201, participant.text

    # The lead provider, with its own token, on the Lead Provider API.
    lead = httpx.Client(base_url=system.url, timeout=30, headers={"Authorization": f"Bearer {lp['api_token']}"})
    declared = lead.post("/api/v3/participant-declarations", json={"data": {
        "type": "participant-declaration", "attributes": {
            "participant_id": participant.json()["id"], "declaration_type": "started",
            "declaration_date": "2026-11-20T10:00:00Z", "course_identifier": "ecf-induction",
            "evidence_held": "training-event-attended"}}})
    assert declared.status_code == 200, declared.text
    assert declared.json()["data"]["type"] == "participant-declaration"
    payable_on(system, declared.json()["data"]["id"], past.json()["id"])
    listed = lead.get("/api/v3/participant-declarations")
    assert listed.status_code == 200 and len(listed.json()["data"]) == 1
    statements = lead.get("/api/v3/statements")
    assert statements.status_code == 200 and len(statements.json()["data"]) == 2
    refused = lead.post("/api/v3/participant-declarations", json={"data": {"type": "participant-declaration",
                                                                           "attributes": {}}})
    assert refused.status_code == 422 and all({"title", "detail"} <= set(e) for e in refused.json()["errors"])
    wrong = httpx.get(f"{system.url}/api/v3/statements", headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401 and wrong.json()["errors"][0]["title"] == "Unauthorized"

    page = new_page()
    sign_in(page, "finance@example.com")
    step(page, screens, "43-finance-statements", goto=f"/finance/statements?lead_provider_id={lp['id']}",
         h1="Statements", table="October 2026")
    step(page, screens, "44-finance-statement", link="October 2026", h1="October 2026")
    step(page, screens, "45-finance-authorise-without-checks", button="Authorise for payment",
         error="Confirm that the assurance checks have been done")
    step(page, screens, "46-finance-statement-authorised",
         check="I confirm that the assurance checks have been done for this statement", button="Authorise for payment",
         inset="Authorised for payment at")
    detail = finance.get(f"/api/v1/finance/statements/{past.json()['id']}").json()
    assert detail["state"] == "paid" and detail["authorised_at"]
