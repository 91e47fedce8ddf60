"""Finance sets the ECF engine up in the browser (docs/design.md §15): records where a lead provider's
deadline reminders go, adds a schedule and adds an ``ittecf_ectp`` contract with its bands and
mentor fee. Each form is first sent wrong: the error summary names every problem in plain words and
links to its field. Every page is checked for accessibility and photographed."""
from __future__ import annotations

import json
import subprocess
import sys

from playwright.sync_api import expect

from tests.support.browser import sign_in
from tests.support.journeys import step

SERVICE = "Manage early career teacher training payments"


def test_finance_adds_a_schedule_and_a_contract_and_records_a_lead_providers_email(system, new_page, screens):
    run = subprocess.run([sys.executable, "-m", "claimflow", "lead-providers", "add", "--name",
                          "Teach First (setup pages)", "--email", "ecf@teachfirst.example"],
                         env=system.stack.env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lp = json.loads(run.stdout.strip().splitlines()[-1])
    assert lp["email"] == "ecf@teachfirst.example"

    page = new_page()
    sign_in(page, "finance@example.com")

    # Lead providers: the address the deadline reminders go to.
    page.goto("/finance/lead-providers")
    assert page.title() == f"Lead providers – {SERVICE} – GOV.UK"
    field = page.locator(f"#email-{lp['id']}")
    expect(field).to_have_value("ecf@teachfirst.example")
    field.fill("not an address")
    page.locator(f"form[action='/finance/lead-providers/{lp['id']}/email'] button").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an email address in the correct format")
    expect(page.locator(".govuk-error-summary a")).to_have_attribute("href", f"#email-{lp['id']}")
    screens.shot(page, "57a-finance-lead-provider-email-error")
    page.locator(f"#email-{lp['id']}").fill("payments@teachfirst.example")
    page.locator(f"form[action='/finance/lead-providers/{lp['id']}/email'] button").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Email address saved")
    expect(page.locator(f"#email-{lp['id']}")).to_have_value("payments@teachfirst.example")
    screens.shot(page, "57b-finance-lead-providers")

    # Add a schedule: nothing entered, then a date that is not real, then the schedule.
    page.goto("/finance/schedules")
    step(page, screens, "57c-finance-add-schedule", button="Add a schedule", h1="Add a schedule")
    page.get_by_role("button", name="Add schedule").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the schedule identifier")
    expect(summary).to_contain_text("Enter the cohort as a year, like 2026")
    expect(summary).to_contain_text("Enter the started start date")
    expect(summary.locator("a").last).to_have_attribute("href", "#started-start-day")
    screens.shot(page, "57d-finance-add-schedule-errors")
    page.get_by_label("Schedule identifier").fill("ecf-replacement-january-sp")
    page.get_by_label("Cohort").fill("2026")
    for key, (day, month, year) in {"started-start": ("1", "1", "2027"), "started-end": ("31", "3", "2027"),
                                    "completed-start": ("31", "2", "2028")}.items():
        page.locator(f"#{key}-day").fill(day)
        page.locator(f"#{key}-month").fill(month)
        page.locator(f"#{key}-year").fill(year)
    step(page, button="Add schedule", error="The completed start date must be a real date")
    page.locator("#completed-start-day").fill("1")
    page.locator("#completed-start-month").fill("6")
    step(page, button="Add schedule", banner="Schedule added", main="ecf-replacement-january-sp (cohort 2026)")
    # The same identifier and cohort again: the engine's refusal, linked to the identifier.
    page.goto("/finance/schedules/new")
    page.get_by_label("Schedule identifier").fill("ecf-replacement-january-sp")
    page.get_by_label("Cohort").fill("2026")
    for part, value in (("day", "1"), ("month", "1"), ("year", "2027")):
        page.locator(f"#started-start-{part}").fill(value)
    page.get_by_role("button", name="Add schedule").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "There is already a schedule called ecf-replacement-january-sp for the 2026 cohort")
    expect(page.locator(".govuk-error-summary a")).to_have_attribute("href", "#identifier")

    # Add a contract: the form's own checks, then the engine's, then the contract.
    page.goto("/finance/contracts")
    step(page, button="Add a contract", h1="Add a contract")
    assert page.title() == f"Add a contract – {SERVICE} – GOV.UK"
    screens.shot(page, "57e-finance-add-contract")
    page.get_by_label("Lead provider").select_option(lp["id"])
    page.get_by_label("Cohort").fill("2026")
    page.get_by_role("radio", name="ITTECF ECTP").check()
    step(page,
         fill={"Recruitment target": "2000", "Band A: last participant number": "2000",
               "Band A: fee per participant": "995.00", "Band C: last participant number": "6000",
               "Band C: fee per participant": "800.00"},
         button="Add contract")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the mentor fee per declaration, like 1000.00")
    expect(summary).to_contain_text("Enter band B before band C")
    expect(summary.locator("a[href='#band-B-max']")).to_have_count(1)
    screens.shot(page, "57f-finance-add-contract-errors")
    step(page,
         fill={"Mentor fee (ITTECF ECTP contracts only)": "1,000.00", "Band B: last participant number": "4000",
               "Band B: fee per participant": "750.00"},
         button="Add contract")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Band C’s price per participant must be less than band B’s (£750.00)")
    expect(page.locator(".govuk-error-summary a")).to_have_attribute("href", "#band-C-fee")
    expect(page.get_by_label("Band C: fee per participant")).to_have_value("800.00")
    step(page, fill={"Band B: fee per participant": "900.00", "Band B: output fee share (optional)": "50"},
         button="Add contract", banner="Contract added",
         main=("Teach First (setup pages) – cohort 2026", "ITTECF ECTP (flat mentor fee)"))

    finance = system.api("finance@example.com")
    [added] = [c for c in finance.get("/api/v1/finance/contracts", params={"lead_provider_id": lp["id"]}).json()["items"]]
    assert added["contract_type"] == "ittecf_ectp" and added["mentor_fee_per_declaration"] == "1000.00"
    assert [(b["name"], b["first_participant"], b["last_participant"], b["per_participant"], b["output_fee_percent"])
            for b in added["bands"]] == [("A", 1, 2000, "995.00", "60"), ("B", 2001, 4000, "900.00", "50"),
                                         ("C", 4001, 6000, "800.00", "60")]
    screens.shot(page, "57g-finance-contract-added")

    # The same address through the finance API (what the page calls).
    r = finance.post(f"/api/v1/finance/lead-providers/{lp['id']}/email", json={"email": "nope"})
    assert r.status_code == 422
    assert r.json() == {"errors": [{"message": "Enter an email address in the correct format, like name@example.com",
                                    "field": "email"}]}
    r = finance.post(f"/api/v1/finance/lead-providers/{lp['id']}/email", json={"email": "lp@teachfirst.example"})
    assert r.status_code == 200 and r.json()["email"] == "lp@teachfirst.example"
    listed = {x["id"]: x for x in finance.get("/api/v1/finance/lead-providers").json()["items"]}
    assert listed[lp["id"]]["email"] == "lp@teachfirst.example"
