"""The Jinja environment: our templates plus the GOV.UK Frontend macros (govuk-frontend-jinja
4.1.0, matching the committed govuk-frontend 6.3.0 assets). ``ChainableUndefined`` because the
macros read nested optional parameters (``params.hint.text``) that are often absent."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, \
    select_autoescape

from shared.contracts import claim_status
from shared.contracts.reasons import parse_reason

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SERVICE_NAME = "Claim funding for mentor training"
LONDON = ZoneInfo("Europe/London")

#: Tag colour per claim status (GOV.UK tag modifiers).
STATUS_COLOURS = {
    "draft": "grey", "submitted": "blue", "payment_in_progress": "light-blue",
    "payment_information_requested": "yellow", "payment_information_sent": "light-blue", "paid": "green",
    "payment_not_approved": "red", "sampling_in_progress": "purple", "sampling_provider_not_approved": "orange",
    "sampling_not_approved": "red", "clawback_requires_approval": "pink", "clawback_rejected": "grey",
    "clawback_requested": "orange", "clawback_in_progress": "yellow", "clawback_complete": "green",
    "invalid_provider": "red",
}
assert set(STATUS_COLOURS) == set(claim_status.STATUSES)
#: The shared groups of statuses the templates test a claim against (``status_groups.payer_queries``).
STATUS_GROUPS = {"payer_queries": claim_status.PAYER_QUERIES, "clawback_queue": claim_status.CLAWBACK_QUEUE,
                 "sampling_waiting": claim_status.SAMPLING_WAITING}


def _parse(value: Any) -> datetime | date | None:
    if value in (None, ""):
        return None
    if isinstance(value, (datetime, date)):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return None


def govuk_date(value: Any) -> str:
    """23 November 2026 (GOV.UK style)."""
    parsed = _parse(value)
    if parsed is None:
        return ""
    if isinstance(parsed, datetime) and parsed.tzinfo:
        parsed = parsed.astimezone(LONDON)
    return f"{parsed.day} {parsed:%B %Y}"


def govuk_datetime(value: Any) -> str:
    """10:30am on 5 August 2023 (GOV.UK style: 12-hour clock, midday and midnight as words)."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return govuk_date(value)
    if parsed.tzinfo:
        parsed = parsed.astimezone(LONDON)
    if parsed.hour == 12 and parsed.minute == 0:
        time = "midday"
    elif parsed.hour == 0 and parsed.minute == 0:
        time = "midnight"
    else:
        hour = parsed.hour % 12 or 12
        time = f"{hour}:{parsed.minute:02d}{'am' if parsed.hour < 12 else 'pm'}"
    return f"{time} on {govuk_date(parsed)}"


def money(value: Any) -> str:
    """£1,072.00 from "1072.00"."""
    if value in (None, ""):
        return ""
    from decimal import Decimal, InvalidOperation
    try:
        return f"£{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


def link(href: str, text: Any, hidden: str = "") -> Markup:
    """A GOV.UK link for table cells (escaped here, so templates never build HTML by hand)."""
    extra = Markup('<span class="govuk-visually-hidden"> {}</span>').format(hidden) if hidden else ""
    return Markup('<a class="govuk-link" href="{}">{}{}</a>').format(href, text, extra)


def reason_words(text: str | None) -> str:
    """A reason travelling as "code: details" (``shared.contracts.reasons``) in words; free text as it is."""
    return parse_reason(text).describe() if text else ""


def comment_words(comment: str | None) -> str:
    """A provider's comment ("<mentor>: <reason>" a line) with each reason in words."""
    lines = []
    for line in (comment or "").splitlines():
        name, sep, reason = line.partition(": ")
        lines.append(f"{name}: {reason_words(reason)}" if sep and reason else line)
    return "\n".join(lines)


def build_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES)),
                             PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]),
        autoescape=select_autoescape(["html"]), undefined=ChainableUndefined, trim_blocks=True, lstrip_blocks=True,
        auto_reload=False,  # templates change with a release, not while it runs: no stat() per page
    )
    env.filters.update(govuk_date=govuk_date, govuk_datetime=govuk_datetime, money=money,
                       reason_words=reason_words, comment_words=comment_words)
    env.globals.update(service_name=SERVICE_NAME, status_colours=STATUS_COLOURS, link=link,
                       status_label=claim_status.support_label, status_groups=STATUS_GROUPS)
    env.globals.update(govuk_components(env))
    return env


# Every GOV.UK Frontend component a template may call, as a global: no template imports its own.
COMPONENTS = ("back-link", "button", "checkboxes", "date-input", "details", "error-summary", "fieldset",
              "file-upload", "footer", "header", "input", "inset-text", "notification-banner", "pagination",
              "panel", "password-input", "radios", "select", "service-navigation", "summary-list", "table",
              "tag", "textarea", "warning-text")


def govuk_components(env: Environment) -> dict[str, Any]:
    """``govukButton`` and its kind, each macro taken once from govuk-frontend-jinja's own template."""
    macros = {}
    for component in COMPONENTS:
        module = env.get_template(f"govuk_frontend_jinja/components/{component}/macro.html").module
        name = "govuk" + "".join(part.capitalize() for part in component.split("-"))
        macros[name] = getattr(module, name)
    return macros


class Templates:
    def __init__(self) -> None:
        self.env = build_environment()

    def render(self, request: Request, name: str, context: dict[str, Any] | None = None, *,
               status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
        session = getattr(request.state, "session", None)
        ctx = {"request": request, "user": session[0] if session else None,
               "csrf_token": session[1] if session else getattr(request.state, "csrf_token", ""),
               "csp_nonce": getattr(request.state, "csp_nonce", ""), "current_path": request.url.path,
               **(context or {})}
        html = self.env.get_template(name).render(ctx)
        return HTMLResponse(html, status_code=status_code, headers=headers)
