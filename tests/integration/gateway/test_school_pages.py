"""The school and trust pages over HTTP without JavaScript (docs/design.md §11): forms posted as a browser
without scripts posts them, CSRF included; gateway → claims over real HTTP."""
from __future__ import annotations

import csv
import io
import re

from tests.support.system import csrf_from, running_system

HACKNEY, MAT, SUPPORT = "head@hackney.example", "ceo@northern.example", "support@example.com"


def location(r) -> str:
    assert r.status_code == 303, (r.status_code, r.text[:2000])
    return r.headers["location"]


async def post(browser, path: str, data: dict, *, page: str | None = None):
    form = await browser.get(page or path)
    return await browser.post(path, data={**data, "csrf_token": csrf_from(form.text)})


async def test_a_school_claims_for_two_mentors_is_refused_too_many_hours_and_sees_its_claim_listed(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        browser = await system.browser(HACKNEY)
        home = await browser.get("/", follow_redirects=True)
        assert "You can claim until 31 July 2027" in home.text and "£53.60 an hour" in home.text
        assert "Inner London" in home.text and "16 hours of initial training" in home.text
        estimate = await browser.get("/school/funding-estimate", params={"mentors": "2", "hours": "16"})
        assert "£1,715.20" in estimate.text

        r = await post(browser, "/school/claims/new", {"provider_id": ""})
        assert r.status_code == 422 and 'href="#provider_id"' in r.text and "Select an accredited provider" in r.text
        mentors_page = location(await post(browser, "/school/claims/new", {"provider_id": org["provider"]["id"]}))
        ref = re.search(r"/school/claims/(\d{8})/mentors", mentors_page).group(1)

        r = await post(browser, mentors_page, {"new_trn": "12345", "new_full_name": "Ada Lovelace"})
        assert r.status_code == 422 and 'href="#new_trn"' in r.text
        assert location(await post(browser, mentors_page, {"new_trn": "1234567", "new_full_name": "Ada Lovelace",
                                                            "action": "add"})) == mentors_page
        hours_page = location(await post(browser, mentors_page, {
            "trn": "1234567", "new_trn": "7654321", "new_full_name": "Grace Hopper", "action": "continue"}))
        assert hours_page.endswith("/hours/1234567")
        page = await browser.get(hours_page)
        assert "16 hours left to claim" in page.text and "initial training: 16 hours" in page.text

        r = await post(browser, hours_page, {"hours_choice": "other", "hours_other": "17"})
        assert r.status_code == 422
        assert 'href="#hours_other"' in r.text and "between 1 and 16" in r.text
        second = location(await post(browser, hours_page, {"hours_choice": "all"}))
        assert second.endswith("/hours/7654321")
        check = location(await post(browser, second, {"hours_choice": "other", "hours_other": "4"}))
        page = await browser.get(check)
        assert "Check your answers" in page.text and "£1,072.00" in page.text and "£53.60" in page.text
        assert "early career framework (ECF)" not in page.text

        declaration = f"/school/claims/{ref}/declaration"
        r = await post(browser, declaration, {})
        assert r.status_code == 422 and 'href="#declaration"' in r.text
        done = location(await post(browser, declaration, {"declaration": "yes"}))
        page = await browser.get(done)
        assert "Claim submitted" in page.text and ref in page.text and "What happens next" in page.text
        # nothing changes after submission: the journey's pages lead to the claim
        assert location(await browser.get(f"/school/claims/{ref}/mentors")) == f"/school/claims/{ref}"

        listed = await browser.get("/school/claims")
        assert "Academic year 2026/27" in listed.text and ref in listed.text
        assert "Ada Lovelace, Grace Hopper" in listed.text and "we have your claim" in listed.text
        claim = await browser.get(f"/school/claims/{ref}")
        assert "Submitted: we have your claim" in claim.text


async def test_a_school_saves_a_draft_and_deletes_it_and_never_sees_support_users_on_its_claim(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        support = await system.browser(SUPPORT)
        r = await post(support, "/support/schools/100001/claims/new", {
            "provider_id": org["provider"]["id"], "trn": "1234567", "full_name": "Ada Lovelace", "hours": "5"})
        ref = location(r).rsplit("/", 1)[1]
        school = await system.browser(HACKNEY)
        page = await school.get(f"/school/claims/{ref}")
        assert "Draft: you have not submitted" in page.text and SUPPORT not in page.text
        assert location(await post(school, f"/school/claims/{ref}/declaration", {"declaration": "yes"})) \
            == f"/school/claims/{ref}/submitted"
        page = await school.get(f"/school/claims/{ref}")
        assert SUPPORT not in page.text  # the support user who created the draft is not shown
        assert SUPPORT in (await support.get(f"/claims/{ref}")).text

        other = (await system.client.post("/api/v1/claims/drafts", headers=await system.as_user(HACKNEY), json={
            "school_urn": "100001", "provider_id": org["provider"]["id"], "mentors": []})).json()["reference"]
        assert location(await post(school, f"/school/claims/{other}/delete", {})) == "/school/claims?done=draft-deleted"
        assert other not in (await school.get("/school/claims")).text


async def test_a_trust_user_changes_organisation_claims_for_a_second_school_and_sees_trust_totals(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        assert (await system.submit(MAT, "100002", org["provider"]["id"], [("1234567", "Ada Lovelace", 10)])
                ).status_code == 201
        browser = await system.browser(MAT)
        assert location(await browser.get("/school")) == "/school/organisation"
        r = await post(browser, "/school/organisation", {"school_urn": "100004"})  # not a school of the trust
        assert r.status_code == 422
        assert location(await post(browser, "/school/organisation", {"school_urn": "100003"})) == "/school"
        assert "Leeds High" in (await browser.get("/school")).text
        mentors_page = location(await post(browser, "/school/claims/new", {"provider_id": org["provider"]["id"]}))
        hours = location(await post(browser, mentors_page, {"new_trn": "2222222", "new_full_name": "=HYPERLINK(1)"}))
        check = location(await post(browser, hours, {"hours_choice": "other", "hours_other": "3"}))
        ref = check.split("/")[3]
        location(await post(browser, f"/school/claims/{ref}/declaration", {"declaration": "yes"}))

        trust = await browser.get("/trust")
        assert "Barnet Academy" in trust.text and "Leeds High" in trust.text
        assert "£482.50" in trust.text and "£131.40" in trust.text and "£613.90" in trust.text
        only = await browser.get("/trust", params={"school_urn": "100003"})
        assert "£131.40" in only.text and "£482.50" not in only.text
        r = await browser.get("/trust/claims.csv")
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert {row["school_urn"] for row in rows} == {"100002", "100003"}
        assert any(row["mentors"] == "'=HYPERLINK(1)" for row in rows)  # formula-safe


async def test_support_marks_a_provider_invalid_and_the_school_chooses_another_on_its_page(infra):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        await system.client.post("/api/v1/providers", headers=await system.as_user(SUPPORT), json={
            "name": "Teach First", "code": "TF", "email_addresses": []})
        ref = (await system.submit(HACKNEY, "100001", org["provider"]["id"],
                                   [("1234567", "Ada Lovelace", 10)])).json()["reference"]
        support = await system.browser(SUPPORT)
        r = await post(support, f"/claims/{ref}/invalid-provider", {"reason": ""})
        assert r.status_code == 422 and 'href="#reason"' in r.text
        assert location(await post(support, f"/claims/{ref}/invalid-provider",
                                   {"reason": "Not an accredited provider for these mentors"})) == f"/claims/{ref}"
        school = await system.browser(HACKNEY)
        page = await school.get(f"/school/claims/{ref}/provider")
        assert "The accredited provider you chose cannot be used for this claim" in page.text
        assert "Best Practice Network" not in re.sub(r"Claim \d+", "", page.text.split("<form", 1)[1])
        teach_first = re.search(r'<option value="([^"]+)">Teach First', page.text).group(1)
        assert location(await post(school, f"/school/claims/{ref}/provider", {"provider_id": teach_first})) \
            == f"/school/claims/{ref}?done=provider-changed"
        page = await school.get(f"/school/claims/{ref}")
        assert "Teach First" in page.text and "Submitted: we have your claim" in page.text
