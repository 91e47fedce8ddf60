"""Reading the claims filter form and building links that keep it (pure; tested in unit tests).

Dates come in as GOV.UK date inputs (``submitted_from-day``, ``-month``, ``-year``) and go to
the claims service as ISO dates; a half-filled or impossible date is an error shown on the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Mapping, Sequence
from urllib.parse import urlencode

FILTER_KEYS = ("q", "provider_id", "claim_window_id", "academic_year", "assigned_to")
DATE_KEYS = ("submitted_from", "submitted_to")


@dataclass
class ClaimFilterForm:
    values: dict[str, str] = field(default_factory=dict)
    statuses: list[str] = field(default_factory=list)
    dates: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> {day, month, year}
    parsed_dates: dict[str, date] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    sort: str = "submitted_at"
    order: str = "desc"
    page: int = 1

    def api_params(self) -> dict[str, object]:
        """Filters as the claims service's query parameters."""
        params: dict[str, object] = {k: v for k, v in self.values.items() if v}
        if self.statuses:
            params["status"] = list(self.statuses)
        for key, value in self.parsed_dates.items():
            params[key] = value.isoformat()
        return params

    def query_items(self) -> list[tuple[str, str]]:
        """The form's own query string items (what the page's links must keep)."""
        items = [(k, v) for k, v in self.values.items() if v]
        items += [("status", s) for s in self.statuses]
        for key, parts in self.dates.items():
            items += [(f"{key}-{p}", parts[p]) for p in ("day", "month", "year") if parts.get(p)]
        return items

    @property
    def active(self) -> bool:
        return bool(self.query_items())

    def link(self, **changes: object) -> str:
        """A query string with the filters kept and ``sort``/``order``/``page`` changed."""
        state = {"sort": self.sort, "order": self.order, "page": self.page, **changes}
        items = self.query_items() + [(k, str(v)) for k, v in state.items()
                                      if v not in (None, "") and not (k == "page" and str(v) == "1")]
        return "?" + urlencode(items)

    def sort_link(self, column: str) -> str:
        order = "desc" if self.sort == column and self.order == "asc" else "asc"
        return self.link(sort=column, order=order, page=1)

    def aria_sort(self, column: str) -> str:
        if self.sort != column:
            return "none"
        return "ascending" if self.order == "asc" else "descending"


def parse_date(parts: Mapping[str, str], label: str) -> tuple[date | None, str | None]:
    day, month, year = (parts.get(k, "").strip() for k in ("day", "month", "year"))
    if not (day or month or year):
        return None, None
    missing = [name for name, v in (("day", day), ("month", month), ("year", year)) if not v]
    if missing:
        return None, f"{label} must include a {' and '.join(missing)}"
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return None, f"{label} must be a real date"
    if value.year < 2000 or value.year > 2100:
        return None, f"{label} must be a real date"
    return value, None


def read_filter_form(query: Mapping[str, str], statuses: Sequence[str], all_statuses: Sequence[str],
                     sort_keys: Sequence[str]) -> ClaimFilterForm:
    form = ClaimFilterForm()
    for key in FILTER_KEYS:
        form.values[key] = (query.get(key) or "").replace("\x00", "").strip()[:200]
    form.statuses = [s for s in statuses if s in all_statuses]
    labels = {"submitted_from": "Submitted from", "submitted_to": "Submitted to"}
    for key in DATE_KEYS:
        parts = {p: (query.get(f"{key}-{p}") or "").strip()[:4] for p in ("day", "month", "year")}
        form.dates[key] = parts
        value, error = parse_date(parts, labels[key])
        if error:
            form.errors[key] = error
        elif value:
            form.parsed_dates[key] = value
    if ("submitted_from" in form.parsed_dates and "submitted_to" in form.parsed_dates
            and form.parsed_dates["submitted_to"] < form.parsed_dates["submitted_from"]):
        form.errors["submitted_to"] = "Submitted to must be the same as or after submitted from"
        del form.parsed_dates["submitted_to"]
    sort = query.get("sort") or "submitted_at"
    form.sort = sort if sort in sort_keys else "submitted_at"
    form.order = "asc" if query.get("order") == "asc" else "desc"
    try:
        form.page = max(1, min(int(query.get("page") or 1), 100_000))
    except ValueError:
        form.page = 1
    return form


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to show, with None for an ellipsis: 1 … 4 5 [6] 7 8 … 20."""
    if pages <= 1:
        return [1] if pages == 1 else []
    shown = {1, pages, *range(max(1, page - around), min(pages, page + around) + 1)}
    out: list[int | None] = []
    previous = 0
    for n in sorted(shown):
        if n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out


def pagination(page: int, pages: int, href) -> dict | None:
    """Parameters for ``govukPagination``; ``href(n)`` builds the link to page n. None for one page."""
    if pages <= 1:
        return None
    items = [{"ellipsis": True} if n is None else {"number": n, "href": href(n), "current": n == page}
             for n in page_numbers(page, pages)]
    params: dict = {"items": items}
    if page > 1:
        params["previous"] = {"href": href(page - 1)}
    if page < pages:
        params["next"] = {"href": href(page + 1)}
    return params
