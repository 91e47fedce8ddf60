"""Calls to the services' internal HTTP APIs (the gateway never reads their databases): the one
connection per service that the typed clients (``claims``, ``sampling``, ...) send through.

Every call carries the internal token and the acting user (``X-Actor-*`` headers). Outcomes:
- 2xx: the response, as it is;
- 4xx: ``Downstream`` with the service's status and its errors in the gateway's shape, so a
  person sees the service's own message (a bad CSV keeps every row's error);
- connection failure, timeout or 5xx: ``ServiceUnavailable`` (answered 503 with a clear message).
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import httpx
from pydantic import BaseModel, ValidationError

from shared.contracts.http.base import Endpoint
from shared.platform.logging import correlation_id
from shared.platform.validation_errors import plain_errors

from ..transport import AiohttpTransport
from ..users import User

log = logging.getLogger(__name__)

SERVICE_LABELS = {"claims": "claims", "sampling": "sampling", "payments": "payments", "notify": "notifications"}


class GatewayError(Exception):
    """An error answered as ``{"errors": [...]}`` with ``status`` (or as an error page)."""

    def __init__(self, status: int, errors: list[dict[str, Any]], headers: dict[str, str] | None = None) -> None:
        super().__init__(errors[0]["message"] if errors else str(status))
        self.status = status
        self.errors = errors
        self.headers = headers or {}

    @classmethod
    def one(cls, status: int, message: str, *, field: str | None = None, row: int | None = None,
            headers: dict[str, str] | None = None) -> "GatewayError":
        error: dict[str, Any] = {"message": message}
        if row is not None:
            error["row"] = row
        if field is not None:
            error["field"] = field
        return cls(status, [error], headers)


class Downstream(GatewayError):
    """A service refused the request (4xx); ``reason`` is the body's ``reason`` when it gives one
    (a download link's 410 says whether it was used, expired, replaced or never issued)."""

    reason: str | None = None


class ServiceUnavailable(GatewayError):
    def __init__(self, service: str) -> None:
        label = SERVICE_LABELS.get(service, service)
        super().__init__(503, [{"message": f"Sorry, the {label} service is unavailable. Try again later."}],
                         {"Retry-After": "10"})
        self.service = service


def errors_from(response: httpx.Response) -> list[dict[str, Any]]:
    """The service's errors in the gateway's shape, whatever shape they came in."""
    try:
        body = response.json()
    except ValueError:
        return [{"message": response.text.strip() or response.reason_phrase}]
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return [_clean(e) for e in body["errors"] if isinstance(e, dict)] or [{"message": response.reason_phrase}]
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):  # FastAPI request validation
        return plain_errors(e for e in detail if isinstance(e, dict))
    if isinstance(detail, str):
        return [{"message": detail}]
    return [{"message": response.reason_phrase}]


