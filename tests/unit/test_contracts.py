"""Message contracts: JSON round trip, bad payloads refused, committed schema snapshots."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import shared.contracts as contracts
from shared.contracts import ClaimSampled, ContractError, decode, message_types

SNAPSHOTS = Path(__file__).parent / "contract_schemas"


def sample(name):
    return {
        "ClaimSampled": ClaimSampled(reference="12345678", sample_reason="Random", upload_id="u", provider_id="p"),
    }.get(name)


def test_a_message_survives_a_json_round_trip():
    m = sample("ClaimSampled")
    assert decode(m.encode()) == m


def test_unknown_optional_fields_are_ignored_when_reading():
    wire = sample("ClaimSampled").to_wire() | {"added_in_1_1": "x", "schema_version": "1.1"}
    assert decode(json.dumps(wire)).reference == "12345678"


@pytest.mark.parametrize("bad", [
    b"not json", b"[]", json.dumps({"type": "NoSuchMessage"}).encode(),
    json.dumps({"type": "ClaimSampled", "reference": "1"}).encode(),  # missing fields
    json.dumps(ClaimSampled(reference="1", sample_reason="r", upload_id="u", provider_id="p").to_wire()
               | {"schema_version": "2.0"}).encode(),  # unknown major version
    json.dumps(ClaimSampled(reference="1", sample_reason="r", upload_id="u", provider_id="p").to_wire()
               | {"occurred_at": "2026-01-01T10:00:00"}).encode(),  # no time zone
])
def test_bad_payloads_are_refused(bad):
    with pytest.raises(ContractError):
        decode(bad)


def test_messages_are_frozen_and_forbid_unknown_fields_when_built():
    m = sample("ClaimSampled")
    with pytest.raises(Exception):
        m.reference = "x"  # type: ignore[misc]
    with pytest.raises(Exception):
        ClaimSampled(reference="1", sample_reason="r", upload_id="u", provider_id="p", surprise=1)


@pytest.mark.parametrize("name", sorted(message_types()))
def test_each_message_schema_matches_its_committed_snapshot(name):
    """An incompatible change to a message fails here: update the snapshot only with a new
    schema version (and readers that handle both)."""
    schema = message_types()[name].model_json_schema()
    path = SNAPSHOTS / f"{name}.json"
    assert path.exists(), f"no committed schema for {name}: run tests/unit/contract_schemas/update.py"
    assert json.loads(path.read_text()) == schema


def test_each_change_of_a_batch_is_the_claim_status_changed_it_stands_for():
    batch = contracts.ClaimStatusesChanged(
        caused_by="ClaimSampled", actor=contracts.Actor(email="s@example.com", role="support"),
        correlation_id="sampling-upload:u1", changes=tuple(
            contracts.StatusChangeItem(reference=r, from_status="paid", to_status="sampling_in_progress",
                                       caused_by_event_id=f"item-{r}", provider_id="p", amount="43.80")
            for r in ("12345678", "87654321")))
    read = decode(batch.encode())
    assert read == batch and read.key == "12345678"
    [first, second] = read.items()
    # The same event, member for member, as building (and validating) it one at a time gives.
    assert first.to_wire() == contracts.ClaimStatusChanged(
        event_id=contracts.claims.item_event_id("item-12345678"), occurred_at=batch.occurred_at,
        correlation_id="sampling-upload:u1", actor=batch.actor, reference="12345678", from_status="paid",
        to_status="sampling_in_progress", caused_by="ClaimSampled", caused_by_event_id="item-12345678",
        provider_id="p", amount="43.80").to_wire()
    assert second.reference == "87654321" and second.event_id != first.event_id
