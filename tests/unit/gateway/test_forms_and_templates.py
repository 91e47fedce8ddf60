"""The claims filter form, pagination, GOV.UK date and money formats, and error mapping."""
from __future__ import annotations

from datetime import date, datetime, timezone

import httpx
from starlette.datastructures import QueryParams

from services.gateway.auth import safe_next
from services.gateway.clients import errors_from
from services.gateway.web.forms import page_numbers, pagination, read_filter_form
from shared.contracts.claim_status import SUPPORT_LABELS as STATUS_LABELS
from services.gateway.web.templating import build_environment, govuk_date, govuk_datetime, money

SORT_KEYS = ("reference", "submitted_at", "amount")


def form(query: str):
    params = QueryParams(query)
    return read_filter_form(params, params.getlist("status"), STATUS_LABELS, SORT_KEYS)


def test_filters_become_the_claims_service_query():
    f = form("q=Hackney&status=paid&status=bogus&status=submitted&provider_id=p1&submitted_from-day=1"
             "&submitted_from-month=9&submitted_from-year=2026&sort=amount&order=asc&page=2")
    assert f.api_params() == {"q": "Hackney", "provider_id": "p1", "status": ["paid", "submitted"],
                              "submitted_from": "2026-09-01"}
    assert (f.sort, f.order, f.page) == ("amount", "asc", 2)
    assert not f.errors


def test_links_keep_the_filters_and_change_only_sort_order_or_page():
    f = form("q=Leeds&status=paid&sort=amount&order=asc&page=3")
    assert f.link(page=4) == "?q=Leeds&status=paid&sort=amount&order=asc&page=4"
    assert f.sort_link("amount") == "?q=Leeds&status=paid&sort=amount&order=desc"
    assert f.sort_link("reference") == "?q=Leeds&status=paid&sort=reference&order=asc"
    assert f.aria_sort("amount") == "ascending" and f.aria_sort("reference") == "none"


def test_an_impossible_or_half_filled_date_is_an_error_not_a_filter():
    f = form("submitted_from-day=31&submitted_from-month=2&submitted_from-year=2026&submitted_to-month=3")
    assert f.errors == {"submitted_from": "Submitted from must be a real date",
                        "submitted_to": "Submitted to must include a day and year"}
    assert "submitted_from" not in f.api_params()


def test_submitted_to_before_submitted_from_is_an_error():
    f = form("submitted_from-day=2&submitted_from-month=3&submitted_from-year=2026"
             "&submitted_to-day=1&submitted_to-month=3&submitted_to-year=2026")
    assert f.errors == {"submitted_to": "Submitted to must be the same as or after submitted from"}


def test_an_unknown_sort_key_or_page_falls_back_to_the_default():
    f = form("sort=password_hash&order=sideways&page=-4")
    assert (f.sort, f.order, f.page) == ("submitted_at", "desc", 1)


def test_page_numbers_show_the_ends_and_the_neighbourhood_with_ellipses():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 0) == []
    assert page_numbers(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert page_numbers(1, 4) == [1, 2, 3, 4]
    assert pagination(1, 1, str) is None
    params = pagination(2, 3, lambda n: f"?page={n}")
    assert params["previous"] == {"href": "?page=1"} and params["next"] == {"href": "?page=3"}
    assert [i.get("current") for i in params["items"]] == [False, True, False]


def test_dates_and_money_are_shown_the_govuk_way():
    assert govuk_date("2026-11-23") == "23 November 2026"
    assert govuk_datetime(datetime(2023, 8, 5, 9, 30, tzinfo=timezone.utc)) == "10:30am on 5 August 2023"
    assert govuk_datetime("2026-01-05T12:00:00+00:00") == "midday on 5 January 2026"
    assert govuk_date(date(2026, 3, 1)) == "1 March 2026" and govuk_date(None) == ""
    assert money("1072.00") == "£1,072.00" and money(None) == ""


def test_the_govuk_macros_render_with_missing_optional_parameters():
    env = build_environment()
    html = env.from_string('{% from "govuk_frontend_jinja/components/input/macro.html" import govukInput %}'
                           '{{ govukInput({"id": "q", "name": "q", "label": {"text": "Search"}}) }}').render()
    assert 'class="govuk-input"' in html and 'for="q"' in html


def test_downstream_errors_keep_rows_and_fields_whatever_their_shape():
    ours = httpx.Response(422, json={"errors": [{"message": "Enter a reason", "row": 3, "field": "reason", "x": 1}]})
    assert errors_from(ours) == [{"message": "Enter a reason", "row": 3, "field": "reason"}]
    fastapi = httpx.Response(422, json={"detail": [{"loc": ["body", "mentors", 0, "hours"], "msg": "bad"}]})
    assert errors_from(fastapi) == [{"message": "Enter a valid value for the number of hours", "field": "mentors.0.hours"}]
    assert errors_from(httpx.Response(404, json={"detail": "Not Found"})) == [{"message": "Not Found"}]
    assert errors_from(httpx.Response(400, text="nope")) == [{"message": "nope"}]


def test_sign_in_only_returns_to_a_page_of_this_service():
    assert safe_next("/claims?status=paid") == "/claims?status=paid"
    for bad in ("//evil.example", "https://evil.example", "/\\evil.example", "", None):
        assert safe_next(bad) == "/"


def test_every_govuk_macro_a_template_calls_is_a_global_of_the_environment():
    # Templates import no macro: each GOV.UK component is a global. An unknown name would render as nothing
    # (the environment's undefined is forgiving), so a template calling one the environment lacks must fail here.
    import re
    from pathlib import Path

    env = build_environment()
    templates = Path(__file__).resolve().parents[3] / "services" / "gateway" / "templates"
    called = {name for path in templates.rglob("*.html")
              for name in re.findall(r"\b(govuk[A-Z]\w*)\(", path.read_text())}
    assert {"govukButton", "govukBackLink", "govukSummaryList"} <= called
    missing = sorted(name for name in called if not callable(env.globals.get(name)))
    assert missing == []
    html = env.from_string('{{ govukButton({"text": "Continue"}) }}').render()
    assert 'class="govuk-button"' in html and "Continue" in html
