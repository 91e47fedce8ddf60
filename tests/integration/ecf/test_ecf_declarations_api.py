"""Lead providers record and void declarations with JSON:API documents, as their v3 clients send them."""
from __future__ import annotations

import pytest

from tests.support.ecf import STARTED, add_participant, set_up_provider

pytestmark = pytest.mark.integration

DUPLICATE = "A declaration has already been submitted that will be, or has been, paid for this event"


async def test_a_started_declaration_is_eligible_on_the_next_output_statement(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp, pupil_premium_uplift=True)

    r = await ecf.declare(lp, participant_id=participant, **STARTED)

    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["type"] == "participant-declaration"
    attributes = data["attributes"]
    assert attributes["participant_id"] == participant
    assert attributes["state"] == "eligible"
    assert attributes["statement_id"] == lp["statements"][0]  # November 2026: deadline 31 Oct
    assert attributes["declaration_date"] == "2026-10-01T10:00:00Z"
    assert attributes["lead_provider_name"] == "Ambition Institute"
    assert attributes["uplift_paid"] is False and attributes["clawback_statement_id"] is None
    listed = await ecf.declarations(lp)
    assert [d["id"] for d in listed["data"]] == [data["id"]]


async def test_a_refused_declaration_gets_every_reason_as_json_api_errors_and_stores_nothing(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)

    r = await ecf.declare(lp, participant_id=participant, declaration_type="retained-1",
                          declaration_date="2026-10-01", course_identifier="ecf-mentor")

    assert r.status_code == 422
    assert r.json() == {"errors": [
        {"title": "declaration_date", "detail": "Enter a valid RFC 3339 '#/declaration_date'."},
        {"title": "course_identifier", "detail": "The entered '#/course_identifier' is not recognised for the given "
                                                 "participant. Check details and try again."},
        {"title": "evidence_held", "detail": "Enter a '#/evidence_held' value for this participant."},
    ]}
    assert (await ecf.declarations(lp))["data"] == []
    assert await ecf.sql("SELECT * FROM ecf_declarations") == []


async def test_a_declaration_outside_its_milestone_period_or_in_the_future_is_refused(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)
    early = await ecf.declare(lp, participant_id=participant, **{**STARTED, "declaration_date": "2026-08-31T23:00:00Z"})
    assert early.json()["errors"] == [{"title": "declaration_date",
                                       "detail": "Enter a '#/declaration_date' that's on or after the milestone start."}]
    future = await ecf.declare(lp, participant_id=participant, **{**STARTED, "declaration_date": "2026-10-16T10:00:00Z"})
    assert "cannot be a future date" in future.json()["errors"][0]["detail"]
    unknown_type = await ecf.declare(lp, participant_id=participant, **{**STARTED, "declaration_type": "extended-1"})
    assert unknown_type.json()["errors"][0]["detail"] == "The property '#/declaration_type' does not exist for this schedule."
    assert await ecf.sql("SELECT * FROM ecf_declarations") == []


async def test_a_duplicate_is_refused_but_a_voided_one_can_be_declared_again(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)
    first = (await ecf.declare(lp, participant_id=participant, **STARTED)).json()["data"]

    again = await ecf.declare(lp, participant_id=participant, **STARTED)
    assert again.status_code == 422 and again.json() == {"errors": [{"title": "base", "detail": DUPLICATE}]}

    voided = await ecf.void(lp, first["id"])
    assert voided.status_code == 200 and voided.json()["data"]["attributes"]["state"] == "voided"
    assert (await ecf.declare(lp, participant_id=participant, **STARTED)).status_code == 200
    again = await ecf.void(lp, first["id"])
    assert again.status_code == 422
    assert again.json()["errors"] == [{"title": "base", "detail": "This declaration has already been voided."}]


async def test_another_providers_participant_and_declarations_are_not_visible(ecf):
    ours = await set_up_provider(ecf)
    theirs = await set_up_provider(ecf, "Teach First", schedule=False)
    participant = await add_participant(ecf, theirs)

    r = await ecf.declare(ours, participant_id=participant, **STARTED)
    assert r.json()["errors"][0]["title"] == "participant_id"
    assert "is not recognised" in r.json()["errors"][0]["detail"]

    declared = (await ecf.declare(theirs, participant_id=participant, **STARTED)).json()["data"]
    assert (await ecf.void(ours, declared["id"])).status_code == 404
    r = await ecf.client.get(f"/internal/v1/ecf/participant-declarations/{declared['id']}",
                             headers=ecf.as_provider(ours))
    assert r.status_code == 404
    assert r.json() == {"errors": [{"title": "Resource not found", "detail": "Nothing could be found for your query"}]}
    assert (await ecf.declarations(ours))["data"] == []
    statements = (await ecf.client.get("/internal/v1/ecf/statements", headers=ecf.as_provider(ours))).json()
    assert {s["id"] for s in statements["data"]} == set(ours["statements"])
    r = await ecf.client.get(f"/internal/v1/ecf/statements/{theirs['statements'][0]}", headers=ecf.as_provider(ours))
    assert r.status_code == 404


