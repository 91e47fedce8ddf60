"""Claims applies ClaimsSampled batches (1,000 claims a message) in one statement: a batch
delivered twice applies once; a claim of a batch in the wrong status is dead-lettered alone, as the
ClaimSampled it stands for, and the batch's other claims apply; that dead letter replays on its
own; single ClaimSampled events are still applied. The ClaimStatusesChanged events the database
builds (one per batch and partition of the claims topic; one ClaimStatusChanged a claim when that
topic's partition count is unknown) decode to exactly what the contract writes."""
from __future__ import annotations

from aiokafka import AIOKafkaProducer

from services.claims.handlers import ItemDeadLetters, handle_claims_sampled
from services.claims.unit_of_work import ClaimsUnitOfWork
from shared.contracts import (Actor, ClaimSampled, ClaimsSampled, ClaimStatusesChanged, DeadLetter, SampledClaimItem,
                              decode)
from shared.contracts.claims import item_event_id
from shared.contracts.topics import CLAIMS_EVENTS
from shared.platform.clock import SystemClock
from shared.platform.db import make_engine, make_sessionmaker
from shared.platform.messaging import REPLAY_HEADER, known_partitions, partition_for, topic_name
from tests.support.claims import SUPPORT, pay, running_claims, setup_organisations, submit
from tests.support.messaging import eventually, outbox_payloads, publish, read_topic

SUPPORT_ACTOR = Actor(email="support@example.com", role="support")


def batch(*references: str, upload_id: str = "upload-1") -> ClaimsSampled:
    return ClaimsSampled(upload_id=upload_id, actor=SUPPORT_ACTOR, correlation_id=f"sampling-upload:{upload_id}",
                         claims=tuple(SampledClaimItem(reference=r, sample_reason=f"Reason {r}", provider_id="p")
                                      for r in references))


async def claims_world(client, env, count: int) -> tuple[list[str], str]:
    """``count`` paid claims and one submitted claim."""
    org = await setup_organisations(client)
    refs = []
    for i in range(count + 1):
        r = await submit(client, ("100001", "100003", "100004")[i % 3], org["provider"]["id"],
                         [(f"{1000000 + i}", "Ada Lovelace", 5)])
        assert r.status_code == 201, r.text
        refs.append(r.json()["reference"])
    paid, submitted = refs[:-1], refs[-1]
    await pay(env, *paid)

    async def all_paid():
        for ref in paid:
            assert (await client.get(f"/internal/v1/claims/{ref}", headers=SUPPORT)).json()["status"] == "paid"
        return True
    await eventually(all_paid)
    return paid, submitted


async def test_a_batch_delivered_twice_applies_each_claim_once_with_its_history_and_event(infra, isolated_env):
    async with running_claims(infra, isolated_env) as (client, _):
        paid, _ = await claims_world(client, isolated_env, 3)
        sampled = batch(*paid)
        await publish(isolated_env, sampled, times=2)

        async def applied():
            for ref in paid:
                detail = (await client.get(f"/internal/v1/claims/{ref}", headers=SUPPORT)).json()
                assert detail["status"] == "sampling_in_progress" and detail["sample_reason"] == f"Reason {ref}"
                history = [(h["to_status"], h["caused_by"]) for h in detail["history"]]
                assert history.count(("sampling_in_progress", "ClaimSampled")) == 1
            return True
        await eventually(applied)

        # The changes go out as ClaimStatusesChanged, one per batch and partition of the claims topic.
        batches = await outbox_payloads(client.settings.database_url, "ClaimStatusesChanged")
        assert [p for p in await outbox_payloads(client.settings.database_url, "ClaimStatusChanged")
                if p["caused_by"] == "ClaimSampled"] == []
        partitions = known_partitions(topic_name(client.settings, CLAIMS_EVENTS.name))
        assert partitions == 4
        changes = []
        for payload in batches:
            # Built by SQL: it must be exactly what the contract writes, member for member.
            message = decode(payload)
            assert message.to_wire() == payload
            assert (message.caused_by, message.actor, message.correlation_id) == (
                "ClaimSampled", SUPPORT_ACTOR, "sampling-upload:upload-1")
            assert len({partition_for(c.reference, partitions) for c in message.changes}) == 1
            assert message.key == message.changes[0].reference  # travels on its claims' partition
            changes.extend(message.items())
        assert sorted(c.reference for c in changes) == sorted(paid)  # one each, not two
        for change in changes:
            assert (change.from_status, change.to_status) == ("paid", "sampling_in_progress")
            assert change.caused_by_event_id == str(sampled.item_event_id(change.reference))
            assert change.event_id == item_event_id(change.caused_by_event_id)
        published = await read_topic(isolated_env, CLAIMS_EVENTS.name, until=100, timeout=3)
        assert sorted(c.reference for m in published if isinstance(m, ClaimStatusesChanged) for c in m.changes) == \
            sorted(paid)


