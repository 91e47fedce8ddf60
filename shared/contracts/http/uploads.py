"""The two-step CSV uploads (sampling file, provider response, payer payment and clawback responses):
upload (201, checked and kept pending, or 422 with every error) → review → confirm (202) or cancel."""
from __future__ import annotations

from .base import Endpoint, Id, Timestamp, Wire


class UploadCreated(Wire):
    upload_id: Id
    claim_count: int


class UploadView(Wire):
    upload_id: Id
    kind: str | None = None
    status: str = ""
    file_name: str | None = None
    claim_count: int
    created_at: Timestamp | None = None
    decided_at: Timestamp | None = None


class Accepted(Wire):
    """A command was accepted; claim statuses follow within seconds (events)."""


def upload_endpoints(path: str) -> tuple[Endpoint, Endpoint, Endpoint, Endpoint]:
    """The four calls of an upload at ``path``: upload (201; multipart ``file``), review, confirm
    (202) and cancel (the services declare them with ``shared.platform.internal_api.add_upload_routes``)."""
    return (Endpoint("POST", path, UploadCreated, status=201),
            Endpoint("GET", f"{path}/{{upload_id}}", UploadView),
            Endpoint("POST", f"{path}/{{upload_id}}/confirm", Accepted, status=202),
            Endpoint("POST", f"{path}/{{upload_id}}/cancel", Accepted))
