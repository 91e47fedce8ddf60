"""Lead providers' v3 participants endpoints (docs/design.md §15): list, show, withdraw, defer, resume and
change-schedule in the v3 shapes, and the declarations their statuses refuse, with nothing stored."""
from __future__ import annotations

import pytest

from tests.support.ecf import STARTED, add_participant, set_up_provider

pytestmark = pytest.mark.integration


def document(**attributes):
    return {"data": {"type": "participant", "attributes": attributes}}


async def put(ecf, lp, participant, action, **attributes):
    return await ecf.client.put(f"/internal/v1/ecf/participants/{participant}/{action}", json=document(**attributes),
                                headers=ecf.as_provider(lp))


async def declaration_count(ecf) -> int:
    return (await ecf.sql("SELECT count(*) FROM ecf_declarations"))[0][0]


async def test_a_lead_provider_lists_and_shows_its_participants_in_the_v3_shape(ecf):
    lp = await set_up_provider(ecf)
    other = await set_up_provider(ecf, "Teach First", schedule=False)
    participant = await add_participant(ecf, lp, pupil_premium_uplift=True)
    await add_participant(ecf, other, trn="7654321")

    listed = await ecf.client.get("/internal/v1/ecf/participants", headers=ecf.as_provider(lp))
    shown = await ecf.client.get(f"/internal/v1/ecf/participants/{participant}", headers=ecf.as_provider(lp))
    theirs = await ecf.client.get(f"/internal/v1/ecf/participants/{participant}", headers=ecf.as_provider(other))

    assert listed.status_code == 200 and listed.json()["meta"]["total"] == 1
    data = shown.json()["data"]
    assert listed.json()["data"] == [data]
    assert data["type"] == "participant" and data["id"] == participant
    assert data["attributes"]["full_name"] == "Ada Lovelace"
    assert data["attributes"]["teacher_reference_number"] == "1234567"
    [enrolment] = data["attributes"]["ecf_enrolments"]
    assert {k: enrolment[k] for k in ("participant_type", "cohort", "training_status", "participant_status",
                                      "schedule_identifier", "pupil_premium_uplift", "withdrawal", "deferral")} == {
        "participant_type": "ect", "cohort": "2026", "training_status": "active", "participant_status": "active",
        "schedule_identifier": "ecf-standard-september", "pupil_premium_uplift": True, "withdrawal": None,
        "deferral": None}
    assert theirs.status_code == 404
    assert theirs.json() == {"errors": [{"title": "Resource not found",
                                         "detail": "Nothing could be found for your query"}]}


async def test_after_a_withdrawal_a_later_declaration_is_refused_and_nothing_is_stored(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)

    withdrawn = await put(ecf, lp, participant, "withdraw", reason="moved-school", course_identifier="ecf-induction")
    assert withdrawn.status_code == 200, withdrawn.text
    enrolment = withdrawn.json()["data"]["attributes"]["ecf_enrolments"][0]
    assert enrolment["training_status"] == "withdrawn"
    assert enrolment["withdrawal"] == {"reason": "moved-school", "date": "2026-10-15T10:00:00Z"}

    ecf.clock.set("2026-11-10T10:00:00Z")
    r = await ecf.declare(lp, participant_id=participant, **{**STARTED, "declaration_date": "2026-11-01T10:00:00Z"})

    assert r.status_code == 422
    assert r.json()["errors"] == [{"title": "declaration_date", "detail":
                                   "This participant withdrew from this course on 2026-10-15. Enter a "
                                   "'#/declaration_date' that's on or before the withdrawal date."}]
    assert await declaration_count(ecf) == 0
    earlier = await ecf.declare(lp, participant_id=participant, **STARTED)  # dated 1 Oct: before the withdrawal
    assert earlier.status_code == 200, earlier.text


async def test_a_withdrawal_needs_a_known_reason_and_the_participants_course(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)

    bad_reason = await put(ecf, lp, participant, "withdraw", reason="fed-up", course_identifier="ecf-induction")
    bad_course = await put(ecf, lp, participant, "withdraw", reason="other", course_identifier="ecf-mentor")
    no_document = await ecf.client.put(f"/internal/v1/ecf/participants/{participant}/withdraw", json={},
                                       headers=ecf.as_provider(lp))

    assert bad_reason.status_code == 422 and bad_reason.json()["errors"][0]["title"] == "reason"
    assert bad_course.status_code == 422 and bad_course.json()["errors"][0]["title"] == "course_identifier"
    assert no_document.status_code == 400


