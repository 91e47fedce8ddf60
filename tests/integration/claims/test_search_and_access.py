"""Support look-up over the real database: every filter and sort, scoping, CSV export, activity."""
from __future__ import annotations

import csv
import io

import pytest

from tests.support.claims import SUPPORT, running_claims, school_headers, setup_organisations, submit

MAT = {"x-actor-email": "ceo@northern.example", "x-actor-role": "mat", "x-actor-trust": "northern-trust"}


@pytest.fixture(scope="module")
async def claims_service(infra, module_env):
    """One claims service and data set for the module; tests only add to it where noted."""
    async with running_claims(infra, module_env) as (client, _):
        org = await setup_organisations(client)
        provider_id = org["provider"]["id"]
        r = await client.post("/internal/v1/providers", headers=SUPPORT,
                              json={"name": "Teach North", "code": "TN", "email_addresses": ["a@tn.example"]})
        other_provider = r.json()["id"]
        made = {}
        made["hackney"] = (await submit(client, "100001", provider_id, [("1111111", "Ada Lovelace", 10)])).json()
        made["barnet"] = (await submit(client, "100002", other_provider, [("2222222", "Grace Hopper", 4)])).json()
        made["leeds"] = (await submit(client, "100003", provider_id, [("3333333", "=HYPERLINK(\"x\")", 2)])).json()
        made["slough"] = (await submit(client, "100004", other_provider, [("4444444", "Alan Turing", 7)])).json()
        yield client, made, provider_id, other_provider, org


def ours(made, page) -> set[str]:
    """The module's four claims found on a page (other tests may add claims of their own)."""
    return {i["reference"] for i in page["items"]} & {c["reference"] for c in made.values()}


