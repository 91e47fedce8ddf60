"""What the generated sample needs from a submitted claim (docs/design.md §13): ``ClaimSubmitted`` names the
user who submitted it (the gateway's ``X-Actor-Name``) and the school's phase and urban/rural ("" until
the schools import or GIAS gives them)."""
from __future__ import annotations

from urllib.parse import quote

from shared.contracts.topics import CLAIMS_EVENTS
from tests.support.claims import running_claims, school_headers, setup_organisations
from tests.support.messaging import read_topic


async def test_a_submitted_claim_names_its_submitter_and_the_schools_phase_and_urban_rural(infra, isolated_env):
    async with running_claims(infra, isolated_env) as (client, _):
        org = await setup_organisations(client)
        r = await client.post("/internal/v1/claims", headers={**school_headers("100001"), "x-actor-name": " Ada Lovelace "},
                              json={"school_urn": "100001", "provider_id": org["provider"]["id"],
                                    "mentors": [{"trn": "1234567", "full_name": "Ada Lovelace", "hours": 10}]})
        assert r.status_code == 201, r.text
        [event] = await read_topic(isolated_env, CLAIMS_EVENTS.name, until=1)
        assert event.submitted_by_name == "Ada Lovelace"
        assert (event.school.phase_of_education, event.school.urban_rural) == ("", "")


async def test_a_submitted_draft_names_its_submitter_whatever_the_letters_of_the_name(infra, isolated_env):
    """The gateway percent-encodes the name (a header is Latin-1 only); the draft's submit keeps it."""
    async with running_claims(infra, isolated_env) as (client, _):
        org = await setup_organisations(client)
        headers = {**school_headers("100001"), "x-actor-name": quote("Zoë Łukasiewicz", safe=" ")}
        r = await client.post("/internal/v1/claims/drafts", headers=headers, json={
            "school_urn": "100001", "provider_id": org["provider"]["id"],
            "mentors": [{"trn": "1234568", "full_name": "Zoë Łukasiewicz", "hours": 10}]})
        assert r.status_code == 201, r.text
        submitted = await client.post(f"/internal/v1/claims/{r.json()['reference']}/submit", headers=headers,
                                      json={"declaration": True})
        assert submitted.status_code == 200, submitted.text
        events = [e for e in await read_topic(isolated_env, CLAIMS_EVENTS.name, until=1)
                  if e.type == "ClaimSubmitted"]
        assert [e.submitted_by_name for e in events] == ["Zoë Łukasiewicz"]
