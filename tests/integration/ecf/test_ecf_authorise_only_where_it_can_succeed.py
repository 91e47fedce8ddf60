""""Authorise for payment" only where it can succeed (docs/design.md §15): after the deadline, with payable
declarations (or clawbacks) on the statement. The statement says whether it can be authorised
(``can_authorise``, what the finance page offers), and the engine refuses the rest in plain words."""
from __future__ import annotations

import pytest

from tests.support.ecf import STARTED, add_participant, set_up_provider

pytestmark = pytest.mark.integration


async def test_a_statement_past_its_deadline_with_nothing_payable_cannot_be_authorised(ecf):
    lp = await set_up_provider(ecf)
    november, december = lp["statements"][:2]
    participant = await add_participant(ecf, lp)
    assert (await ecf.declare(lp, participant_id=participant, **STARTED)).status_code == 200  # on November
    ecf.clock.set("2026-12-05T10:00:00Z")  # both deadlines have passed; December has nothing on it

    empty = await ecf.statement(december)
    assert (empty["state"], empty["to_pay_count"], empty["can_authorise"]) == ("payable", 0, False)
    refused = await ecf.post(f"/statements/{december}/authorise", {"assurance_checks_done": True})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"message": "You cannot authorise December 2026 for payment: it has no "
                                                    "payable declarations", "field": "statement"}]
    assert await ecf.sql("SELECT * FROM outbox WHERE type = 'StatementAuthorised'") == []

    payable = await ecf.statement(november)
    assert (payable["to_pay_count"], payable["can_authorise"]) == (1, True)
    done = await ecf.post(f"/statements/{november}/authorise", {"assurance_checks_done": True}, expect=200)
    assert (done.json()["state"], done.json()["can_authorise"]) == ("paid", False)


async def test_before_the_deadline_a_statement_with_declarations_cannot_be_authorised_yet(ecf):
    lp = await set_up_provider(ecf)
    participant = await add_participant(ecf, lp)
    await ecf.declare(lp, participant_id=participant, **STARTED)

    open_ = await ecf.statement(lp["statements"][0])
    assert (open_["state"], open_["to_pay_count"], open_["can_authorise"]) == ("open", 1, False)
