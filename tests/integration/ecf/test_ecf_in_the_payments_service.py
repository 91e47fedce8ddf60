"""The ECF engine inside the payments process: its routes are mounted, its deadline job runs, and
an authorised statement's event reaches the broker through the payments outbox.
(The job's effect is tested with ``run_deadlines`` in test_ecf_statements_api.)"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.payments.ecf.admin import add_lead_provider
from services.payments.ports import FixedClock
from shared.contracts.topics import ECF_EVENTS
from tests.support.messaging import read_topic
from tests.support.payments import running_payments

from tests.support.ecf import FINANCE, STANDARD_MILESTONES, STARTED

pytestmark = pytest.mark.integration


async def test_an_authorised_statement_is_published_from_the_payments_process(
        infra, isolated_env):
    clock = FixedClock(datetime(2026, 10, 15, 10, tzinfo=timezone.utc))
    async with running_payments(infra, isolated_env, clock=clock) as (client, app):
        url = app.state.runtime.database_url
        lp = await add_lead_provider(url, name="Ambition Institute")
        found = await client.get("/internal/v1/ecf/lead-providers/by-token",
                                 headers={"x-lead-provider-token": lp["api_token"]})
        assert found.json() == {"id": lp["id"], "name": "Ambition Institute"}

        async def post(path, body):
            r = await client.post(f"/internal/v1/finance{path}", json=body, headers=FINANCE)
            assert r.status_code in (200, 201), r.text
            return r.json()

        await post("/schedules", {"identifier": "ecf-standard-september", "cohort": 2026,
                                  "milestones": STANDARD_MILESTONES})
        await post("/contracts", {"lead_provider_id": lp["id"], "cohort": 2026, "recruitment_target": 2000,
                                  "bands": [{"name": "A", "min": 0, "max": 2000, "per_participant": "995.00"}]})
        statement = await post("/statements", {"lead_provider_id": lp["id"], "cohort": 2026, "name": "November 2026",
                                               "deadline_date": "2026-10-31", "payment_date": "2026-11-25"})
        participant = await post("/participants", {"lead_provider_id": lp["id"], "cohort": 2026,
                                                   "schedule": "ecf-standard-september", "trn": "1234567",
                                                   "full_name": "Ada Lovelace"})
        r = await client.post("/internal/v1/ecf/participant-declarations", headers={"x-lead-provider-id": lp["id"]},
                              json={"data": {"type": "participant-declaration",
                                             "attributes": {"participant_id": participant["id"], **STARTED}}})
        assert r.status_code == 200, r.text

        clock.at = datetime(2026, 11, 5, 10, 30, tzinfo=timezone.utc)
        r = await client.post(f"/internal/v1/finance/statements/{statement['id']}/authorise", headers=FINANCE,
                              json={"assurance_checks_done": True})
        assert r.status_code == 200, r.text
        assert r.json()["authorised_for_payment"] == "Authorised for payment at 10:30am on 5 Nov 2026"

        [event] = await read_topic(isolated_env, ECF_EVENTS.name, until=1)
        assert event.type == "StatementAuthorised"
        assert (event.statement_id, event.lead_provider_id, str(event.total)) == (
            statement["id"], lp["id"], "27567.68")
        assert "ecf_deadlines" in [job.__name__ for job in app.state.runtime.jobs]  # runs every minute
