"""The two-step CSV uploads every workflow shares (sampling file, provider response, payer payment
and clawback responses): upload → review → confirm (202) or cancel. Nothing changes until confirmed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from shared.contracts.http.base import Endpoint

from ..users import User
from .base import ServiceClient


def file_part(file_name: str, data: bytes, content_type: str) -> dict[str, Any]:
    return {"file": (file_name, data, content_type)}


@dataclass(frozen=True)
class UploadEndpoints:
    upload: Endpoint
    review: Endpoint
    confirm: Endpoint
    cancel: Endpoint


class UploadClient:
    """One kind of upload on one service."""

    def __init__(self, http: ServiceClient, endpoints: UploadEndpoints) -> None:
        self.http = http
        self.endpoints = endpoints

    async def upload(self, file: tuple[str, bytes, str] | None, *, user: User) -> BaseModel:
        """``file``: (name, content, content type), or None when none was chosen (the service says so)."""
        return await self.http.call(self.endpoints.upload, user=user, files=file_part(*file) if file else None)

    async def review(self, upload_id: str, *, user: User) -> BaseModel:
        return await self.http.call(self.endpoints.review, user=user, upload_id=upload_id)

    async def confirm(self, upload_id: str, *, user: User) -> BaseModel:
        return await self.http.call(self.endpoints.confirm, user=user, upload_id=upload_id)

    async def cancel(self, upload_id: str, *, user: User) -> BaseModel:
        return await self.http.call(self.endpoints.cancel, user=user, upload_id=upload_id)
