"""The finance pages of the ECF service ("Manage early career teacher training payments"): statements
filtered by provider and cohort, a statement's adjustments and audit notes, "Authorise for payment"
offered only after the deadline; contracts and raising a band's capacity; schedules; participants
(search, duplicates, statuses, make eligible, change cohort, retire). Every page is checked for
accessibility (its title ends with the ECF service's name) and photographed."""
from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.support.browser import sign_in
from tests.support.journeys import step

from .test_finance_and_lead_providers import add_lead_provider, payable_on

SERVICE = "Manage early career teacher training payments"


def set_up(system) -> dict:
    lp = add_lead_provider(system, "Best Practice Network (finance pages)")
    finance = system.api("finance@example.com")
    created = {"lp": lp}
    r = finance.post("/api/v1/finance/schedules", json={
        "identifier": "ecf-standard-september-fp", "cohort": 2025, "milestones": [
            {"declaration_type": "started", "start_date": "2025-09-01", "milestone_date": "2025-11-30"}]})
    assert r.status_code == 201, r.text
    r = finance.post("/api/v1/finance/contracts", json={
        "lead_provider_id": lp["id"], "cohort": 2025, "recruitment_target": 4000, "set_up_fee": "0.00",
        "uplift_amount": "100.00", "vat_chargeable": False, "monthly_service_fee": None, "service_fee_months": 29,
        "bands": [{"name": "A", "min": 0, "max": 2000, "per_participant": "1000.00"},
                  {"name": "B", "min": 2001, "max": 4000, "per_participant": "900.00"}]})
    assert r.status_code == 201, r.text
    created["contract"] = r.json()["id"]
    for name, deadline, paid in (("September 2025 (pages)", "2025-09-30", "2025-10-25"),
                                 ("October 2025 (pages)", "2025-10-31", "2025-11-25"),
                                 ("January 2027 (pages)", "2027-01-31", "2027-02-25")):
        r = finance.post("/api/v1/finance/statements", json={
            "lead_provider_id": lp["id"], "cohort": 2025, "name": name, "deadline_date": deadline,
            "payment_date": paid, "output_fee": True})
        assert r.status_code == 201, r.text
        created[name] = r.json()["id"]
    people = {}
    for key, name, eligible in (("kept", "Ada Lovelace", True), ("dup", "Ada King", False)):
        r = finance.post("/api/v1/finance/participants", json={
            "lead_provider_id": lp["id"], "cohort": 2025, "schedule": "ecf-standard-september-fp", "trn": "3100001",
            "full_name": name, "course_identifier": "ecf-induction", "pupil_premium_uplift": False,
            "sparsity_uplift": False, "funding_eligible": eligible, "induction_start_date": "2025-09-01"})
        assert r.status_code == 201, r.text
        people[key] = r.json()["id"]
    created.update(people)
    # A started declaration for Ada Lovelace, payable on the September statement (its deadline has passed).
    lead = httpx.Client(base_url=system.url, timeout=30, headers={"Authorization": f"Bearer {lp['api_token']}"})
    declared = lead.post("/api/v3/participant-declarations", json={"data": {
        "type": "participant-declaration", "attributes": {
            "participant_id": people["kept"], "declaration_type": "started", "declaration_date": "2025-10-01T10:00:00Z",
            "course_identifier": "ecf-induction"}}})
    assert declared.status_code == 200, declared.text
    payable_on(system, declared.json()["data"]["id"], created["September 2025 (pages)"])
    return created