async def refs(client, headers=SUPPORT, **params):
    r = await client.get("/internal/v1/claims", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_amounts_follow_each_school_region(claims_service):
    client, made, *_ = claims_service
    assert made["hackney"]["amount"] == "536.00"  # Inner London 10 h
    assert made["barnet"]["amount"] == "193.00"  # Outer London by district code, 4 h
    assert made["leeds"]["amount"] == "87.60"  # Rest of England 2 h
    assert made["slough"]["amount"] == "315.70"  # Fringe by district code, 7 h


async def test_search_by_reference_substring_school_urn_school_name_provider_and_mentor(claims_service):
    client, made, *_ = claims_service
    ref = made["barnet"]["reference"]
    assert ref in [i["reference"] for i in (await refs(client, q=ref[2:6]))["items"]]
    assert [i["reference"] for i in (await refs(client, q="100004"))["items"]] == [made["slough"]["reference"]]
    assert [i["reference"] for i in (await refs(client, q="hackney prim"))["items"]] == [made["hackney"]["reference"]]
    assert {i["reference"] for i in (await refs(client, q="Teach North"))["items"]} == {
        made["barnet"]["reference"], made["slough"]["reference"]}
    assert [i["reference"] for i in (await refs(client, q="Turing"))["items"]] == [made["slough"]["reference"]]
    assert (await refs(client, q="%"))["total"] == 0  # wildcards are literal


async def test_each_filter_narrows_the_list(claims_service):
    client, made, provider_id, other_provider, org = claims_service
    assert (await refs(client, school_urn="100004"))["total"] == 1
    assert (await refs(client, status="submitted", school_urn="100004"))["total"] == 1
    assert (await refs(client, status="paid"))["total"] == 0
    assert (await refs(client, provider_id=other_provider))["total"] == 2
    assert (await refs(client, school_urn="100003"))["total"] == 1
    everything = {c["reference"] for c in made.values()}
    assert ours(made, await refs(client, claim_window_id=org["window"]["id"])) == everything
    assert ours(made, await refs(client, academic_year="2026/27")) == everything
    assert (await refs(client, academic_year="2025/26"))["total"] == 0
    assert ours(made, await refs(client, submitted_from="2026-11-23", submitted_to="2026-11-23")) == everything
    assert (await refs(client, submitted_from="2026-11-24"))["total"] == 0
    assert (await refs(client, submitted_to="2026-11-22"))["total"] == 0
    r = await client.post(f"/internal/v1/claims/{made['leeds']['reference']}/assign", headers=SUPPORT,
                          json={"user_email": "support2@example.com"})
    assert r.status_code == 200 and r.json()["assigned_to"] == "support2@example.com"
    assert [i["reference"] for i in (await refs(client, assigned_to="support2@example.com"))["items"]] == [
        made["leeds"]["reference"]]


async def test_an_unknown_status_filter_is_refused_clearly(claims_service):
    client, *_ = claims_service
    r = await client.get("/internal/v1/claims", headers=SUPPORT, params={"status": "nonsense"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "‘nonsense’ is not a claim status"


@pytest.mark.parametrize(("sort", "key"), [("amount", lambda i: float(i["amount"])), ("reference", lambda i: i["reference"]),
                                           ("school", lambda i: i["school"]["name"]),
                                           ("provider", lambda i: i["provider"]["name"])])
async def test_sorting_by_a_column_both_ways(claims_service, sort, key):
    client, *_ = claims_service
    asc = (await refs(client, sort=sort, order="asc"))["items"]
    desc = (await refs(client, sort=sort, order="desc"))["items"]
    assert [key(i) for i in asc] == sorted(key(i) for i in asc)
    assert [key(i) for i in desc] == sorted((key(i) for i in desc), reverse=True)


async def test_pages_do_not_overlap_and_cover_everything(claims_service):
    client, *_ = claims_service
    total = (await refs(client))["total"]
    pages = [await refs(client, per_page=3, page=p, sort="reference", order="asc") for p in (1, 2, 3)]
    assert [len(p["items"]) for p in pages][:2] == [3, min(3, total - 3)]
    assert pages[1]["page"] == 2 and all(p["total"] == total for p in pages)
    assert len({i["reference"] for p in pages for i in p["items"]}) == min(total, 9)


async def test_a_mat_user_sees_only_its_trusts_claims(claims_service):
    client, made, *_ = claims_service
    found = {i["reference"] for i in (await refs(client, headers=MAT))["items"]}
    assert found == {made["barnet"]["reference"], made["leeds"]["reference"]}
    r = await client.get(f"/internal/v1/claims/{made['hackney']['reference']}", headers=MAT)
    assert r.status_code == 404


async def test_a_school_user_cannot_read_another_schools_claim(claims_service):
    client, made, *_ = claims_service
    mine = await client.get(f"/internal/v1/claims/{made['hackney']['reference']}", headers=school_headers("100001"))
    assert mine.status_code == 200
    theirs = await client.get(f"/internal/v1/claims/{made['barnet']['reference']}", headers=school_headers("100001"))
    assert theirs.status_code == 404
    listed = await refs(client, headers=school_headers("100001"))
    assert [i["reference"] for i in listed["items"]] == [made["hackney"]["reference"]]


async def test_a_school_user_cannot_claim_for_another_school(claims_service):
    client, made, provider_id, *_ = claims_service
    r = await client.post("/internal/v1/claims", headers=school_headers("100001"), json={
        "school_urn": "100002", "provider_id": provider_id, "mentors": [{"trn": "9999999", "full_name": "X Y", "hours": 1}]})
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == "You can only claim for your own school"


async def test_the_hours_cap_refuses_an_over_claim_with_what_is_left(claims_service):
    client, made, provider_id, *_ = claims_service
    r = await submit(client, "100001", provider_id, [("1111111", "Ada Lovelace", 7)])  # 10 of 16 used
    assert r.status_code == 422
    assert "between 1 and 6" in r.json()["errors"][0]["message"]
    assert (await submit(client, "100001", provider_id, [("1111111", "Ada Lovelace", 6)])).status_code == 201
    r = await submit(client, "100001", provider_id, [("1111111", "Ada Lovelace", 1)])
    assert "no hours of training left" in r.json()["errors"][0]["message"]


async def test_support_users_can_only_create_drafts(claims_service):
    client, made, provider_id, *_ = claims_service
    r = await client.post("/internal/v1/claims", headers=SUPPORT, json={
        "school_urn": "100001", "provider_id": provider_id, "mentors": [{"trn": "5555555", "full_name": "D Raft", "hours": 2}]})
    assert r.status_code == 201 and r.json()["status"] == "draft"


async def test_the_csv_download_is_filtered_and_safe_from_formula_injection(claims_service):
    client, made, *_ = claims_service
    r = await client.get("/internal/v1/claims.csv", headers=SUPPORT, params={"school_urn": "100003"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "claim_reference" and len(rows) == 2
    assert rows[1][0] == made["leeds"]["reference"] and rows[1][5] == "87.60"
    r = await client.get("/internal/v1/claims.csv", headers=SUPPORT, params={"q": "HYPERLINK"})
    assert len(list(csv.reader(io.StringIO(r.text)))) == 2  # the mentor name is searchable...


async def test_claim_detail_has_every_field_and_its_history(claims_service):
    client, made, *_ = claims_service
    d = (await client.get(f"/internal/v1/claims/{made['hackney']['reference']}", headers=SUPPORT)).json()
    for field in ("reference", "status", "status_label", "amount", "school", "provider", "claim_window_id",
                  "submitted_at", "sample_reason", "provider_comment", "clawback_amount", "mentors", "activity"):
        assert field in d
    assert d["mentors"] == [{"trn": "1111111", "full_name": "Ada Lovelace", "hours": 10, "assured": None,
                             "not_assured_reason": None, "hours_clawed_back": None,
                             "hours_confirmed": None}]
    assert d["history"][0]["to_status"] == "submitted"


async def test_the_activity_log_is_newest_first_25_a_page(claims_service):
    client, made, *_ = claims_service
    import asyncio
    for _ in range(100):
        page = (await client.get("/internal/v1/activity", headers=SUPPORT)).json()
        if any(i["title"].startswith("Schools imported") for i in page["items"]) and page["total"] >= 7:
            break
        await asyncio.sleep(0.1)
    titles = [i["title"] for i in page["items"]]
    assert titles[0].startswith("Claim ")
    assert any(t.startswith("Schools imported: 4 added") for t in titles)
    assert len(page["items"]) <= 25
    times = [i["occurred_at"] for i in page["items"]]
    assert times == sorted(times, reverse=True)
    per_claim = (await client.get("/internal/v1/activity", headers=SUPPORT,
                                  params={"reference": made["hackney"]["reference"]})).json()
    assert [i["title"] for i in per_claim["items"]] == [f"Claim {made['hackney']['reference']} submitted"]
