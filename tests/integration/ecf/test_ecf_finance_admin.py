"""Finance's ECF administration (docs/design.md §15): RECT contracts with flat-rate mentors, raising a band's
capacity, duplicates and retiring one into the other, making a participant eligible, temporary
cohorts, freezing a cohort and moving its participants, and statement notes."""
from __future__ import annotations

import pytest

from tests.support.ecf import STANDARD_MILESTONES, STARTED, add_participant, set_up_provider

pytestmark = pytest.mark.integration


async def test_an_ittecf_ectp_statement_pays_mentors_the_flat_rate_beside_the_banded_output_fee(ecf):
    lp = await set_up_provider(ecf, contract_type="ittecf_ectp", mentor_fee_per_declaration="1000.00")
    ect = await add_participant(ecf, lp)
    mentor = await add_participant(ecf, lp, course_identifier="ecf-mentor", trn="7654321", sparsity_uplift=True)
    assert (await ecf.declare(lp, participant_id=ect, **STARTED)).status_code == 200
    assert (await ecf.declare(lp, participant_id=mentor,
                              **{**STARTED, "course_identifier": "ecf-mentor"})).status_code == 200

    statement = await ecf.statement(lp["statements"][0])

    assert statement["contract_type"] == "ittecf_ectp"
    assert statement["output_fee"] == "119.40"
    assert statement["mentor_output_fee"] == "500.00"
    assert statement["uplift"] == "0.00"
    contract = (await ecf.get("/contracts")).json()["items"][0]
    assert contract["mentor_fee_per_declaration"] == "1000.00"
    assert [b["output_fee_percent"] for b in contract["bands"]] == ["60", "60", "60"]


async def test_raising_a_band_capacity_moves_the_later_bands_up(ecf):
    lp = await set_up_provider(ecf)

    r = await ecf.post(f"/contracts/{lp['contract_id']}/bands/A/capacity", {"max": 2500}, expect=200)
    refused = await ecf.post(f"/contracts/{lp['contract_id']}/bands/A/capacity", {"max": 100}, expect=422)

    assert r.json()["max"] == 2500
    bands = (await ecf.get("/contracts")).json()["items"][0]["bands"]
    assert [(b["name"], b["first_participant"], b["last_participant"]) for b in bands] == [
        ("A", 1, 2500), ("B", 2501, 4500), ("C", 4501, 6500)]
    assert refused.json()["errors"] == [{"message": "Enter a maximum for band A above 2500", "field": "max"}]


async def test_duplicates_by_trn_or_name_and_date_of_birth_are_listed_and_one_is_retired_into_the_other(ecf):
    lp = await set_up_provider(ecf)
    kept = await add_participant(ecf, lp, trn="1234567", date_of_birth="1990-01-02")
    same_trn = await add_participant(ecf, lp, trn="1234567", full_name="A Lovelace")
    same_person = await add_participant(ecf, lp, trn="2222222", full_name="ada lovelace", date_of_birth="1990-01-02")
    await add_participant(ecf, lp, trn="3333333", full_name="Someone Else")

    found = (await ecf.get("/participants?duplicates=true")).json()["items"]
    pairs = {frozenset((p["participant"]["id"], p["duplicate_of"]["id"])): p["reason"] for p in found}
    assert pairs == {frozenset((kept, same_trn)): "same TRN",
                     frozenset((kept, same_person)): "same name and date of birth"}

    retired = await ecf.post(f"/participants/{same_trn}/retire", {"into": kept}, expect=200)
    assert retired.json()["retired_into"] == kept
    found = (await ecf.get("/participants?duplicates=true")).json()["items"]
    assert len(found) == 1
    searched = (await ecf.get("/participants?q=lovelace")).json()
    assert searched["total"] == 3


async def test_a_participant_made_eligible_has_its_submitted_declarations_made_eligible(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp, funding_eligible=False)
    declared = await ecf.declare(lp, participant_id=participant, **STARTED)
    assert declared.json()["data"]["attributes"]["state"] == "submitted"

    r = await ecf.post(f"/participants/{participant}/eligible", {}, expect=200)

    assert r.json()["declarations_made_eligible"] == 1
    detail = (await ecf.get(f"/participants/{participant}")).json()
    assert [d["state"] for d in detail["declarations"]] == ["eligible"]


async def test_an_ect_in_a_temporary_cohort_has_unpayable_declarations_until_the_induction_start_date(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp, induction_start_date=None)
    assert (await ecf.get(f"/participants/{participant}")).json()["temporary_cohort"] is True
    declared = await ecf.declare(lp, participant_id=participant, **STARTED)
    assert declared.json()["data"]["attributes"]["state"] == "submitted"
    assert (await ecf.statement(lp["statements"][0]))["output_fee"] == "0.00"

    r = await ecf.post(f"/participants/{participant}/induction-start-date",
                       {"induction_start_date": "2026-09-01"}, expect=200)

    assert r.json()["declarations_made_eligible"] == 1
    assert (await ecf.statement(lp["statements"][0]))["output_fee"] == "119.40"
    assert (await ecf.get(f"/participants/{participant}")).json()["temporary_cohort"] is False


async def test_freezing_a_cohort_moves_its_participants_to_an_open_cohort_with_unpaid_declarations_voided(ecf):
    lp = await set_up_provider(ecf)
    await ecf.post("/schedules", {"identifier": "ecf-standard-september", "cohort": 2027,
                                  "milestones": STANDARD_MILESTONES}, expect=201)
    participant = await add_participant(ecf, lp)
    await ecf.declare(lp, participant_id=participant, **STARTED)

    r = await ecf.post("/cohorts/2026/freeze", {"move_to_cohort": 2027}, expect=200)

    assert r.json() == {"cohort": 2026, "frozen": True, "newly_frozen": True, "participants_moved": 1,
                        "declarations_voided": 1, "moved_to_cohort": 2027}
    detail = (await ecf.get(f"/participants/{participant}")).json()
    assert detail["cohort"] == 2027
    assert [d["state"] for d in detail["declarations"]] == ["voided"]
    assert (await ecf.get("/cohorts/frozen")).json()["items"] == [2026]


async def test_finance_adds_audit_notes_to_a_statement_with_who_and_when(ecf):
    lp = await set_up_provider(ecf)

    r = await ecf.post(f"/statements/{lp['statements'][0]}/notes", {"text": "Checked with the provider"},
                       expect=201)
    empty = await ecf.post(f"/statements/{lp['statements'][0]}/notes", {"text": "  "}, expect=422)

    [note] = r.json()["notes"]
    assert (note["text"], note["created_by"]) == ("Checked with the provider", "finance@example.com")
    assert (await ecf.statement(lp["statements"][0]))["notes"] == [note]
    assert empty.json()["errors"] == [{"message": "Enter a note", "field": "text"}]
