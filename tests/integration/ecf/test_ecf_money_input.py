"""Amounts sent to the finance API go through the one money parser: anything but pounds and pence
as published is a 422 in plain words naming the field, and nothing is stored (issue 26, item 6)."""
from __future__ import annotations

import pytest

from tests.support.ecf import FINANCE, set_up_provider

pytestmark = pytest.mark.integration

FORMAT = "Enter the amount in pounds and pence, like 1072.00"
TOO_LARGE = "The amount must be between -£9,999,999,999.99 and £9,999,999,999.99"


async def test_an_adjustment_that_is_not_pounds_and_pence_is_refused_and_nothing_is_stored(ecf):
    lp = await set_up_provider(ecf)
    november = lp["statements"][0]
    before = await ecf.statement(november)
    path = f"/internal/v1/finance/statements/{november}/adjustments"

    cases = [(f'"{text}"', FORMAT) for text in
             ("1e309", "1e5", "1_000.00", "+12.00", " 12.00 ", "\u0661\u0662.\u0660\u0660", "NaN", "12.345")]
    cases += [("1e309", FORMAT), ("1E5", FORMAT), ('"99999999999.00"', TOO_LARGE), ("1" + "0" * 40, TOO_LARGE)]
    answers = []
    for amount, _ in cases:
        r = await ecf.client.post(path, headers={**FINANCE, "content-type": "application/json"},
                                  content=f'{{"payment_type": "Late fee", "amount": {amount}}}'.encode())
        answers.append((amount, r.status_code, r.json()))
    assert answers == [(amount, 422, {"errors": [{"message": message, "field": "amount"}]})
                       for amount, message in cases]

    assert await ecf.sql("SELECT * FROM ecf_adjustments") == []
    assert await ecf.statement(november) == before


async def test_an_adjustment_in_pounds_and_pence_is_stored_exactly(ecf):
    lp = await set_up_provider(ecf)
    november = lp["statements"][0]
    r = await ecf.post(f"/statements/{november}/adjustments", {"payment_type": "Late fee", "amount": "-9999999999.99"})
    assert r.status_code == 201, r.text
    assert r.json()["adjustment_lines"] == [{"payment_type": "Late fee", "amount": "-9999999999.99"}]
    assert [tuple(row) for row in await ecf.sql("SELECT payment_type, amount::text FROM ecf_adjustments")] == [
        ("Late fee", "-9999999999.99")]


async def test_contract_amounts_use_the_same_parser(ecf):
    lp = await ecf.lead_provider("Ambition Institute")
    r = await ecf.post("/contracts", {"lead_provider_id": lp["id"], "cohort": 2026, "recruitment_target": 10,
                                      "set_up_fee": "1e309", "uplift_amount": "+100.00",
                                      "bands": [{"name": "A", "min": 0, "max": 10, "per_participant": "1_000"}]})
    assert r.status_code == 422
    assert {e["field"]: e["message"] for e in r.json()["errors"]} == {
        "set_up_fee": "Enter the set up fee in pounds and pence, like 1072.00",
        "uplift_amount": "Enter the uplift amount in pounds and pence, like 1072.00",
        "bands.0.per_participant": "Enter the per participant in pounds and pence, like 1072.00"}
    assert await ecf.sql("SELECT * FROM ecf_contracts") == []
