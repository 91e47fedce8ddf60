"""The platform's cheap roads onto and off the wire must say exactly what ``contracts`` says."""
from __future__ import annotations

import json
import pytest
from aiokafka import ConsumerRecord

from shared.contracts import ActivityRecorded, Actor, ContractError, decode
from shared.contracts.activity import FileRef
from shared.platform.messaging import decode_record
from shared.platform.uow import SqlUnitOfWork

pytestmark = pytest.mark.unit


def _record(value: bytes, headers=()) -> ConsumerRecord:
    return ConsumerRecord(topic="t", partition=0, offset=0, timestamp=0, timestamp_type=0, key=b"k", value=value,
                          checksum=None, serialized_key_size=1, serialized_value_size=len(value),
                          headers=list(headers))


def _message() -> ActivityRecorded:
    return ActivityRecorded(title="Audit data uploaded for 3 claims – “Ada”", action="upload", source="sampling",
                            claim_references=("12345678",), files=(FileRef(name="a.csv", rows=3),),
                            actor=Actor(email="ada@example.org", role="support"))


def test_an_emitted_outbox_payload_is_the_messages_wire_form():
    uow = SqlUnitOfWork(sessionmaker=None, platform={})
    message = _message()
    uow.emit(message)
    (row,) = uow._pending  # this row's element of the outbox document
    (payload,) = uow._payloads
    assert json.loads(row) == {"e": str(message.event_id), "t": message.topic, "k": message.key,
                               "y": "ActivityRecorded"}
    assert json.loads(payload) == message.to_wire()


def test_a_record_with_a_type_header_decodes_to_what_decode_gives():
    message = _message()
    assert decode_record(_record(message.encode(), [("type", b"ActivityRecorded")])) == decode(message.encode())


def test_a_record_without_a_type_header_is_decoded_by_its_type_member():
    message = _message()
    assert decode_record(_record(message.encode())) == message


def test_unknown_members_from_a_newer_producer_are_dropped():
    message = _message()
    wire = {**message.to_wire(), "added_in_1_1": "ignored"}
    assert decode_record(_record(json.dumps(wire).encode(), [("type", b"ActivityRecorded")])) == message


@pytest.mark.parametrize("value, words", [
    (b"not json", "not JSON"),
    (json.dumps({**_message().to_wire(), "schema_version": "2.0"}).encode(), "unknown major schema version"),
    (json.dumps({**_message().to_wire(), "type": "NoSuchEvent"}).encode(), "unknown message type"),
])
def test_a_payload_the_contracts_refuse_is_refused_in_their_words(value, words):
    headers = [("type", json.loads(value)["type"].encode())] if value.startswith(b"{") else []
    with pytest.raises(ContractError, match=words):
        decode_record(_record(value, headers))
