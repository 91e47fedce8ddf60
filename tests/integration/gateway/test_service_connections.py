"""The gateway's pooled connections to a service that answered with a server error."""
from __future__ import annotations

import asyncio
import contextlib

from fastapi.responses import JSONResponse
from starlette.routing import Route

from tests.support.system import running_system

CSV = {"file": ("sample.csv", b"claim_reference,sample_reason\n12345678,random\n", "text/csv")}


class CrashingService:
    """What a service does on an unhandled error: Starlette answers 500 at once; the error then
    reaches uvicorn, which logs it and only then closes the connection, never having said
    ``Connection: close``. Here the close comes just as the next request arrives."""

    def __init__(self) -> None:
        self.next_request = asyncio.Event()

    async def __call__(self, scope, receive, send) -> None:  # an ASGI app: it answers before it fails
        while (await receive()).get("more_body"):
            pass
        self.next_request.clear()
        await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"Internal Server Error"})
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.next_request.wait(), 2)
        raise RuntimeError("the service crashed on this request")

    async def accept(self, request):
        await request.body()
        self.next_request.set()
        await asyncio.sleep(0.1)
        return JSONResponse({"upload_id": "u1", "claim_count": 1}, 201)


async def test_after_a_service_answers_500_the_next_calls_to_it_all_succeed(infra):
    async with running_system(infra) as system:
        service = CrashingService()
        system.stub.router.routes[:0] = [
            Route("/internal/v1/sampling/uploads", service, methods=["POST"]),
            Route("/internal/v1/sampling/responses", service.accept, methods=["POST"])]
        support = await system.as_user("support@example.com")
        for _ in range(3):
            r = await system.client.post("/api/v1/sampling/uploads", headers=support, files=CSV)
            assert r.status_code == 503
            for _ in range(3):
                r = await system.client.post("/api/v1/sampling/responses", headers=support, files=CSV)
                assert r.status_code == 201, r.text
            r = await system.client.get("/api/v1/sampling/claims", headers=support)
            assert r.status_code == 200, r.text