async def test_without_the_partition_count_each_change_is_its_own_claim_status_changed(infra, isolated_env):
    """A claims service that could not read its topic's partition count publishes one event a claim."""
    async with running_claims(infra, isolated_env) as (client, _):
        paid, _ = await claims_world(client, isolated_env, 3)
        sampled = batch(*paid)
        engine = make_engine(client.settings.database_url, pool_size=1)
        try:
            async with ClaimsUnitOfWork(make_sessionmaker(engine)) as uow:
                await handle_claims_sampled([sampled], uow, SystemClock(),
                                            dead_letters=ItemDeadLetters(group="g", original_topic="t"),
                                            events_partitions=lambda: None)
                await uow.commit()
        finally:
            await engine.dispose()
        changes = [p for p in await outbox_payloads(client.settings.database_url, "ClaimStatusChanged")
                   if p["caused_by"] == "ClaimSampled"]
        assert sorted(p["reference"] for p in changes) == sorted(paid)
        for payload in changes:
            assert decode(payload).to_wire() == payload
            assert payload["from_status"] == "paid" and payload["to_status"] == "sampling_in_progress"
            assert payload["caused_by_event_id"] == str(sampled.item_event_id(payload["reference"]))
            assert payload["event_id"] == str(item_event_id(payload["caused_by_event_id"]))
            assert payload["actor"] == {"email": "support@example.com", "role": "support"}
            assert payload["correlation_id"] == "sampling-upload:upload-1"


async def test_a_claim_in_the_wrong_status_is_dead_lettered_alone_and_the_rest_of_its_batch_applies(
        infra, isolated_env):
    async with running_claims(infra, isolated_env) as (client, _):
        paid, submitted = await claims_world(client, isolated_env, 2)
        first, second = paid
        sampled = batch(first, submitted, second, first)  # a claim that is not paid, and one named twice
        await publish(isolated_env, sampled)

        async def applied():
            for ref in paid:
                detail = (await client.get(f"/internal/v1/claims/{ref}", headers=SUPPORT)).json()
                assert detail["status"] == "sampling_in_progress"
                assert [h["to_status"] for h in detail["history"]].count("sampling_in_progress") == 1
            return True
        await eventually(applied)
        letters = await read_topic(isolated_env, "dlq.claims.status", until=3, timeout=5)
        assert all(isinstance(letter, DeadLetter) for letter in letters)
        by_claim = {letter.original_key: letter for letter in letters}
        assert len(letters) == 2 and set(by_claim) == {submitted, first}
        refused = by_claim[submitted]
        assert refused.error == f"Claim {submitted} cannot be sampled: it is ‘Submitted’ (allowed from ‘Paid’)"
        assert by_claim[first].error == (f"Claim {first} cannot be sampled: it is ‘Sampling in progress’ "
                                         "(allowed from ‘Paid’)")
        # The dead letter is the claim alone, as the ClaimSampled it stands for.
        alone = decode(refused.original_value)
        assert isinstance(alone, ClaimSampled)
        assert (alone.reference, alone.sample_reason, alone.upload_id) == (submitted, f"Reason {submitted}", "upload-1")
        assert alone.event_id == sampled.item_event_id(submitted) and str(alone.event_id) == refused.original_event_id
        assert (await client.get(f"/internal/v1/claims/{submitted}", headers=SUPPORT)).json()["status"] == "submitted"

        # Once the claim is paid, replaying its dead letter (as `claimflow dlq replay` does) samples it.
        await pay(isolated_env, submitted)

        async def paid_now():
            detail = (await client.get(f"/internal/v1/claims/{submitted}", headers=SUPPORT)).json()
            assert detail["status"] == "paid"
            return True
        await eventually(paid_now)
        producer = AIOKafkaProducer(bootstrap_servers=isolated_env["KAFKA_BOOTSTRAP_SERVERS"], acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(refused.original_topic, refused.original_value.encode(),
                                         key=refused.original_key.encode(), headers=[(REPLAY_HEADER, b"1")])
        finally:
            await producer.stop()

        async def replayed():
            detail = (await client.get(f"/internal/v1/claims/{submitted}", headers=SUPPORT)).json()
            assert detail["status"] == "sampling_in_progress" and detail["sample_reason"] == f"Reason {submitted}"
            return True
        await eventually(replayed)


async def test_a_single_claim_sampled_event_is_still_applied(infra, isolated_env):
    async with running_claims(infra, isolated_env) as (client, _):
        paid, _ = await claims_world(client, isolated_env, 1)
        await publish(isolated_env, ClaimSampled(reference=paid[0], sample_reason="Old style", upload_id="u0",
                                                 provider_id="p"))

        async def applied():
            detail = (await client.get(f"/internal/v1/claims/{paid[0]}", headers=SUPPORT)).json()
            assert detail["status"] == "sampling_in_progress" and detail["sample_reason"] == "Old style"
            return True
        await eventually(applied)
