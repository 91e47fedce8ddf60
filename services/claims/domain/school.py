"""Whether a school can start a claim (docs/design.md §14): a school GIAS lists as closed cannot; the
claims it already has carry on through their statuses as before."""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from shared.contracts import Refused

CLOSED = "Closed"


def closed_message(closed_on: date | None) -> str:
    """"This school closed on 12 March 2026" (GOV.UK dates), or without a date when GIAS gave none."""
    if closed_on is None:
        return "This school has closed"
    return f"This school closed on {closed_on.day} {closed_on:%B %Y}"


def check_school_open(school: Mapping[str, Any]) -> None:
    if school.get("establishment_status") == CLOSED:
        raise Refused(closed_message(school.get("closed_on")), field="school_urn")
