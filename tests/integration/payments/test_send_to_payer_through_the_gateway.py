"""Send to payer through the gateway (issue 26 item 13), with the real claims service and a stand-in
payments: the gateway asks claims which claims are submitted in the window and hands payments their
references, and when payments says some are still arriving, the API answer and the page say so."""
from __future__ import annotations

import contextlib
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.system import csrf_from, running_system


def payments_answering(system, answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Put a POST /internal/v1/payments in front of the stand-in's routes; returns the bodies it received."""
    received: list[dict[str, Any]] = []

    async def send(request: Request) -> JSONResponse:
        received.append(await request.json())
        return JSONResponse(answer, 201)

    system.stub.router.routes.insert(0, Route("/internal/v1/payments", send, methods=["POST"]))
    return received


@contextlib.asynccontextmanager
async def submitted_claim(infra):
    """The system with one submitted claim of Hackney Primary: (system, its window's id, the claim)."""
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        yield system, org["window"]["id"], await system.submit_hackney_claim(org, [("1234567", "Ada Lovelace", 3)])


async def test_the_send_page_passes_the_submitted_claims_and_says_how_many_are_still_arriving(infra):
    async with submitted_claim(infra) as (system, window, claim):
        received = payments_answering(system, {"payment_id": "p1", "claim_count": 1, "total_amount": "1.00",
                                               "claims_still_arriving": 2})
        browser = await system.browser("support@example.com")
        page = await browser.get(f"/claims/payments/send?claim_window_id={window}")

        r = await browser.post("/claims/payments/send", data={"claim_window_id": window,
                                                               "csrf_token": csrf_from(page.text)})

        assert r.status_code == 303, r.text
        assert r.headers["location"] == "/claims/payments/batches/p1?sent=1&arriving=2"
        assert received == [{"claim_window_id": window, "submitted_references": [claim["reference"]]}]
        batch = await browser.get(r.headers["location"])
        assert "2 claims submitted a moment ago were still arriving and were not sent" in batch.text


async def test_the_api_answer_says_how_many_claims_are_still_arriving(infra):
    async with submitted_claim(infra) as (system, window, claim):
        received = payments_answering(system, {"payment_id": "p1", "claim_count": 0, "total_amount": "0.00",
                                               "claims_still_arriving": 1})

        r = await system.client.post("/api/v1/payments", headers=await system.as_user("support@example.com"),
                                     json={"claim_window_id": window})

        assert r.status_code == 201, r.text
        assert (r.json()["payment_id"], r.json()["claim_count"], r.json()["claims_still_arriving"]) == ("p1", 0, 1)
        assert received[0]["submitted_references"] == [claim["reference"]]
