"""Statements through the API: the worked examples of docs/design.md §7, deadlines, authorising, clawbacks,
adjustments and the CSV downloads."""
from __future__ import annotations

import csv
import io
import json

import pytest

from tests.support.ecf import FINANCE, STARTED, add_participant, set_up_provider

pytestmark = pytest.mark.integration


async def test_started_declarations_earn_119_40_each_and_the_uplift_once_per_flagged_participant(ecf):
    lp = await set_up_provider(ecf)
    for flags in ({"pupil_premium_uplift": True}, {"sparsity_uplift": True},
                  {"pupil_premium_uplift": True, "sparsity_uplift": True}, {}):
        participant = await add_participant(ecf, lp, **flags)
        assert (await ecf.declare(lp, participant_id=participant, **STARTED)).status_code == 200

    s = await ecf.statement(lp["statements"][0])

    assert s["output_fees"] == [{"declaration_type": "started", "band": "A", "count": 4, "fee": "119.40",
                                 "subtotal": "477.60"}]
    assert s["output_fee"] == "477.60"
    assert s["uplift"] == "300.00"  # three flagged participants, one of them with both flags: never £200
    assert s["total"] == "28225.88"  # 27448.28 + 477.60 + 300.00


async def test_a_retained_declaration_earns_89_55_on_the_statement_after_its_milestone_starts(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)
    ecf.clock.set("2026-12-10T09:00:00Z")
    r = await ecf.declare(lp, participant_id=participant, declaration_type="retained-1",
                          declaration_date="2026-12-09T16:00:00+00:00", course_identifier="ecf-induction",
                          evidence_held="training-event-attended")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["statement_id"] == lp["statements"][2]  # January 2027
    s = await ecf.statement(lp["statements"][2])
    assert s["output_fees"] == [{"declaration_type": "retained-1", "band": "A", "count": 1, "fee": "89.55",
                                 "subtotal": "89.55"}]


async def test_bands_fill_across_statements_2500_on_top_of_1900_pay_100_2000_and_400(ecf):
    lp = await set_up_provider(ecf)
    await ecf.bulk_declarations(lp, statement_id=lp["statements"][0], count=1900)
    await ecf.bulk_declarations(lp, statement_id=lp["statements"][1], count=2500)

    first = await ecf.statement(lp["statements"][0])
    second = await ecf.statement(lp["statements"][1])

    assert first["output_fee"] == "226860.00"  # started 1900 at £995
    assert [(x["band"], x["count"], x["fee"], x["subtotal"]) for x in second["output_fees"]] == [
        ("A", 100, "119.40", "11940.00"), ("B", 2000, "108.00", "216000.00"), ("C", 400, "96.00", "38400.00")]


async def test_uplift_for_100_sparsity_and_200_pupil_premium_participants_is_30000(ecf):
    lp = await set_up_provider(ecf)
    await ecf.bulk_declarations(lp, statement_id=lp["statements"][0], count=300, uplift=True)
    assert (await ecf.statement(lp["statements"][0]))["uplift"] == "30000.00"


