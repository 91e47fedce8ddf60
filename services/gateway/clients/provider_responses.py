"""Provider response files beyond support's single file (docs/design.md §12 "Provider response
files"): several files in one upload, a provider user's own upload (scoped to its accredited
providers by ``PROVIDERS_HEADER``), and the per-provider files support downloads. Same internal
endpoints as ``SamplingClient.responses``; built over the sampling service's connection."""
from __future__ import annotations

from typing import Any

import httpx

from shared.contracts.http import sampling as api

from ..users import User
from .base import ServiceClient


def file_parts(files: list[tuple[str, bytes, str]]) -> list[tuple[str, tuple[str, bytes, str]]]:
    """Several ``file`` parts of one multipart body, in the order given."""
    return [("file", f) for f in files]


class ProviderResponseClient:
    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    async def _call(self, endpoint: Any, user: User, **kwargs: Any) -> Any:
        path = {k: kwargs.pop(k) for k in ("upload_id", "file_id") if k in kwargs}
        # A provider user's upload may name, and decide, only its own providers' claims and uploads:
        # ``user.actor_headers`` carries its providers (``PROVIDERS_HEADER``).
        response = await self.http.request(endpoint.method, endpoint.url(**path), user=user, **kwargs)
        return self.http.parse(endpoint, response)

    async def upload(self, files: list[tuple[str, bytes, str]], *, user: User) -> api.UploadCreated:
        """One or several (name, content, content type); none: the service asks for a file."""
        return await self._call(api.UPLOAD_RESPONSE, user, files=file_parts(files) if files else None)

    async def review(self, upload_id: str, *, user: User) -> api.UploadView:
        return await self._call(api.REVIEW_RESPONSE, user, upload_id=upload_id)

    async def confirm(self, upload_id: str, *, user: User) -> api.Accepted:
        return await self._call(api.CONFIRM_RESPONSE, user, upload_id=upload_id)

    async def cancel(self, upload_id: str, *, user: User) -> api.Accepted:
        return await self._call(api.CANCEL_RESPONSE, user, upload_id=upload_id)

    async def response_file(self, file_id: str, *, user: User) -> httpx.Response:
        """One provider's part of a response upload (404 unknown: ``Downstream``)."""
        return await self._call(api.RESPONSE_FILE, user, file_id=file_id)
