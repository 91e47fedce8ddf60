"""The seed's two "cannot upload" states are reachable from the Sampling page (docs/design.md §12):
both upload buttons are always there, and with nothing to upload each opens its page with the
sampling service's message."""
from __future__ import annotations

from tests.support.system import running_system

NOTHING_TO_SAMPLE = "There are no paid claims that can be sampled."
NOTHING_AWAITING = "There are no claims waiting for a provider response."


async def test_with_nothing_to_upload_both_uploads_open_their_cannot_upload_page(infra):
    async with running_system(infra) as system:
        system.stub.state.sampling_summary = {
            "can_upload_sample": False, "can_upload_response": False, "paid_claim_count": 0,
            "sampling_in_progress_count": 0, "cannot_upload_sample_message": NOTHING_TO_SAMPLE,
            "cannot_upload_response_message": NOTHING_AWAITING}
        browser = await system.browser("support@example.com")
        try:
            page = (await browser.get("/claims/sampling")).text
            assert 'href="/claims/sampling/upload"' in page and 'href="/claims/sampling/response"' in page
            assert 'href="/claims/sampling/rounds"' in page
            assert "Generate a sample" not in page  # nothing paid to generate a sample from
            for path, title, message in (("/claims/sampling/upload", "Upload claims to be sampled", NOTHING_TO_SAMPLE),
                                         ("/claims/sampling/response", "Upload provider response", NOTHING_AWAITING)):
                r = await browser.get(path)
                assert r.status_code == 200
                assert f'<h1 class="govuk-heading-l">{title}</h1>' in r.text
                assert "You cannot upload this file right now." in r.text and message in r.text
                assert 'type="file"' not in r.text
        finally:
            await browser.aclose()