async def test_after_the_deadline_eligible_becomes_payable_and_authorising_freezes_the_statement(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp, sparsity_uplift=True)
    declared = (await ecf.declare(lp, participant_id=participant, **STARTED)).json()["data"]
    november = lp["statements"][0]

    early = await ecf.post(f"/statements/{november}/authorise", {"assurance_checks_done": True})
    assert early.status_code == 422
    assert early.json()["errors"][0]["message"] == ("You cannot authorise November 2026 for payment until its "
                                                    "deadline date (31 Oct 2026) has passed")

    ecf.clock.set("2026-11-05T10:30:00Z")
    [listed] = (await ecf.declarations(lp))["data"]
    assert listed["attributes"]["state"] == "payable"
    assert (await ecf.statement(november))["state"] == "payable"

    unchecked = await ecf.post(f"/statements/{november}/authorise", {"assurance_checks_done": False})
    assert unchecked.status_code == 422
    assert unchecked.json()["errors"] == [{
        "message": "Confirm all necessary assurance checks have been done before authorising for payment",
        "field": "assurance_checks_done"}]

    r = await ecf.post(f"/statements/{november}/authorise", {"assurance_checks_done": True}, expect=200)
    s = r.json()
    assert s["state"] == "paid"
    assert s["authorised_at"] == "2026-11-05T10:30:00+00:00"
    assert s["authorised_for_payment"] == "Authorised for payment at 10:30am on 5 Nov 2026"
    assert s["total"] == "27667.68"  # 27448.28 + 119.40 + 100.00
    [listed] = (await ecf.declarations(lp))["data"]
    assert listed["id"] == declared["id"]
    assert listed["attributes"]["state"] == "paid" and listed["attributes"]["uplift_paid"] is True
    statements = (await ecf.client.get("/internal/v1/ecf/statements", headers=ecf.as_provider(lp))).json()["data"]
    assert [x["attributes"]["paid"] for x in statements] == [True, False, False, False]
    assert statements[0]["attributes"] | {"created_at": None, "updated_at": None} == {
        "month": "November", "year": "2026", "type": "ecf", "cohort": "2026", "cut_off_date": "2026-10-31",
        "payment_date": "2026-11-25", "paid": True, "created_at": None, "updated_at": None}

    [event] = await ecf.sql("SELECT type, key, topic, payload FROM outbox")
    assert (event.type, event.key, event.topic) == ("StatementAuthorised", november, "claimflow.ecf.events")
    payload = event.payload if isinstance(event.payload, dict) else json.loads(event.payload)
    assert payload["lead_provider_id"] == lp["id"] and payload["total"] == "27667.68"
    assert payload["actor"] == {"email": "finance@example.com", "role": "finance"}

    twice = await ecf.post(f"/statements/{november}/authorise", {"assurance_checks_done": True})
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["message"] == "November 2026 has already been authorised for payment"
    late = await ecf.post(f"/statements/{november}/adjustments", {"payment_type": "Late fee", "amount": "10.00"})
    assert late.status_code == 422 and "has been authorised for payment" in late.json()["errors"][0]["message"]
    assert len(await ecf.sql("SELECT * FROM outbox")) == 1


async def test_voiding_a_paid_declaration_claws_it_back_on_the_next_statement_and_nets_to_zero(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp, pupil_premium_uplift=True)
    declared = (await ecf.declare(lp, participant_id=participant, **STARTED)).json()["data"]
    november, december = lp["statements"][:2]
    ecf.clock.set("2026-11-05T10:30:00Z")
    await ecf.post(f"/statements/{november}/authorise", {"assurance_checks_done": True}, expect=200)

    voided = await ecf.void(lp, declared["id"])
    assert voided.status_code == 200, voided.text
    attributes = voided.json()["data"]["attributes"]
    assert attributes["state"] == "awaiting_clawback" and attributes["clawback_statement_id"] == december
    again = await ecf.void(lp, declared["id"])
    assert again.json()["errors"][0]["detail"] == "This declaration has already been voided and is awaiting clawback."

    paid, clawing = await ecf.statement(november), await ecf.statement(december)
    assert paid["output_fee"] == "119.40" and paid["uplift"] == "100.00"
    assert clawing["clawbacks"] == "219.40" and clawing["output_fee"] == "0.00"
    assert clawing["clawback_fees"] == [{"declaration_type": "started", "band": "A", "count": 1, "fee": "119.40",
                                         "subtotal": "119.40"}]
    assert clawing["total"] == "27228.88"  # 27448.28 − 219.40

    ecf.clock.set("2026-12-03T15:05:00Z")
    r = await ecf.post(f"/statements/{december}/authorise", {"assurance_checks_done": True}, expect=200)
    assert r.json()["authorised_for_payment"] == "Authorised for payment at 3:05pm on 3 Dec 2026"
    [listed] = (await ecf.declarations(lp))["data"]
    assert listed["attributes"]["state"] == "clawed_back"
    final = await ecf.void(lp, declared["id"])
    assert final.json()["errors"][0]["detail"] == "This declaration has been clawed back, so you can only view it."


