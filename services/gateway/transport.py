"""The gateway's connection pool to the services: httpx's interface over aiohttp's pool.

Why: under 50 concurrent users, httpcore's pool walks every pooled connection (asking each socket
whether it expired) for every request, which made the gateway→service hop most of the gateway's
CPU. aiohttp's pool hands out a keep-alive connection in constant time. The gateway keeps talking
httpx (``httpx.AsyncClient``, ``httpx.Response``, its timeouts and its errors), so nothing else
changes and tests can still pass their own httpx transports.

Failures are mapped to httpx's transport errors (connect errors, timeouts, a dropped connection),
which ``ServiceClient`` answers with 503.
"""
from __future__ import annotations

import asyncio
from typing import AsyncIterator

import aiohttp
import httpx

# Headers aiohttp writes itself from the request it sends.
_OWN_HEADERS = {b"host", b"content-length", b"transfer-encoding", b"connection"}


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(64 * 1024):
                yield chunk
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise httpx.ReadError(f"reading the response failed: {exc}") from exc

    async def aclose(self) -> None:
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport sending through one aiohttp session (keep-alive pool of ``limit``)."""

    def __init__(self, *, limit: int = 100) -> None:
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use: an aiohttp session belongs to the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit, limit_per_host=self._limit, keepalive_timeout=30),
                auto_decompress=False,  # httpx.Response decodes by Content-Encoding itself
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"))
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(total=None, connect=_sum(timeouts.get("pool"), timeouts.get("connect")),
                                        sock_read=timeouts.get("read"))
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
                   if k.lower() not in _OWN_HEADERS]
        body = await request.aread()
        try:
            response = await self._client().request(
                request.method, str(request.url), headers=headers, data=body or None, allow_redirects=False,
                timeout=timeout, compress=None)
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except asyncio.TimeoutError as exc:  # aiohttp's timeouts are asyncio.TimeoutError too
            raise httpx.ReadTimeout(f"no answer in time: {exc}", request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        return httpx.Response(status_code=response.status, headers=list(response.raw_headers),
                              stream=_Body(response), request=request,
                              extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode()})

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _sum(*values: float | None) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None