def test_finance_manages_statements_contracts_schedules_and_participants(system, new_page, screens):
    made = set_up(system)
    lp = made["lp"]
    page = new_page()
    sign_in(page, "finance@example.com")

    # Statements, filtered by lead provider and cohort; the header carries the ECF service's name.
    page.goto("/finance/statements")
    page.get_by_label("Lead provider").select_option(lp["id"])
    page.get_by_label("Cohort").select_option("2025")
    page.get_by_role("button", name="Show statements").click()
    expect(page.locator(".govuk-service-navigation__service-name")).to_have_text(SERVICE)
    assert page.title() == f"Statements – {SERVICE} – GOV.UK"
    expect(page.locator("tbody tr")).to_have_count(3)
    screens.shot(page, "47-finance-statements-filtered")

    # Before its deadline a statement offers no authorisation; adjustments and notes are checked.
    page.get_by_role("link", name="January 2027 (pages)").click()
    expect(page.get_by_role("button", name="Authorise for payment")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("You can authorise this statement for payment after its deadline")
    step(page, screens, "48-finance-adjustment-errors", button="Add adjustment",
         error=("Enter a payment type", "Enter an amount"))
    step(page, fill={"Payment type": "Clawback correction", "Amount": "-250.00"}, button="Add adjustment",
         banner="Adjustment added")
    expect(page.locator("table").last).to_contain_text("Clawback correction")
    step(page, button="Add note", error="Enter a note")
    step(page, fill={"Add a note": "Checked against the contract"}, button="Add note")
    expect(page.locator("#notes + ul")).to_contain_text("Checked against the contract")
    screens.shot(page, "49-finance-statement-adjustment-and-note")
    statement_csv = page.get_by_role("link", name="Download the statement (CSV)")
    with page.expect_download() as download:
        statement_csv.click()
    assert download.value.suggested_filename.endswith(".csv")

    # After its deadline, with a payable declaration on it, the statement can be authorised.
    page.goto(f"/finance/statements?lead_provider_id={lp['id']}&cohort=2025")
    page.get_by_role("link", name="September 2025 (pages)").click()
    expect(page.get_by_role("button", name="Authorise for payment")).to_be_visible()
    # After its deadline with nothing payable on it, there is nothing to authorise.
    page.goto(f"/finance/statements/{made['October 2025 (pages)']}")
    expect(page.get_by_role("button", name="Authorise for payment")).to_have_count(0)
    step(page, screens, "49a-finance-statement-nothing-to-authorise",
         main="There are no payable declarations on this statement")

    # Contracts: raise a band's capacity (a refusal first).
    step(page, goto="/finance/contracts", h1="Contracts")
    page.locator(f"#max-{made['contract']}-A").fill("many")
    page.locator(f"form[action='/finance/contracts/{made['contract']}/bands/A/capacity'] button").click()
    step(page, screens, "50-finance-contracts-capacity-error", error="Enter the band's new maximum as a whole number")
    page.locator(f"#max-{made['contract']}-A").fill("2500")
    page.locator(f"form[action='/finance/contracts/{made['contract']}/bands/A/capacity'] button").click()
    step(page, screens, "51-finance-contracts", banner="Band A’s capacity raised")

    step(page, screens, "52-finance-schedules", goto="/finance/schedules",
         main="ecf-standard-september-fp (cohort 2025)")

    # Participants: search, duplicates, make eligible, change cohort, retire.
    page.goto("/finance/participants")
    step(page, fill={"Search by name, TRN or participant id": "3100001"}, button="Search")
    expect(page.locator("tbody tr")).to_have_count(2)
    screens.shot(page, "53-finance-participants")
    step(page, screens, "54-finance-participant-duplicates", link="Show possible duplicate participants",
         h1="Possible duplicate participants", main="Ada King")

    step(page, goto=f"/finance/participants/{made['dup']}", h1="Ada King")
    step(page, button="Make eligible for funding", banner="Participant made eligible for funding")
    step(page, screens, "55-finance-participant-cohort-error", fill={"Cohort (optional)": "twenty"},
         button="Record induction start date", error="Enter the cohort as a year")
    step(page, fill={"Cohort (optional)": ""}, button="Retire this participant",
         error="Enter the id of the participant to keep")
    step(page, screens, "56-finance-participant-retired", fill={"Id of the participant to keep": made["kept"]},
         button="Retire this participant", banner="Participant retired", main=f"Retired into {made['kept']}")
