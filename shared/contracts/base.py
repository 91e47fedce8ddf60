"""The message envelope every ClaimFlow message carries, and how messages cross the wire.

Rules:
- Every message has ``event_id`` (UUID), ``occurred_at`` (UTC), ``schema_version`` ("MAJOR.MINOR"),
  ``correlation_id`` and, where a person caused it, ``actor``.
- Messages are frozen and forbid unknown fields when built (a typo is a bug).
- On the wire a message is UTF-8 JSON with a ``type`` member naming its class. Reading is tolerant:
  unknown members are dropped (a newer producer may add optional fields), but an unknown *major*
  schema version is refused, and so is an unknown type.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_MAJOR = 1
_REGISTRY: dict[str, type["Message"]] = {}
_FIELDS: dict[type, frozenset[str]] = {}


class ContractError(ValueError):
    """A payload that is not a valid ClaimFlow message (bad JSON, unknown type or version, bad field)."""


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Actor(BaseModel):
    """Who caused a message: a signed-in user, or a system process (``role == "system"``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    email: str
    role: str


class Message(BaseModel):
    """Base of every event and command."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Topic the message is published on (set by each message class).
    topic: ClassVar[str] = ""
    #: Name of the field whose value is the Kafka key (ordering is per key).
    key_field: ClassVar[str] = "event_id"

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: datetime = Field(default_factory=_utcnow)
    schema_version: str = f"{SCHEMA_MAJOR}.0"
    correlation_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    actor: Actor | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            _REGISTRY[cls.__name__] = cls

    @field_validator("occurred_at")
    @classmethod
    def _must_be_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must carry a time zone")
        if value.tzinfo is timezone.utc:
            return value
        return value.astimezone(timezone.utc)

    @field_validator("schema_version")
    @classmethod
    def _known_major(cls, value: str) -> str:
        major, _, minor = value.partition(".")
        if not major.isdigit() or (minor and not minor.isdigit()):
            raise ValueError(f"schema_version {value!r} is not MAJOR.MINOR")
        if int(major) != SCHEMA_MAJOR:
            raise ValueError(f"unknown major schema version {value!r} (this reader knows {SCHEMA_MAJOR}.x)")
        return value

    @property
    def type(self) -> str:
        return type(self).__name__

    @property
    def key(self) -> str:
        return str(getattr(self, self.key_field))

    def to_wire(self) -> dict[str, Any]:
        return {"type": self.type, **self.model_dump(mode="json")}

    def encode(self) -> bytes:
        return json.dumps(self.to_wire(), separators=(",", ":")).encode()


def message_types() -> dict[str, type[Message]]:
    """Every registered message class by name (import ``shared.contracts`` to load them all)."""
    return dict(_REGISTRY)


def decode(raw: bytes | str | dict[str, Any]) -> Message:
    """Read a message from the wire, tolerating unknown optional members."""
    if isinstance(raw, dict):
        data = dict(raw)
    else:
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ContractError(f"message is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ContractError("message is not a JSON object")
    name = data.pop("type", None)
    cls = _REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ContractError(f"unknown message type {name!r}")
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = frozenset(cls.model_fields)
    known = {k: v for k, v in data.items() if k in fields}
    try:
        return cls.model_validate(known)
    except ValueError as exc:
        raise ContractError(f"invalid {name}: {exc}") from exc
