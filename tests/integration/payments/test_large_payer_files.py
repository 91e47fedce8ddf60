"""Payer and clawback responses far past PostgreSQL's 32,767 bound parameters a statement: every
reference travels in one array parameter, so a 200,000-row file is answered (refused row by row,
or accepted) and never crashes the service."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.support.payments import ALICE, NOW, csv_file, running_payments, sql
from tests.support.sampling import database_digest

ROWS = 200_000
FIRST = 30_000_000


#: Past the 32,767 parameters, small enough to apply (200,000 events to the outbox) in a few seconds.
PAST_THE_LIMIT = 33_000


def response(header: str, line: str, rows: int = ROWS) -> dict:
    return csv_file(header + "\n" + "".join(line.format(ref=FIRST + i) for i in range(rows)))


PAYMENT_RESPONSE = ("claim_reference,claim_status,claim_unpaid_reason", "{ref},paid,\n")
CLAWBACK_RESPONSE = ("claim_reference,claim_status", "{ref},clawback_complete\n")


async def in_status(app, status: str, rows: int = ROWS) -> None:
    """``rows`` claims of window w1 in ``status`` in payments' projection, written set-wise."""
    async with app.state.runtime.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO school_claims (reference, status, school_urn, school_name, provider_id, provider_name,"
            " claim_window_id, academic_year, hourly_rate, amount, submitted_at) "
            "SELECT (:first + g)::text, :status, '100003', 'School', 'p1', 'Provider', 'w1', '2026/27', 43.80, 438.00,"
            " :now FROM generate_series(0, :n - 1) AS g"), {"first": FIRST, "status": status, "n": rows, "now": NOW})


def database_url(app) -> str:
    return app.state.runtime.engine.url.render_as_string(hide_password=False)


def refused_in_a_short_answer(r) -> None:
    """422, the first 100 row errors and one counting the rest (never a 5xx or 30 MB of JSON)."""
    assert r.status_code == 422, r.text[:500]
    assert len(r.content) < 20_000
    errors = r.json()["errors"]
    assert len(errors) == 101
    assert errors[0]["field"] == "claim_reference" and errors[0]["row"] == 2
    assert errors[-1]["message"] == "and 199,900 more errors"


@pytest.mark.parametrize(("path", "file"), [
    ("/internal/v1/payments/responses", PAYMENT_RESPONSE),
    ("/internal/v1/clawbacks/responses", CLAWBACK_RESPONSE),
], ids=["payer response", "clawback response"])
async def test_a_response_of_200000_unknown_references_is_refused_row_by_row_and_changes_nothing(
        infra, isolated_env, path, file):
    async with running_payments(infra, isolated_env) as (client, app):
        before = await database_digest(database_url(app))
        r = await client.post(path, headers=ALICE, files=response(*file))
        refused_in_a_short_answer(r)
        assert await database_digest(database_url(app)) == before


@pytest.mark.parametrize(("status", "path", "file", "counted"), [
    ("payment_in_progress", "/internal/v1/payments/responses", PAYMENT_RESPONSE, "paid"),
    ("clawback_in_progress", "/internal/v1/clawbacks/responses", CLAWBACK_RESPONSE, "complete"),
], ids=["payer response paying 200000 claims in payment", "clawback response completing 200000 clawbacks"])
async def test_a_response_answering_200000_claims_is_accepted(infra, isolated_env, status, path, file, counted):
    async with running_payments(infra, isolated_env) as (client, app):
        await in_status(app, status)
        r = await client.post(path, headers=ALICE, files=response(*file))
        assert r.status_code == 201, r.text[:500]
        assert (r.json()["claim_count"], r.json()[counted]) == (ROWS, ROWS)


async def test_confirming_a_payer_response_of_more_claims_than_a_statement_has_parameters_pays_them_all(
        infra, isolated_env):
    async with running_payments(infra, isolated_env) as (client, app):
        await in_status(app, "payment_in_progress", PAST_THE_LIMIT)
        r = await client.post("/internal/v1/payments/responses", headers=ALICE,
                              files=response(*PAYMENT_RESPONSE, PAST_THE_LIMIT))
        assert r.status_code == 201, r.text[:500]
        confirmed = await client.post(f"/internal/v1/payments/responses/{r.json()['upload_id']}/confirm",
                                      headers=ALICE)
        assert confirmed.status_code == 202, confirmed.text[:500]
        assert confirmed.json()["paid"] == PAST_THE_LIMIT
        assert (await sql(app, "SELECT count(*) FROM school_claims WHERE expected_status = 'paid'"))[0][0] == \
            PAST_THE_LIMIT
