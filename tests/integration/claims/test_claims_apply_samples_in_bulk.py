"""Claims applies a run of ClaimSampled events with set-based SQL; one refused event in the run is
dead-lettered alone and the others still apply (shared.platform Consumer.bulk_handlers)."""
from __future__ import annotations

from shared.contracts import ClaimSampled
from tests.support.claims import SUPPORT, pay, running_claims, setup_organisations, submit
from tests.support.messaging import eventually, publish, read_topic


async def test_a_refused_event_in_a_bulk_run_is_dead_lettered_alone(infra, isolated_env):
    async with running_claims(infra, isolated_env) as (client, _):
        org = await setup_organisations(client)
        refs = []
        for urn, trn in (("100001", "1111111"), ("100003", "2222222"), ("100004", "3333333")):
            refs.append((await submit(client, urn, org["provider"]["id"], [(trn, "Ada Lovelace", 5)])).json()["reference"])
        paid, also_paid, submitted = refs
        await pay(isolated_env, paid, also_paid)

        async def both_paid():
            for ref in (paid, also_paid):
                assert (await client.get(f"/internal/v1/claims/{ref}", headers=SUPPORT)).json()["status"] == "paid"
            return True
        await eventually(both_paid)

        sampled = [ClaimSampled(reference=ref, sample_reason="Random", upload_id="u1", provider_id="p")
                   for ref in (paid, submitted, also_paid)]
        await publish(isolated_env, *sampled, times=2)  # and delivered twice

        async def applied():
            for ref in (paid, also_paid):
                detail = (await client.get(f"/internal/v1/claims/{ref}", headers=SUPPORT)).json()
                assert detail["status"] == "sampling_in_progress" and detail["sample_reason"] == "Random"
                assert [h["to_status"] for h in detail["history"]].count("sampling_in_progress") == 1
            return True
        await eventually(applied)
        letters = await read_topic(isolated_env, "dlq.claims.status", until=2, timeout=3)
        assert [letter.original_event_id for letter in letters] == [str(sampled[1].event_id)]
        assert (await client.get(f"/internal/v1/claims/{submitted}", headers=SUPPORT)).json()["status"] == "submitted"
