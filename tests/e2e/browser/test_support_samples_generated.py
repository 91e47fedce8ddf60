"""Support generates a sample in the browser (docs/design.md §13): the parameters (seed shown), an error in
plain words, the coverage report with its chart, the coverage changed and the report updated, then
"Use this sample" → the sampling upload's review → confirm → the claims in Sampling in progress and
their providers emailed. Every screen is screenshotted and checked by axe-core (0 violations) through ``Screens.shot``.

The browser tests share one running system; this file is named to run after test_support_journeys.py,
whose journeys need the demo's paid claims that a 90% coverage sample takes."""
from __future__ import annotations

import csv
import io
import time

from playwright.sync_api import expect

from tests.support.browser import sign_in, wait_api_status
from tests.support.journeys import step


def _sampled_claims(page) -> int:
    total = page.locator("#coverage tbody tr").last.locator("td").nth(3).inner_text()
    return int(total.replace(",", ""))


def test_support_generates_changes_and_uses_a_sample(system, new_page, screens):
    page = new_page()
    sign_in(page, "support@example.com")
    page.goto("/claims/sampling")
    step(page, button="Generate a sample", h1="Generate a sample")
    seed = page.get_by_label("Seed").input_value()
    assert seed.isdigit()  # prefilled at random and shown
    screens.shot(page, "generate-01-parameters")

    # Extend the sample: claims sampled by other journeys are left out, so this works whatever ran before.
    page.goto("/claims/sampling")
    step(page, link="Extend the sample", h1="Extend the sample")
    step(page, fill={"Threshold per school": "100000.00", "Coverage target per stratum": "2", "Seed": "twelve"},
         button="Generate the sample")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the seed as a whole number from 0 to 9223372036854775807")
    screens.shot(page, "generate-02-error")
    step(page, fill={"Seed": "20261207"}, button="Generate the sample", h1="Coverage of the proposed sample")
    expect(page.locator("svg[role=img] rect").first).to_be_visible()
    expect(page.locator("#coverage")).to_contain_text("Total")
    first_count = _sampled_claims(page)
    assert first_count > 0
    screens.shot(page, "generate-03-report")

    page.get_by_role("link", name="Change the parameters").click()
    expect(page.get_by_label("Seed")).to_have_value("20261207")
    expect(page.get_by_label("Coverage target per stratum")).to_have_value("2")
    step(page, fill={"Coverage target per stratum": "90"}, button="Generate the sample",
         h1="Coverage of the proposed sample")
    second_count = _sampled_claims(page)
    assert second_count > first_count  # a higher coverage target samples more
    screens.shot(page, "generate-04-report-changed")

    download = page.request.get(page.get_by_role("link", name="Download the proposed sample (CSV)").get_attribute("href"))
    rows = list(csv.DictReader(io.StringIO(download.body().decode("utf-8-sig"))))
    assert len(rows) == second_count and all(r["claim_sample_reason"] for r in rows)

    before = len(system.mailbox.messages)
    step(page, screens, "generate-05-use-this-sample", button="Use this sample",
         h1="Are you sure you want to upload the sampling data?", summary=str(second_count))
    page.locator("#confirm").click()
    page.wait_for_load_state("load")
    screens.shot(page, "generate-06-confirmed")

    api = system.api("support@example.com")
    for row in rows[:3]:
        wait_api_status(api, row["claim_reference_number"], "sampling_in_progress")
    deadline = time.monotonic() + 30
    while len(system.mailbox.messages) == before:
        assert time.monotonic() < deadline, "no provider was emailed"
        time.sleep(0.3)
    page.goto(f"/claims/{rows[0]['claim_reference_number']}")
    expect(page.locator("h1 .govuk-tag")).to_have_text("Sampling in progress")
    screens.shot(page, "generate-07-sampling-in-progress")
