"""Send to payer right after a submission (issue 26 item 13): the gateway passes the references
claims shows as submitted in the window; payments waits, a bounded time, for its projection to see
them, so a claim submitted a moment before is sent with the rest, and says how many it could not
wait for instead of answering "N claims sent" while one more shows as submitted."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.support.messaging import publish
from tests.support.payments import ALICE, projected, running_payments, sql, submitted


async def sent_references(app, payment_id: str) -> list[str]:
    return [r[0] for r in await sql(app, "SELECT claim_reference FROM payment_claims WHERE payment_id = :p "
                                         "ORDER BY claim_reference", p=payment_id)]


async def test_a_claim_submitted_a_moment_before_the_send_is_sent_with_the_rest(infra, isolated_env):
    async with running_payments(infra, isolated_env) as (client, app):
        await publish(isolated_env, submitted("40000001"))
        await projected(client, "submitted", 1)

        async def submitted_late():
            await asyncio.sleep(0.5)  # the send has started and found only the first claim
            await publish(isolated_env, submitted("40000002"))

        late = asyncio.create_task(submitted_late())
        r = await client.post("/internal/v1/payments", headers=ALICE, json={
            "claim_window_id": "w1", "submitted_references": ["40000001", "40000002"]})
        await late

        assert r.status_code == 201, r.text
        assert (r.json()["claim_count"], r.json()["claims_still_arriving"]) == (2, 0)
        assert await sent_references(app, r.json()["payment_id"]) == ["40000001", "40000002"]


async def test_a_claim_that_has_not_arrived_when_the_wait_ends_is_counted_as_still_arriving(infra, isolated_env):
    async with running_payments(infra, isolated_env, catch_up=timedelta(milliseconds=300)) as (client, app):
        await publish(isolated_env, submitted("40000001"))
        await projected(client, "submitted", 1)

        r = await client.post("/internal/v1/payments", headers=ALICE, json={
            "claim_window_id": "w1", "submitted_references": ["40000001", "40000002"]})

        assert r.status_code == 201, r.text
        assert (r.json()["claim_count"], r.json()["claims_still_arriving"]) == (1, 1)
        assert await sent_references(app, r.json()["payment_id"]) == ["40000001"]


async def test_a_window_whose_only_claim_is_still_arriving_is_refused_saying_so(infra, isolated_env):
    async with running_payments(infra, isolated_env, catch_up=timedelta(milliseconds=300)) as (client, app):
        r = await client.post("/internal/v1/payments", headers=ALICE, json={
            "claim_window_id": "w1", "submitted_references": ["40000002"]})

        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["message"] == (
            "You cannot send claims to the payer yet as 1 claim submitted a moment ago is still arriving. "
            "Try again in a minute")
        assert (await sql(app, "SELECT count(*) FROM payment_batches"))[0][0] == 0