async def test_adjustments_change_the_total_and_both_csv_files_download(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)
    declared = (await ecf.declare(lp, participant_id=participant, **STARTED)).json()["data"]
    november = lp["statements"][0]

    zero = await ecf.post(f"/statements/{november}/adjustments", {"payment_type": "Nothing", "amount": "0"})
    assert zero.status_code == 422 and zero.json()["errors"][0] == {"message": "Enter an amount other than £0",
                                                                    "field": "amount"}
    r = await ecf.client.post(f"/internal/v1/finance/statements/{november}/adjustments", headers=FINANCE,
                              content=b'{"payment_type": "Late delivery", "amount": -150.10}')
    assert r.status_code == 201, r.text
    assert r.json()["adjustments"] == "-150.10"
    assert r.json()["adjustment_lines"] == [{"payment_type": "Late delivery", "amount": "-150.10"}]
    assert r.json()["total"] == "27417.58"  # 27448.28 + 119.40 − 150.10

    statement_file = await ecf.get(f"/statements/{november}.csv")
    assert statement_file.status_code == 200
    assert statement_file.headers["content-type"].startswith("text/csv")
    assert 'filename="statement-november-2026.csv"' in statement_file.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(statement_file.text)))
    assert ["output_fee", "started", "A", "1", "119.40", "119.40"] in rows
    assert ["adjustment", "Late delivery", "", "", "", "-150.10"] in rows
    assert rows[-1] == ["total", "", "", "", "", "27417.58"]

    declarations_file = await ecf.get(f"/statements/{november}/declarations.csv")
    records = list(csv.DictReader(io.StringIO(declarations_file.text)))
    assert [(d["id"], d["state"], d["participant_id"]) for d in records] == [(declared["id"], "eligible", participant)]


async def test_finance_lists_a_providers_statements_in_payment_order(ecf):
    lp = await set_up_provider(ecf)
    await set_up_provider(ecf, "Teach First", schedule=False)
    r = await ecf.get(f"/statements?lead_provider_id={lp['id']}")
    body = r.json()
    assert body["total"] == 4 and body["page"] == 1
    assert [s["name"] for s in body["items"]] == ["November 2026", "December 2026", "January 2027", "February 2027"]
    assert [s["service_fee"] for s in body["items"]] == ["27448.28"] * 4
    assert (await ecf.get("/statements")).json()["total"] == 8


async def test_the_deadline_job_moves_declarations_to_payable_without_anyone_reading(ecf):
    from services.payments.ecf.handlers import run_deadlines
    from services.payments.ecf.unit_of_work import EcfUnitOfWork
    from shared.platform.db import make_engine, make_sessionmaker

    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)
    await ecf.declare(lp, participant_id=participant, **STARTED)
    ecf.clock.set("2026-11-01T00:30:00Z")
    engine = make_engine(ecf.url, pool_size=1)
    try:
        async with EcfUnitOfWork(make_sessionmaker(engine)) as uow:
            assert await run_deadlines(uow, ecf.clock) == 1
        async with EcfUnitOfWork(make_sessionmaker(engine)) as uow:
            assert await run_deadlines(uow, ecf.clock) == 0  # each statement once
    finally:
        await engine.dispose()
    [row] = await ecf.sql("SELECT state FROM ecf_declarations")
    assert row.state == "payable"


async def test_a_payment_type_that_looks_like_a_formula_downloads_as_text_in_the_statement_csv(ecf):
    lp = await set_up_provider(ecf)
    november = lp["statements"][0]
    formula = '=HYPERLINK("http://evil.example","Open")'
    r = await ecf.post(f"/statements/{november}/adjustments", {"payment_type": formula, "amount": "-10.00"})
    assert r.status_code == 201, r.text

    statement_file = await ecf.get(f"/statements/{november}.csv")

    rows = list(csv.reader(io.StringIO(statement_file.text)))
    assert ["adjustment", "'" + formula, "", "", "", "-10.00"] in rows
