"""Finance users set up lead providers' contracts, schedules, statements and participants."""
from __future__ import annotations

import hashlib

import pytest

from tests.support.ecf import FINANCE, STANDARD_MILESTONES, add_participant, set_up_provider

pytestmark = pytest.mark.integration


async def test_a_lead_provider_gets_a_token_that_only_its_hash_is_stored_for(ecf):
    lp = await ecf.lead_provider("Ambition Institute")
    assert lp["name"] == "Ambition Institute" and lp["api_token"].startswith("ecf-lp-")
    [row] = await ecf.sql("SELECT api_token_hash FROM ecf_lead_providers WHERE id = :id", id=lp["id"])
    assert row.api_token_hash == hashlib.sha256(lp["api_token"].encode()).hexdigest()
    assert lp["api_token"] not in str(await ecf.sql("SELECT * FROM ecf_lead_providers"))

    bearer = await ecf.client.get("/internal/v1/ecf/lead-providers/by-token",
                                  headers={"x-lead-provider-token": f"Bearer {lp['api_token']}"})
    assert bearer.json() == {"id": lp["id"], "name": "Ambition Institute"}
    wrong = await ecf.client.get("/internal/v1/ecf/lead-providers/by-token",
                                 headers={"x-lead-provider-token": lp["api_token"] + "x"})
    assert wrong.status_code == 401
    assert wrong.json() == {"errors": [{"title": "Unauthorized", "detail": "HTTP Token: Access denied"}]}


async def test_the_internal_api_answers_only_the_gateway(ecf):
    r = await ecf.client.get("/internal/v1/finance/statements", headers={"x-internal-token": "nope"})
    assert r.status_code == 401


async def test_a_second_lead_provider_with_the_same_name_is_refused(ecf):
    from services.payments.ecf.admin import add_lead_provider
    from shared.contracts import Refused

    await ecf.lead_provider("Teach First")
    with pytest.raises(Refused, match="already a lead provider called Teach First"):
        await add_lead_provider(ecf.url, name="teach first")


async def test_the_worked_example_contract_at_995_on_2000_pays_27448_28_service_fee_a_month(ecf):
    lp = await set_up_provider(ecf)
    statement = await ecf.statement(lp["statements"][0])
    assert statement["service_fee"] == "27448.28"
    assert statement["output_fee"] == "0.00" and statement["total"] == "27448.28"
    assert statement["state"] == "open" and statement["authorised_at"] is None

    contracts = (await ecf.get(f"/contracts?lead_provider_id={lp['id']}")).json()["items"]
    assert contracts[0]["service_fee_total"] == "796000.00"
    assert contracts[0]["bands"][0]["service_fee_per_participant"] == "398.00"


async def test_a_set_up_fee_is_recouped_from_band_a_service_fee(ecf):
    lp = await set_up_provider(ecf, price="1400.00", set_up_fee="150000.00",
                               bands=[{"name": "A", "min": 0, "max": 2000, "per_participant": "1400.00"}])
    [contract] = (await ecf.get(f"/contracts?lead_provider_id={lp['id']}")).json()["items"]
    assert contract["bands"][0]["service_fee_per_participant"] == "485.00"
    assert contract["bands"][0]["output_fee_per_participant"] == "840.00"


async def test_the_1350_contract_pays_37241_38_a_month_and_vat_on_top_when_chargeable(ecf):
    lp = await set_up_provider(ecf, vat_chargeable=True,
                               bands=[{"name": "A", "min": 0, "max": 2000, "per_participant": "1350.00"}])
    statement = await ecf.statement(lp["statements"][0])
    assert statement["service_fee"] == "37241.38"
    assert statement["vat"] == "7448.28" and statement["total"] == "44689.66"


async def test_a_contract_with_a_band_dearer_than_the_one_before_is_refused_and_nothing_is_stored(ecf):
    lp = await ecf.lead_provider("Ambition Institute")
    r = await ecf.post("/contracts", {
        "lead_provider_id": lp["id"], "cohort": 2026, "recruitment_target": 2000,
        "bands": [{"name": "A", "min": 0, "max": 2000, "per_participant": "995.00"},
                  {"name": "B", "min": 2001, "max": 4000, "per_participant": "996.00"}]})
    assert r.status_code == 422
    assert r.json() == {"errors": [{"message": "Band B’s price per participant must be less than band A’s (£995.00)",
                                    "field": "bands[1]"}]}
    assert await ecf.sql("SELECT * FROM ecf_contracts") == []


async def test_missing_and_malformed_fields_are_each_named(ecf):
    r = await ecf.post("/contracts", {"cohort": "next year", "bands": [{"name": "A", "min": 0, "max": 10,
                                                                        "per_participant": "9.999"}],
                                      "colour": "red"})
    assert r.status_code == 422
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert errors["lead_provider_id"] == "Enter the lead provider id"
    assert errors["cohort"] == "Enter a valid cohort"
    assert errors["recruitment_target"] == "Enter the recruitment target"
    assert errors["bands.0.per_participant"] == "Enter the per participant in pounds and pence, like 1072.00"
    assert errors["colour"] == "‘colour’ is not something this request takes"


async def test_statements_need_the_contract_first_and_unique_names(ecf):
    lp = await ecf.lead_provider("Ambition Institute")
    body = {"lead_provider_id": lp["id"], "cohort": 2026, "name": "December 2026", "deadline_date": "2026-11-30",
            "payment_date": "2026-12-22", "output_fee": True}
    r = await ecf.post("/statements", body)
    assert r.status_code == 422
    assert r.json()["errors"][0] == {"message": "Set up Ambition Institute’s contract for the 2026 cohort before its "
                                                "statements", "field": "cohort"}
    lp = await set_up_provider(ecf, "Teach First")
    r = await ecf.post("/statements", {**body, "lead_provider_id": lp["id"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"


async def test_participants_need_a_known_provider_schedule_and_trn(ecf):
    lp = await set_up_provider(ecf)
    r = await ecf.post("/participants", {"lead_provider_id": lp["id"], "cohort": 2026, "schedule": "ecf-extended",
                                         "trn": "12x", "full_name": " ", "course_identifier": "npq-headship"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["schedule", "trn", "full_name", "course_identifier"]
    assert await ecf.sql("SELECT * FROM ecf_participants") == []
    assert await add_participant(ecf, lp)


async def test_a_schedule_is_unique_per_cohort(ecf):
    await set_up_provider(ecf)
    r = await ecf.post("/schedules", {"identifier": "ecf-standard-september", "cohort": 2026,
                                      "milestones": STANDARD_MILESTONES})
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "There is already a schedule called ecf-standard-september for the " \
                                               "2026 cohort"


async def test_an_unknown_statement_is_not_found(ecf):
    r = await ecf.get("/statements/2b1f0a56-0000-4000-8000-000000000000")
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "id"
    r = await ecf.get("/statements/not-a-uuid")
    assert r.status_code == 404
    assert (await ecf.client.get("/internal/v1/finance/statements/not-a-uuid.csv", headers=FINANCE)).status_code == 404