def _jsonapi_errors(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    errors = body.get("errors") if isinstance(body, dict) else None
    return isinstance(errors, list) and all(isinstance(e, dict) and "title" in e for e in errors)


def _reason(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("reason") if isinstance(body, dict) and isinstance(body.get("reason"), str) else None


def _clean(error: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"message": str(error.get("message", ""))}
    if error.get("row") is not None:
        out["row"] = error["row"]
    if error.get("field") is not None:
        out["field"] = error["field"]
    if error.get("file") is not None:  # one of several files uploaded together
        out["file"] = str(error["file"])
    return out


def as_sent(model: BaseModel) -> dict[str, Any]:
    """A parsed answer as the service sent it (fields it left out stay out, unknown ones stay in): what
    the JSON API forwards, so the public API's answers stay the services' own."""
    return model.model_dump(mode="json", exclude_unset=True)


class ServiceClient:
    """One service's internal API."""

    def __init__(self, name: str, base_url: str, *, token: str, timeout_s: float,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.name = name
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout_s,
                                         transport=transport or AiohttpTransport(),
                                         headers={"x-internal-token": token})

    def _headers(self, user: User | None) -> dict[str, str]:
        headers = dict(user.actor_headers) if user else {}
        if cid := correlation_id.get():
            headers["x-correlation-id"] = cid
        return headers

    async def request(self, method: str, path: str, *, user: User | None, **kwargs: Any) -> httpx.Response:
        headers = {**self._headers(user), **(kwargs.pop("headers", None) or {})}
        try:
            response = await self._client.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            log.warning("%s %s on %s failed: %s", method, path, self.name, exc)
            raise ServiceUnavailable(self.name) from exc
        self._check(method, path, response)
        return response

    async def passthrough(self, method: str, path: str, *, user: User | None, headers: dict[str, str] | None = None,
                          **kwargs: Any) -> httpx.Response:
        """The response as the service gave it, 4xx included (the Lead Provider API passes its JSON:API
        errors through unchanged); a transport failure, a 5xx or a refused internal token is still 503."""
        try:
            response = await self._client.request(method, path, headers={**self._headers(user), **(headers or {})},
                                                  **kwargs)
        except httpx.TransportError as exc:
            log.warning("%s %s on %s failed: %s", method, path, self.name, exc)
            raise ServiceUnavailable(self.name) from exc
        if response.status_code >= 500 or (response.status_code == 401 and not _jsonapi_errors(response)):
            self._check(method, path, response)
        return response

    async def json(self, method: str, path: str, *, user: User | None, **kwargs: Any) -> Any:
        return (await self.request(method, path, user=user, **kwargs)).json()

    async def call(self, endpoint: Endpoint, *, user: User | None, body: BaseModel | None = None,
                   params: Any = None, files: dict[str, Any] | None = None, timeout: float | None = None,
                   **path: Any) -> Any:
        """One call of the service's internal API: ``path`` fills the endpoint's placeholders, ``body``
        is sent as JSON, and the answer is parsed into ``endpoint.response``. An answer that does not
        fit the contract is the service's fault, not the user's: logged, and answered as unavailable.
        ``timeout`` (seconds) replaces the usual one for a call known to be slow."""
        kwargs: dict[str, Any] = {}
        if timeout is not None:
            kwargs["timeout"] = timeout
        if body is not None:
            kwargs["json"] = body.model_dump(mode="json")
        if params is not None:
            kwargs["params"] = params
        if files is not None:
            kwargs["files"] = files
        response = await self.request(endpoint.method, endpoint.url(**path), user=user, **kwargs)
        return self.parse(endpoint, response)

    def parse(self, endpoint: Endpoint, response: httpx.Response) -> Any:
        """The answer as ``endpoint.response`` (the response itself for a file)."""
        if endpoint.response is None:
            return response
        try:
            return endpoint.response.model_validate_json(response.content)
        except ValidationError as exc:
            log.error("%s %s on %s answered outside its contract (%s): %s", endpoint.method, endpoint.path,
                      self.name, endpoint.response.__name__, exc)
            raise ServiceUnavailable(self.name) from exc

    @asynccontextmanager
    async def stream(self, method: str, path: str, *, user: User | None, **kwargs: Any
                     ) -> AsyncIterator[httpx.Response]:
        """A streamed response (big CSV downloads); the caller reads it inside the block."""
        request = self._client.build_request(method, path, headers=self._headers(user), **kwargs)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TransportError as exc:
            raise ServiceUnavailable(self.name) from exc
        try:
            if response.status_code >= 400:
                await response.aread()
                self._check(method, path, response)
            yield response
        finally:
            await response.aclose()

    def _check(self, method: str, path: str, response: httpx.Response) -> None:
        if response.status_code >= 500:
            log.error("%s %s on %s answered %s: %s", method, path, self.name, response.status_code,
                      response.text[:500])
            raise ServiceUnavailable(self.name)
        if response.status_code >= 400:
            if response.status_code == 401:  # our internal token is wrong: an operator problem, not the user's
                log.error("%s refused the gateway's internal token", self.name)
                raise ServiceUnavailable(self.name)
            refused = Downstream(response.status_code, errors_from(response))
            refused.reason = _reason(response)
            raise refused

    async def aclose(self) -> None:
        await self._client.aclose()
