"""The one-time download links in providers' and the payer's emails (no sign-in: the token is the key).

A link's token names the service that issued it (``shared.platform.links.new_token``). Unknown, used,
expired and replaced links answer 410 at once with the page that fits; a good link shows a page whose
button downloads the file (``POST``, CSRF like every form), so an email scanner or link preview that
fetches the address spends nothing."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from .. import auth
from ..auth import verify_csrf
from ..clients import Downstream, PaymentsClient, SamplingClient
from ..context import Gateway, client_ip, gateway
from .common import templates

router = APIRouter(include_in_schema=False)

#: The services that issue links, by the name a token starts with.
LINK_ISSUERS = ("sampling", "payments")


def _wants_page(request: Request) -> bool:
    """A person's browser (which asks for HTML) gets a page with a download button first, so that an
    email scanner or link preview that fetches the address does not use up the one download."""
    return "text/html" in request.headers.get("accept", "") and request.query_params.get("download") != "1"


def _issuer(gw: Gateway, token: str) -> SamplingClient | PaymentsClient | None:
    service, _, rest = token.partition("-")
    if service not in LINK_ISSUERS or not rest or len(token) > 200 or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return getattr(gw.services, service)


def _link_refused(request: Request, gw: Gateway) -> Response | None:
    ip = client_ip(request)
    if gw.link_limiter.hit(ip):
        return None
    retry = gw.link_limiter.retry_after(ip)
    return templates(request).render(request, "error.html", {
        "title": "Too many requests",
        "paragraphs": [f"You have opened download links too many times. Wait {max(1, (retry + 59) // 60)} "
                       "minutes, then try again."]}, status_code=429, headers={"Retry-After": str(retry)})


@router.get("/links/{token}")
async def download_link(request: Request, token: str, gw: Gateway = Depends(gateway)):
    """A provider's or the payer's one-time CSV link: the page that fits, or (for a client that does
    not ask for HTML, or sends ``?download=1``) the file."""
    if refused := _link_refused(request, gw):
        return refused
    service = _issuer(gw, token)
    if service is None:
        return _link_gone(request, "unknown")
    if not _wants_page(request):
        return await _download(request, service, token)
    status = (await service.link_status(token)).status
    if status != "ok":
        return _link_gone(request, status)
    request.state.csrf_token = await auth.csrf_token(request)
    return templates(request).render(request, "link.html", {"title": "Download your file", "token": token})


@router.post("/links/{token}", dependencies=[Depends(verify_csrf)])
async def download_link_file(request: Request, token: str, gw: Gateway = Depends(gateway)):
    """The page's download button: spends the link and sends the file, or the page that fits."""
    if refused := _link_refused(request, gw):
        return refused
    service = _issuer(gw, token)
    if service is None:
        return _link_gone(request, "unknown")
    return await _download(request, service, token)


async def _download(request: Request, service: SamplingClient | PaymentsClient, token: str) -> Response:
    """The issuing service answers 200 with the CSV, or 410 with the ``reason``."""
    try:
        async with service.download_link(token) as response:
            body = await response.aread()
    except Downstream as exc:
        return _link_gone(request, exc.reason if exc.status == 410 else "unknown")
    headers = {k: v for k, v in response.headers.items() if k.lower() in ("content-type", "content-disposition")}
    headers["Cache-Control"] = "no-store"
    return Response(body, status_code=200, headers=headers)


def _link_gone(request: Request, reason: str | None) -> Response:
    reason = reason if reason in ("unknown", "used", "expired", "revoked") else "unknown"
    return templates(request).render(request, "link_error.html", {"reason": reason}, status_code=410)
