"""Operational messages: dead letters (one topic per consumer group, ``dlq.<group>``)."""
from __future__ import annotations

from .base import Message


class DeadLetter(Message):
    """A message a consumer group could not handle, with the error and the original bytes.

    ``claimflow dlq replay`` publishes ``original_value`` back to ``original_topic`` with the
    ``claimflow-replay`` header, so the consumer tries it again once the cause is fixed.
    """

    group: str
    original_topic: str
    original_partition: int
    original_offset: int
    original_key: str | None = None
    original_value: str
    original_event_id: str | None = None
    error: str
