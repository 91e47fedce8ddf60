"""Activity log entries: any service records who did what, with which files; claims stores them."""
from __future__ import annotations


from pydantic import BaseModel, ConfigDict

from .base import Message
from .topics import ACTIVITY_EVENTS


class FileRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    kind: str = "upload"  # upload | download
    id: str | None = None  # upload id or link id in the owning service
    rows: int | None = None


class ActivityRecorded(Message, topic=ACTIVITY_EVENTS, key="partition_key"):
    """One line of the activity log, e.g. "Audit data uploaded for 3 claims"."""

    title: str
    action: str
    claim_references: tuple[str, ...] = ()
    files: tuple[FileRef, ...] = ()
    source: str  # the service that recorded it

    @property
    def partition_key(self) -> str:
        return self.claim_references[0] if len(self.claim_references) == 1 else "global"

    @property
    def key(self) -> str:
        return self.partition_key
