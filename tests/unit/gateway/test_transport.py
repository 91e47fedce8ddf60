"""The gateway's connection pool when a service closes its side of a pooled connection."""
from __future__ import annotations

import asyncio

import httpx

from services.gateway.transport import AiohttpTransport


async def _closing_server(received: list[bytes]) -> asyncio.base_events.Server:
    """Answers each connection's first request with a keep-alive 200, then closes the connection
    (as a service does when its keep-alive ends or after an error), without saying so."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        body = await reader.readexactly(length)
        received.append(head.split(b" ")[0] + b" " + body)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def test_a_post_on_a_pooled_connection_the_service_closed_is_sent_again_on_a_fresh_one():
    received: list[bytes] = []
    server = await _closing_server(received)
    port = server.sockets[0].getsockname()[1]
    async with server, httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                         transport=AiohttpTransport()) as client:
        for n in range(5):
            r = await client.post("/internal", content=f"call {n}".encode())
            assert r.status_code == 200 and r.text == "ok"
    assert received == [f"POST call {n}".encode() for n in range(5)]  # each sent once


async def test_a_connection_that_carried_a_server_error_is_not_reused():
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(id(writer))
        while True:
            try:
                await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()
                return
            writer.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                         transport=AiohttpTransport()) as client:
        for _ in range(3):
            assert (await client.get("/")).status_code == 500
    assert len(connections) == 3
