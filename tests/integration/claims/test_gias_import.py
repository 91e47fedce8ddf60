"""Schools from GIAS through the real claims service on PostgreSQL (docs/design.md §14, issue 24): an
extract in GIAS's own shape imports; a second extract's new / changed / closed counts are shown
before anything changes and it applies once; a closed school cannot start a claim while its open
claims carry on; a malformed extract is refused with its own error and changes nothing."""
from __future__ import annotations

from dataclasses import replace

import pytest

from claimflow.demo.gias import DISTRICTS, Establishment, extract, links_extract
from shared.contracts import ClaimSentToPayer

from tests.support.claims import SUPPORT, running_claims, school_headers, setup_organisations, submit
from tests.support.messaging import eventually, publish

CAMDEN, BARNET, LEEDS = DISTRICTS[0], DISTRICTS[1], DISTRICTS[2]
FIRST = [
    Establishment("100001", "Hackney Primary", district=CAMDEN, phase="Primary"),
    Establishment("100002", "École Sainte-Thérèse", district=BARNET, trust_code="4001", trust_name="Côte Trust",
                  phase="Secondary", urban_rural="(England/Wales) Urban major conurbation"),
    Establishment("100003", "Leeds High", district=LEEDS, trust_code="4001", trust_name="Côte Trust"),
    Establishment("100004", "Slough Juniors", district=LEEDS),
    Establishment("100005", "Oakwood Infants", district=LEEDS),
    Establishment("100006", "Beaumont School", district=LEEDS),
]


async def upload(client, data: bytes, links: bytes | None = None):
    files = {"file": ("edubasealldata20261123.csv", data, "text/csv")}
    if links is not None:
        files["links"] = ("links_edubasealldata20261123.csv", links, "text/csv")
    return await client.post("/internal/v1/schools/gias", headers=SUPPORT, files=files)


async def confirmed(client, data: bytes, links: bytes | None = None) -> dict:
    r = await upload(client, data, links)
    assert r.status_code == 201, r.text
    c = await client.post(f"/internal/v1/schools/gias/{r.json()['upload_id']}/confirm", headers=SUPPORT)
    assert c.status_code == 200, c.text
    return r.json()


async def school(client, urn: str) -> dict:
    r = await client.get(f"/internal/v1/schools/{urn}", headers=SUPPORT)
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_second_extract_shows_its_counts_applies_once_and_a_closed_school_cannot_start_a_claim(
        infra, isolated_env):
    async with running_claims(infra, isolated_env) as (client, app):
        org = await setup_organisations(client)  # 100001-100004 from the simple CSV, a provider, a window
        before_closing = await submit(client, "100004", org["provider"]["id"], [("1234567", "Ada Lovelace", 5)])
        assert before_closing.status_code == 201, before_closing.text

        first = await confirmed(client, extract(FIRST))
        assert (first["new"], first["closed"]) == (2, 0)
        ecole = await school(client, "100002")
        assert (ecole["name"], ecole["trust_name"], ecole["region"], ecole["phase_of_education"],
                ecole["urban_rural"]) == ("École Sainte-Thérèse", "Côte Trust", "Outer London", "Secondary",
                                          "(England/Wales) Urban major conurbation")
        assert (await school(client, "100001"))["region"] == "Inner London"  # from the district, as §3

        second = [replace(FIRST[0], name="Hackney Primary School"),
                  replace(FIRST[1], trust_code="", trust_name=""),             # leaves its trust
                  replace(FIRST[2], trust_name="Côte Learning Trust"),         # its trust renamed
                  replace(FIRST[3], status="Closed", close_date="12-03-2026"),
                  replace(FIRST[4], phase="Nursery"), FIRST[5],
                  Establishment("100007", "Hillside Academy", district=LEEDS)]
        r = await upload(client, extract(second), links_extract([("100004", "100007", "Successor")]))
        assert r.status_code == 201, r.text
        counts = r.json()
        assert {k: counts[k] for k in ("new", "changed", "closed")} == {"new": 1, "changed": 3, "closed": 1}
        review = (await client.get(f"/internal/v1/schools/gias/{counts['upload_id']}", headers=SUPPORT)).json()
        assert (review["status"], review["row_count"], review["new"]) == ("pending", 7, 1)
        assert (await school(client, "100004"))["establishment_status"] == "Open"  # nothing changed yet

        done = await client.post(f"/internal/v1/schools/gias/{counts['upload_id']}/confirm", headers=SUPPORT)
        assert done.status_code == 200 and done.json()["status"] == "confirmed"
        again = await client.post(f"/internal/v1/schools/gias/{counts['upload_id']}/confirm", headers=SUPPORT)
        assert again.status_code == 422
        assert again.json()["errors"][0]["message"] == "This file has already been confirmed"

        closed = await school(client, "100004")
        assert (closed["establishment_status"], closed["closed_on"]) == ("Closed", "2026-03-12")
        assert closed["successor"] == {"urn": "100007", "name": "Hillside Academy"}
        assert (await school(client, "100002"))["trust_id"] is None
        assert (await school(client, "100003"))["trust_name"] == "Côte Learning Trust"
        listed = (await client.get("/internal/v1/schools", params={"q": "hackney"}, headers=SUPPORT)).json()
        assert [s["urn"] for s in listed["items"]] == ["100001"]

        refused = await submit(client, "100004", org["provider"]["id"], [("7654321", "Grace Hopper", 5)])
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["message"] == "This school closed on 12 March 2026"

        reference = before_closing.json()["reference"]
        await publish(isolated_env, ClaimSentToPayer(reference=reference, payment_id="p1"))

        async def carried_on():
            r = await client.get(f"/internal/v1/claims/{reference}", headers=school_headers("100004"))
            assert r.json()["status"] == "payment_in_progress"
            return True

        await eventually(carried_on)


@pytest.mark.parametrize(("data", "message"), [
    (extract(FIRST, encoding="utf-16"), "The selected file is not in the encoding GIAS uses (Windows-1252)"),
    (extract(FIRST).replace(b"URN,", b"Ref,", 1), "The selected file has no ‘URN’ column"),
    (extract([*FIRST, replace(FIRST[0], name="Again")]), "URN 100001 is in the file more than once"),
    (extract([replace(FIRST[0], status="Shut")]), "‘Shut’ is not an establishment status GIAS uses"),
], ids=["wrong encoding", "no URN column", "duplicate URN", "unknown status"])
async def test_a_malformed_extract_gets_its_own_error_and_changes_nothing(infra, isolated_env, data, message):
    async with running_claims(infra, isolated_env) as (client, app):
        await confirmed(client, extract(FIRST[:2]))
        r = await upload(client, data)
        assert r.status_code == 422
        assert r.json()["errors"][0]["message"].startswith(message)
        listed = (await client.get("/internal/v1/schools", headers=SUPPORT)).json()
        assert sorted((s["urn"], s["name"]) for s in listed["items"]) == [("100001", "Hackney Primary"),
                                                                           ("100002", "École Sainte-Thérèse")]
