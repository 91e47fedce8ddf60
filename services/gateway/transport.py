"""The gateway's connection pool to the services: httpx's interface over aiohttp's pool.

Why: under 50 concurrent users, httpcore's pool walks every pooled connection (asking each socket
whether it expired) for every request, which made the gateway→service hop most of the gateway's
CPU. aiohttp's pool hands out a keep-alive connection in constant time. The gateway keeps talking
httpx (``httpx.AsyncClient``, ``httpx.Response``, its timeouts and its errors), so nothing else
changes and tests can still pass their own httpx transports.

Failures are mapped to httpx's transport errors (connect errors, timeouts, a dropped connection),
which ``ServiceClient`` answers with 503.

A pooled connection the service has closed must not turn into a 503:
- a connection that carried a 5xx answer is closed, not pooled (uvicorn closes its side after an
  unhandled error without saying ``Connection: close``);
- idle connections are dropped after ``KEEPALIVE_S``, before uvicorn's own 5 s keep-alive ends;
- a request whose body could not be written (the socket was already closed, so the service never
  received a whole request) is sent again once, on a fresh connection, whatever its method.
  aiohttp itself retries idempotent methods whose connection was dropped. A request that was sent
  and then lost its connection is not retried: the service may have processed it.
"""
from __future__ import annotations

import asyncio
from typing import AsyncIterator

import aiohttp
import httpx

# Headers aiohttp writes itself from the request it sends.
_OWN_HEADERS = {b"host", b"content-length", b"transfer-encoding", b"connection"}
#: Seconds an idle pooled connection is kept (under uvicorn's default keep-alive of 5 s).
KEEPALIVE_S = 4.0


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
        self._fresh: aiohttp.ClientSession | None = None  # one new connection per request (retries)

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use: an aiohttp session belongs to the running event loop.
        if self._session is None or self._session.closed:
            self._session = _session(aiohttp.TCPConnector(limit=self._limit, limit_per_host=self._limit,
                                                          keepalive_timeout=KEEPALIVE_S))
        return self._session

    def _fresh_client(self) -> aiohttp.ClientSession:
        if self._fresh is None or self._fresh.closed:
            self._fresh = _session(aiohttp.TCPConnector(limit=self._limit, force_close=True))
        return self._fresh

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(total=None, connect=_sum(timeouts.get("pool"), timeouts.get("connect")),
                                        sock_read=timeouts.get("read"))
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
                   if k.lower() not in _OWN_HEADERS]
        body = await request.aread()

        async def send(session: aiohttp.ClientSession) -> aiohttp.ClientResponse:
            return await session.request(request.method, str(request.url), headers=headers, data=body or None,
                                         allow_redirects=False, timeout=timeout, compress=None)

        try:
            try:
                response = await send(self._client())
            except aiohttp.ClientOSError as exc:
                if not _not_sent(exc):
                    raise
                response = await send(self._fresh_client())
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except asyncio.TimeoutError as exc:  # aiohttp's timeouts are asyncio.TimeoutError too
            raise httpx.ReadTimeout(f"no answer in time: {exc}", request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        if response.status >= 500:
            _do_not_reuse(response)
        return httpx.Response(status_code=response.status, headers=list(response.raw_headers),
                              stream=_Body(response), request=request,
                              extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode()})

    async def aclose(self) -> None:
        for session in (self._session, self._fresh):
            if session is not None:
                await session.close()
        self._session = self._fresh = None


def _session(connector: aiohttp.TCPConnector) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=connector,
                                 auto_decompress=False,  # httpx.Response decodes by Content-Encoding itself
                                 skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"))


def _do_not_reuse(response: aiohttp.ClientResponse) -> None:
    """Close the response's connection once it is done with, even if aiohttp already pooled it (a
    body-less answer is released as soon as its head is read; no other task ran since)."""
    if response.connection is not None and response.connection.protocol is not None:
        response.connection.protocol.force_close()  # closed, not pooled, when the body is read
    elif (protocol := getattr(response, "_protocol", None)) is not None:
        protocol.close()  # already in the pool: a closed connection there is thrown away, never used


def _not_sent(exc: aiohttp.ClientOSError) -> bool:
    """The request never reached the service whole: writing it failed (aiohttp's only sign of that is
    its message), so the service cannot have acted on it."""
    return "Can not write request body" in str(exc)


def _sum(*values: float | None) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None