async def test_a_declaration_dated_during_a_deferral_is_refused_even_after_the_participant_resumed(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)
    ecf.clock.set("2026-10-05T10:00:00Z")
    deferred = await put(ecf, lp, participant, "defer", reason="parental-leave", course_identifier="ecf-induction")
    assert deferred.json()["data"]["attributes"]["ecf_enrolments"][0]["training_status"] == "deferred"
    ecf.clock.set("2026-10-20T10:00:00Z")
    during = await ecf.declare(lp, participant_id=participant, **{**STARTED, "declaration_date": "2026-10-10T10:00:00Z"})
    assert during.status_code == 422
    assert during.json()["errors"][0]["detail"].startswith("This participant was deferred from this course on 2026-10-05")

    resumed = await put(ecf, lp, participant, "resume", course_identifier="ecf-induction")
    assert resumed.json()["data"]["attributes"]["ecf_enrolments"][0]["training_status"] == "active"
    still_during = await ecf.declare(lp, participant_id=participant,
                                     **{**STARTED, "declaration_date": "2026-10-10T10:00:00Z"})
    after = await ecf.declare(lp, participant_id=participant, **{**STARTED, "declaration_date": "2026-10-20T10:00:00Z"})

    assert still_during.status_code == 422
    assert after.status_code == 200, after.text
    assert await declaration_count(ecf) == 1


async def test_a_declaration_out_of_milestone_order_is_refused_for_a_cohort_from_2025(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)
    ecf.clock.set("2027-01-10T10:00:00Z")
    retained = await ecf.declare(lp, participant_id=participant, declaration_type="retained-1",
                                 declaration_date="2026-12-02T10:00:00Z", course_identifier="ecf-induction",
                                 evidence_held="other")
    assert retained.status_code == 200, retained.text

    # started's period runs to 30 Nov; a started dated after the retained-1 (2 Dec) is out of order
    late_start = await ecf.declare(lp, participant_id=participant,
                                   **{**STARTED, "declaration_date": "2026-12-05T10:00:00Z"})
    assert late_start.status_code == 422
    assert any(e["detail"].startswith("The '#/declaration_date' must be in milestone order")
               for e in late_start.json()["errors"])
    assert await declaration_count(ecf) == 1


async def test_a_frozen_cohort_refuses_declarations_with_this_cohort_is_closed_for_payments(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)
    frozen = await ecf.post("/cohorts/2026/freeze", {}, expect=200)
    assert frozen.json()["frozen"] is True

    r = await ecf.declare(lp, participant_id=participant, **STARTED)

    assert r.status_code == 422
    assert r.json()["errors"] == [{"title": "cohort", "detail": "This cohort is closed for payments"}]
    assert await declaration_count(ecf) == 0


async def test_a_mentor_already_funded_for_completed_training_gets_no_declaration_again(ecf):
    lp = await set_up_provider(ecf)
    first = await add_participant(ecf, lp, course_identifier="ecf-mentor", trn="1112223")
    again = await add_participant(ecf, lp, course_identifier="ecf-mentor", trn="1112223", full_name="Ada L")
    ecf.clock.set("2027-06-10T10:00:00Z")
    await ecf.post("/statements", {"lead_provider_id": lp["id"], "cohort": 2026, "name": "July 2027",
                                   "deadline_date": "2027-06-30", "payment_date": "2027-07-25"}, expect=201)
    completed = {"declaration_type": "completed", "declaration_date": "2027-06-05T10:00:00Z",
                 "course_identifier": "ecf-mentor", "evidence_held": "other"}
    assert (await ecf.declare(lp, participant_id=first, **completed)).status_code == 200

    r = await ecf.declare(lp, participant_id=again, **completed)

    assert r.status_code == 422
    assert r.json()["errors"] == [{"title": "participant_id", "detail": "This mentor has already been funded for "
                                   "completed mentor training, so they cannot be funded again"}]
    assert await declaration_count(ecf) == 1


async def test_a_schedule_change_is_refused_while_a_declaration_would_fall_outside_it(ecf):
    lp = await set_up_provider(ecf)
    await ecf.post("/schedules", {"identifier": "ecf-standard-january", "cohort": 2026, "milestones": [
        {"declaration_type": "started", "start_date": "2027-01-01", "milestone_date": None}]}, expect=201)
    participant = await add_participant(ecf, lp)
    declared = await ecf.declare(lp, participant_id=participant, **STARTED)

    refused = await put(ecf, lp, participant, "change-schedule", schedule_identifier="ecf-standard-january",
                        cohort=2026, course_identifier="ecf-induction")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["detail"].endswith("Void it first.")

    await ecf.void(lp, declared.json()["data"]["id"])
    changed = await put(ecf, lp, participant, "change-schedule", schedule_identifier="ecf-standard-january",
                        cohort=2026, course_identifier="ecf-induction")
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["attributes"]["ecf_enrolments"][0]["schedule_identifier"] == "ecf-standard-january"
