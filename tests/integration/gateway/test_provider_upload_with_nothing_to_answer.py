"""A provider user's "Upload your response" page (docs/design.md §12) says plainly when none of its
claims waits for an answer, instead of offering an upload that can only fail; with a claim waiting,
it offers the upload."""
from __future__ import annotations

from services.gateway.users import add_user
from tests.support.system import PASSWORD, PROVIDER_CLAIM, running_system

NOTHING_TO_ANSWER = "There are no claims waiting for your answer."


async def test_the_upload_page_says_there_is_nothing_to_answer_until_a_claim_waits(infra):
    async with running_system(infra) as system:
        await add_user(system.gateway_db, "audit@provider.example", PASSWORD, "provider", provider_ids=("p1",))
        browser = await system.browser("audit@provider.example")
        try:
            page = await browser.get("/provider/responses/upload")
            assert page.status_code == 200
            assert '<h1 class="govuk-heading-l">Upload your response</h1>' in page.text
            assert "You cannot upload this file right now." in page.text and NOTHING_TO_ANSWER in page.text
            assert 'type="file"' not in page.text
            assert '<a class="govuk-link" href="/">Return to your claims</a>' in page.text

            answered = {**PROVIDER_CLAIM, "status": "paid", "status_label": "Approved", "needs_action": False}
            system.stub.state.provider_claims = {"items": [answered], "total": 1, "page": 1, "per_page": 1,
                                                 "schools": [], "academic_years": []}
            assert NOTHING_TO_ANSWER in (await browser.get("/provider/responses/upload")).text

            system.stub.state.provider_claims = {**system.stub.state.provider_claims, "items": [PROVIDER_CLAIM]}
            page = await browser.get("/provider/responses/upload")
            assert page.status_code == 200
            assert NOTHING_TO_ANSWER not in page.text and "You cannot upload this file right now." not in page.text
            assert 'type="file"' in page.text and 'name="csrf_token"' in page.text
        finally:
            await browser.aclose()
