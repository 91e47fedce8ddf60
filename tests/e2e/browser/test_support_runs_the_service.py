"""Support runs the service from its pages (docs/design.md §14, issue 24): schools from a GIAS extract
(upload, review, done, the list and a closed school's page with its successor), accredited
providers (list, add, edit) and claim windows (list with the current one tagged, add with DfE's
error, edit, delete one that has not opened). A screenshot of every page."""
from __future__ import annotations

from dataclasses import replace

from playwright.sync_api import expect

from claimflow.demo.gias import DISTRICTS, Establishment, extract, links_extract

from tests.support.browser import sign_in
from tests.support.journeys import step

# URNs of their own, so the demo schools other browser tests claim for stay as they are.
SCHOOLS = [Establishment("900001", "École Sainte-Thérèse", district=DISTRICTS[0], trust_code="9001",
                         trust_name="Browser Test Trust", phase="Primary"),
           Establishment("900002", "Hillside Browser Academy", district=DISTRICTS[2], phase="Secondary"),
           Establishment("900003", "Oakwood Browser Infants", district=DISTRICTS[1])]


def upload_gias(page, screens, data: bytes, links: bytes | None, shot: str) -> None:
    page.goto("/schools/gias")
    page.get_by_label("All establishments extract").set_input_files(
        {"name": "edubasealldata20261123.csv", "mimeType": "text/csv", "buffer": data})
    if links is not None:
        page.get_by_label("Links extract (optional)").set_input_files(
            {"name": "links_edubasealldata20261123.csv", "mimeType": "text/csv", "buffer": links})
    if shot:
        screens.shot(page, shot)
    page.locator("#upload-button").click()
    page.wait_for_load_state("load")


def test_support_updates_schools_from_gias_and_sees_a_closed_schools_successor(system, new_page, screens):
    page = new_page()
    sign_in(page, "support@example.com")

    page.goto("/schools/gias")
    page.locator("#upload-button").click()
    step(page, screens, "schools-02-gias-upload-error", error="Select the “all establishments” CSV file from GIAS")

    upload_gias(page, screens, extract(SCHOOLS), None, "schools-01-gias-upload")
    step(page, screens, "schools-03-gias-review", h1="Check the changes before you update the schools",
         summary="New schools")
    page.locator("#confirm").click()
    step(page, screens, "schools-04-gias-done", panel="3 new, 0 changed, 0 closed")

    closing = [SCHOOLS[0], replace(SCHOOLS[1], status="Closed", close_date="12-03-2026"), SCHOOLS[2],
               Establishment("900004", "Hillside Browser Academy Trust School", district=DISTRICTS[2])]
    upload_gias(page, screens, extract(closing), links_extract([("900002", "900004", "Successor")]), "")
    rows = page.locator(".govuk-summary-list")
    expect(rows).to_contain_text("Closed schools")
    page.locator("#confirm").click()
    expect(page.locator(".govuk-panel")).to_contain_text("1 new, 0 changed, 1 closed")

    step(page, screens, "schools-05-list-search", goto="/schools?q=browser", table="Hillside Browser Academy")
    step(page, screens, "schools-06-closed-school-with-successor", link="Hillside Browser Academy",
         inset=("This school closed on 12 March 2026", "Hillside Browser Academy Trust School"))


def test_support_adds_and_changes_an_accredited_provider(system, new_page, screens):
    page = new_page()
    sign_in(page, "support@example.com")
    step(page, screens, "providers-01-list", goto="/providers")
    step(page, screens, "providers-02-add", button="Add an accredited provider")
    step(page, screens, "providers-03-add-error", button="Save", error="Enter the accredited provider’s name")
    step(page, screens, "providers-04-add-email-error",
         fill={"Name": "Browser Teaching Partnership", "Code": "btp9",
               "Email addresses for sampling": "audit@btp.example\nnot an address"},
         button="Save", error="Enter an email address in the correct format")
    step(page, fill={"Email addresses for sampling": "audit@btp.example"}, button="Save",
         banner="Accredited provider added")
    row = page.locator("tr", has_text="Browser Teaching Partnership")
    expect(row).to_contain_text("BTP9")
    row.get_by_role("link", name="Change").click()
    expect(page.get_by_label("Name")).to_have_value("Browser Teaching Partnership")
    step(page, screens, "providers-05-edit",
         fill={"Email addresses for sampling": "audit@btp.example\nsampling@btp.example"})
    page.get_by_role("button", name="Save").click()
    expect(page.locator("tr", has_text="Browser Teaching Partnership")).to_contain_text("sampling@btp.example")


def fill_window(page, starts: tuple[int, int, int], ends: tuple[int, int, int], year: str) -> None:
    for key, (d, m, y) in (("starts_on", starts), ("ends_on", ends)):
        page.locator(f"#{key}-day").fill(str(d))
        page.locator(f"#{key}-month").fill(str(m))
        page.locator(f"#{key}-year").fill(str(y))
    page.get_by_label("Academic year").fill(year)


def test_support_adds_changes_and_deletes_a_future_claim_window(system, new_page, screens):
    page = new_page()
    sign_in(page, "support@example.com")
    page.goto("/claim-windows")
    expect(page.locator(".govuk-tag", has_text="Current")).to_have_count(1)
    screens.shot(page, "windows-01-list")

    step(page, screens, "windows-02-add", button="Add a claim window")
    fill_window(page, (1, 9, 2031), (1, 9, 2031), "2031/32")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a window closing date that is after the opening date")
    screens.shot(page, "windows-03-add-error")
    fill_window(page, (1, 9, 2031), (31, 7, 2032), "2031/32")
    step(page, button="Save", banner="Claim window added")

    page.goto("/claim-windows/new")
    fill_window(page, (1, 10, 2031), (31, 8, 2032), "2031/32")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select a date that is not within an existing claim window")
    screens.shot(page, "windows-04-add-overlap-error")

    page.goto("/claim-windows")
    row = page.locator("tr", has_text="2031/32")
    row.get_by_role("link", name="Change").click()
    fill_window(page, (1, 9, 2031), (30, 6, 2032), "2031/32")
    screens.shot(page, "windows-05-edit")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("tr", has_text="2031/32")).to_contain_text("30 June 2032")

    page.locator("tr", has_text="2031/32").get_by_role("link", name="Delete").click()
    screens.shot(page, "windows-06-delete")
    step(page, button="Delete claim window", banner="Claim window deleted")
    expect(page.locator("tr", has_text="2031/32")).to_have_count(0)
