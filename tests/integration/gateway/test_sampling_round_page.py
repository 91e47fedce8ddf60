"""The sampling round page (docs/design.md §12) of a monetary-unit sample states its projected
misstatement and upper bound once every claim is answered, and says how many are still waiting
before that (docs/design.md §13)."""
from __future__ import annotations

from tests.support import system as stubbed
from tests.support.system import running_system


async def test_a_monetary_unit_round_states_its_misstatement_on_its_page(infra, monkeypatch):
    async with running_system(infra) as system:
        browser = await system.browser("support@example.com")
        try:
            page = (await browser.get("/claims/sampling/rounds/r1")).text
            assert "Projected misstatement" not in page  # an uploaded file: no evaluation

            monkeypatch.setitem(stubbed.ROUND, "evaluation", {"complete": False, "open_claims": 3})
            page = (await browser.get("/claims/sampling/rounds/r1")).text
            assert "3 claims of this sample are still waiting for an answer or a decision" in page

            monkeypatch.setitem(stubbed.ROUND, "evaluation", {
                "complete": True, "open_claims": 0, "misstated_claims": 1, "clawed_back": "1072.00",
                "projected_misstatement": "23000.00", "upper_bound": "87333.33",
                "tolerable_misstatement": "50000.00"})
            page = (await browser.get("/claims/sampling/rounds/r1")).text
            assert "Projected misstatement" in page and "£23,000.00" in page and "£87,333.33" in page
            assert "Upper bound (Stringer)" in page and "£50,000.00" in page
        finally:
            await browser.aclose()
