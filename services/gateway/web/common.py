"""What every support page module shares: role checks, rendering, and turning a service's refusal
into an error summary whose links point at the form's fields."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from shared.contracts import roles
from shared.contracts.identifiers import is_reference

from ..auth import page_role
from ..clients import Downstream

SUPPORT = page_role(roles.SUPPORT)
FINANCE = page_role(roles.FINANCE)
#: The finance pages (ECF, docs/design.md §15) are their own service: its name heads them and ends their titles.
ECF_SERVICE_NAME = "Manage early career teacher training payments"


def templates(request: Request):
    return request.app.state.templates


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200):
    context = dict(context or {})
    if context.get("section") == "finance":
        context.setdefault("service_name", ECF_SERVICE_NAME)
        context.setdefault("service_url", "/finance/statements")
    return templates(request).render(request, name, context, status_code=status_code)


def see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


async def confirmed(call: Awaitable[Any], done: str, page: Callable[[list[dict[str, str]]], Awaitable[Response]],
                    button: str) -> Response:
    """A confirm page's button: the service ``call`` done, on to ``done``; refused (422), the page again
    (``page(errors)``, which answers 422) with each reason in its error summary, linked to the ``button``."""
    try:
        await call
    except Downstream as exc:
        if exc.status != 422:
            raise
        return await page([{"text": e["message"], "href": f"#{button}"} for e in exc.errors])
    return see_other(done)


def summary(errors: list[dict[str, Any]], *, default_field: str) -> list[dict[str, str]]:
    """Error summary items: each links to its field (the service's ``field`` when the page has it)."""
    return [{"text": e["message"], "href": f"#{e.get('field') or default_field}"} for e in errors]


def form_text(form, key: str, limit: int = 5000) -> str:
    value = form.get(key)
    return value.replace("\x00", "").strip()[:limit] if isinstance(value, str) else ""


def check_reference(reference: str) -> None:
    """A claim reference in a page's address: anything but 8 digits is a page not found."""
    if not is_reference(reference):
        raise Downstream(404, [{"message": "Page not found"}])


def claims_section(subsection: str, title: str, **more: Any) -> dict[str, Any]:
    """A page's context within the Claims section."""
    return {"title": title, "section": "claims", "subsection": subsection, **more}