async def test_without_a_lead_provider_the_lead_provider_routes_answer_401(ecf):
    r = await ecf.client.get("/internal/v1/ecf/participant-declarations",
                             headers={"x-lead-provider-id": "2b1f0a56-0000-4000-8000-000000000000"})
    assert r.status_code == 401


async def test_a_document_that_is_not_json_api_is_a_bad_request(ecf):
    lp = await set_up_provider(ecf)
    r = await ecf.client.post("/internal/v1/ecf/participant-declarations", headers=ecf.as_provider(lp),
                              json={"participant_id": "x"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["title"] == "Bad or missing parameters"


async def test_a_participant_not_yet_eligible_for_funding_stays_submitted_until_made_eligible(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp, funding_eligible=False)
    declared = (await ecf.declare(lp, participant_id=participant, **STARTED)).json()["data"]
    assert declared["attributes"]["state"] == "submitted" and declared["attributes"]["statement_id"] is None

    r = await ecf.post(f"/participants/{participant}/funding-eligible", {}, expect=200)
    assert r.json()["declarations_made_eligible"] == 1
    [listed] = (await ecf.declarations(lp))["data"]
    assert listed["attributes"]["state"] == "eligible"
    assert listed["attributes"]["statement_id"] == lp["statements"][0]


async def test_a_retired_duplicate_participants_records_move_and_its_new_declarations_are_ineligible(ecf):
    lp = await set_up_provider(ecf)
    kept = await add_participant(ecf, lp)
    duplicate = await add_participant(ecf, lp, full_name="Ada Lovelace (again)")
    on_duplicate = (await ecf.declare(lp, participant_id=duplicate, **STARTED)).json()["data"]

    r = await ecf.post(f"/participants/{duplicate}/retire", {"into_participant_id": kept}, expect=200)
    assert r.json() == {"id": duplicate, "retired_into": kept, "declarations_moved": 1, "duplicates_superseded": 0}
    [moved] = (await ecf.declarations(lp, **{"filter[participant_id]": kept}))["data"]
    assert moved["id"] == on_duplicate["id"] and moved["attributes"]["state"] == "eligible"

    # the kept participant now has the started declaration; the duplicate's id is ineligible from now on
    assert (await ecf.declare(lp, participant_id=kept, **STARTED)).json()["errors"][0]["detail"] == DUPLICATE
    late = (await ecf.declare(lp, participant_id=duplicate, **STARTED)).json()["data"]["attributes"]
    assert late["state"] == "ineligible" and late["ineligible_for_funding_reason"] == "duplicate_declaration"

    again = await ecf.post(f"/participants/{duplicate}/retire", {"into_participant_id": kept})
    assert again.status_code == 422 and "already been retired" in again.json()["errors"][0]["message"]


async def test_retiring_a_duplicate_with_the_same_event_keeps_one_and_makes_the_other_ineligible(ecf):
    lp = await set_up_provider(ecf)
    kept = await add_participant(ecf, lp)
    duplicate = await add_participant(ecf, lp)
    first = (await ecf.declare(lp, participant_id=kept, **STARTED)).json()["data"]
    second = (await ecf.declare(lp, participant_id=duplicate, **STARTED)).json()["data"]

    r = await ecf.post(f"/participants/{duplicate}/retire", {"into_participant_id": kept}, expect=200)
    assert r.json()["duplicates_superseded"] == 1
    states = {d["id"]: d["attributes"]["state"] for d in (await ecf.declarations(lp))["data"]}
    assert states == {first["id"]: "eligible", second["id"]: "ineligible"}
    statement = await ecf.statement(lp["statements"][0])
    assert statement["output_fee"] == "119.40"  # one started declaration paid, not two


async def test_declarations_are_paginated_like_the_v3_api(ecf):
    lp = await set_up_provider(ecf)
    ids = []
    for n in range(5):
        participant = await add_participant(ecf, lp, trn=f"100000{n}")
        ecf.clock.set(f"2026-10-15T10:0{n}:00Z")  # listed oldest first
        ids.append((await ecf.declare(lp, participant_id=participant, **STARTED)).json()["data"]["id"])
    page2 = await ecf.declarations(lp, **{"page[page]": "2", "page[per_page]": "2"})
    assert [d["id"] for d in page2["data"]] == ids[2:4]
    assert page2["meta"] == {"total": 5, "page": 2, "per_page": 2}
    assert (await ecf.declarations(lp, **{"filter[cohort]": "2025"}))["data"] == []
    bad = await ecf.client.get("/internal/v1/ecf/participant-declarations", params={"page[page]": "0"},
                               headers=ecf.as_provider(lp))
    assert bad.status_code == 400
