"""A confirmed sample is published as ClaimsSampled batches that the database builds: each batch
is exactly what the contract writes (so the SQL cannot drift from it), batches hold the claims in
file order, and every claim is in exactly one batch."""
from __future__ import annotations

from shared.contracts import decode
from tests.support.claims import SUPPORT
from tests.support.messaging import outbox_payloads
from tests.support.sampling import sample_file, upload, world

SAMPLES = "/internal/v1/sampling/uploads"


async def test_a_confirmed_sample_is_written_as_batches_in_file_order_that_decode_to_their_contract(
        infra, isolated_env, monkeypatch):
    monkeypatch.setattr("services.sampling.handlers.uploads.CLAIMS_SAMPLED_BATCH", 3)
    async with world(infra, isolated_env) as w:
        order = [w.refs[name] for name in ("both", "other", "john", "jane")]
        r = await upload(w.sampling, SAMPLES, sample_file(*[(ref, f"Reason {i}") for i, ref in enumerate(order)]))
        assert r.status_code == 201, r.text
        upload_id = r.json()["upload_id"]
        assert (await w.sampling.post(f"{SAMPLES}/{upload_id}/confirm", headers=SUPPORT)).status_code == 202

        payloads = await outbox_payloads(w.sampling.database_url, "ClaimsSampled")
        assert [len(p["claims"]) for p in payloads] == [3, 1]
        for payload in payloads:
            assert decode(payload).to_wire() == payload  # built by SQL, member for member the contract's
            assert payload["upload_id"] == upload_id and payload["actor"]["email"] == SUPPORT["x-actor-email"]
            assert payload["correlation_id"] == f"sampling-upload:{upload_id}"
        claims = [c for p in payloads for c in p["claims"]]
        assert [c["reference"] for c in claims] == order
        assert [c["sample_reason"] for c in claims] == [f"Reason {i}" for i in range(4)]
        assert claims[1]["provider_id"] == w.other_provider["id"]
        assert len({p["event_id"] for p in payloads}) == 2
        await w.wait_for_status(order, "sampling_in_progress")
