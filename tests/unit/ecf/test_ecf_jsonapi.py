"""The Lead Provider API's JSON:API documents (ECF API v3 shapes)."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from services.payments.ecf.jsonapi import declaration_resource, errors_document, statement_resource
from shared.contracts.errors import Refused

from tests.support.ecf_builders import declaration, statement

pytestmark = pytest.mark.unit


def test_a_declaration_is_a_participant_declaration_resource_with_utc_times_ending_in_z():
    d = replace(declaration(1, state="paid", uplift=True),
                declaration_date=datetime(2026, 10, 1, 11, 0, tzinfo=timezone(timedelta(hours=1))))
    doc = declaration_resource(d, lead_provider_name="Ambition Institute")
    assert doc["id"] == "d1" and doc["type"] == "participant-declaration"
    a = doc["attributes"]
    assert a["declaration_date"] == "2026-10-01T10:00:00Z"
    assert a["uplift_paid"] is True and a["state"] == "paid" and a["statement_id"] == "s1"
    assert a["mentor_id"] is None and a["delivery_partner_id"] is None and a["lead_provider_name"] == "Ambition Institute"


def test_a_duplicate_is_reported_with_the_v3_ineligibility_reason():
    d = replace(declaration(1, state="ineligible"), ineligible_reason="duplicate")
    assert declaration_resource(d, lead_provider_name="x")["attributes"]["ineligible_for_funding_reason"] == \
        "duplicate_declaration"
    assert declaration_resource(declaration(2), lead_provider_name="x")["attributes"]["uplift_paid"] is False


def test_a_statement_takes_its_month_from_its_name_or_else_its_payment_date():
    named = replace(statement(1), name="December 2026", payment_date=date(2026, 12, 22))
    assert statement_resource(named)["attributes"] | {"created_at": None} == {
        "month": "December", "year": "2026", "type": "ecf", "cohort": "2026", "cut_off_date": "2026-09-28",
        "payment_date": "2026-12-22", "paid": False, "created_at": None, "updated_at": None}
    other = replace(statement(1), name="Extra payment", payment_date=date(2027, 1, 25))
    assert (statement_resource(other)["attributes"]["month"], statement_resource(other)["attributes"]["year"]) == \
        ("January", "2027")


def test_errors_name_the_attribute_or_base():
    doc = errors_document([Refused("Enter a '#/participant_id'.", field="participant_id"), Refused("Duplicate")])
    assert doc == {"errors": [{"title": "participant_id", "detail": "Enter a '#/participant_id'."},
                              {"title": "base", "detail": "Duplicate"}]}
