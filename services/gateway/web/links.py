"""The one-time download links in providers' and the payer's emails (no sign-in: the token is the key)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..clients import Downstream, GatewayError
from ..context import Gateway, client_ip, gateway
from .common import templates

router = APIRouter(include_in_schema=False)


def _wants_page(request: Request) -> bool:
    """A person's browser (which asks for HTML) gets a page with a download button first, so that an
    email scanner or link preview that fetches the address does not use up the one download."""
    return "text/html" in request.headers.get("accept", "") and request.query_params.get("download") != "1"


@router.get("/links/{token}")
async def download_link(request: Request, token: str, gw: Gateway = Depends(gateway)):
    """A provider's or the payer's one-time CSV link. The services that issue links answer
    ``GET /internal/v1/links/{token}`` (200 CSV, 404 unknown, 410 expired or used); each is asked in turn."""
    ip = client_ip(request)
    if not gw.link_limiter.hit(ip):
        retry = gw.link_limiter.retry_after(ip)
        return templates(request).render(request, "error.html", {
            "title": "Too many requests",
            "paragraphs": [f"You have opened download links too many times. Wait {max(1, (retry + 59) // 60)} "
                           "minutes, then try again."]}, status_code=429, headers={"Retry-After": str(retry)})
    if len(token) > 200 or not all(c.isalnum() or c in "-_" for c in token):
        return _link_gone(request)
    if _wants_page(request):
        return templates(request).render(request, "link.html", {"title": "Download your file", "token": token})
    answered = False
    for service in (gw.services.sampling, gw.services.payments):
        try:
            async with service.download_link(token) as response:
                body = await response.aread()
                headers = {k: v for k, v in response.headers.items()
                           if k.lower() in ("content-type", "content-disposition")}
                headers["Cache-Control"] = "no-store"
                return Response(body, status_code=200, headers=headers)
        except Downstream:
            answered = True
        except GatewayError:
            continue
    if not answered:
        raise GatewayError.one(503, "Sorry, the service is unavailable. Try again later.")
    return _link_gone(request)


def _link_gone(request: Request) -> Response:
    return templates(request).render(request, "link_error.html", status_code=410)
