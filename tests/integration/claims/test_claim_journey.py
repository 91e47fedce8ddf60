"""A claim travels from submission through the real broker and back (issue 2 / 3)."""
from __future__ import annotations

from shared.contracts import ClaimSampled, ClaimSentToPayer, PayerPaymentRecorded
from shared.contracts.topics import CLAIMS_EVENTS

from tests.support.claims import SUPPORT, running_claims, setup_organisations, submit
from tests.support.messaging import eventually, publish, read_topic


async def test_a_submitted_claim_is_priced_published_and_moves_with_facts_from_other_services(infra, isolated_env):
    async with running_claims(infra, isolated_env) as (client, app):
        org = await setup_organisations(client)
        r = await submit(client, "100001", org["provider"]["id"],
                         [("1234567", "Ada Lovelace", 10), ("7654321", "Grace Hopper", 10)])
        assert r.status_code == 201, r.text
        claim = r.json()
        assert claim["amount"] == "1072.00"
        assert claim["status"] == "submitted"
        ref = claim["reference"]
        assert len(ref) == 8 and ref.isdigit()

        events = await read_topic(isolated_env, CLAIMS_EVENTS.name, until=1)
        assert [e.type for e in events] == ["ClaimSubmitted"]
        assert events[0].reference == ref and str(events[0].amount) == "1072.00"

        sent = ClaimSentToPayer(reference=ref, payment_id="p1")
        paid = PayerPaymentRecorded(reference=ref, outcome="paid")
        await publish(isolated_env, sent, paid, times=2)  # delivered twice on purpose

        async def paid_once():
            detail = (await client.get(f"/internal/v1/claims/{ref}", headers=SUPPORT)).json()
            assert detail["status"] == "paid"
            return detail

        detail = await eventually(paid_once)
        changes = [h["to_status"] for h in detail["history"]]
        assert changes == ["paid", "payment_in_progress", "submitted"]  # newest first, each once
        events = await read_topic(isolated_env, CLAIMS_EVENTS.name, until=3)
        assert [e.type for e in events] == ["ClaimSubmitted", "ClaimStatusChanged", "ClaimStatusChanged"]


async def test_a_transition_that_is_not_allowed_is_dead_lettered_and_changes_nothing(infra, isolated_env):
    async with running_claims(infra, isolated_env) as (client, app):
        org = await setup_organisations(client)
        ref = (await submit(client, "100001", org["provider"]["id"], [("1234567", "Ada Lovelace", 5)])).json()["reference"]
        await publish(isolated_env, ClaimSampled(reference=ref, sample_reason="random", upload_id="u", provider_id="p"))
        letters = await read_topic(isolated_env, "dlq.claims.status", until=1)
        assert len(letters) == 1
        assert "cannot be sampled" in letters[0].error and "Submitted" in letters[0].error
        detail = (await client.get(f"/internal/v1/claims/{ref}", headers=SUPPORT)).json()
        assert detail["status"] == "submitted"
        assert [h["to_status"] for h in detail["history"]] == ["submitted"]
