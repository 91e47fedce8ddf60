"""Providers' own accounts over the real broker and database (docs/design.md §12), claims and
sampling running together: the provider's claims list scoped by its provider ids, an answer given in
the service moving the claim as a response file would, the confirmed hours kept by claims, a second
answer refused, and support approving a claim still in sampling."""
from __future__ import annotations

import csv
import io

from tests.support.claims import SUPPORT
from tests.support.sampling import sample_file, upload, world

SAMPLES = "/internal/v1/sampling/uploads"


def provider_user(*provider_ids: str) -> dict[str, str]:
    return {"x-actor-email": "audit@provider.example", "x-actor-role": "provider",
            "x-actor-providers": ",".join(provider_ids)}


async def sample(w, *names: str) -> None:
    r = await upload(w.sampling, SAMPLES, sample_file(*[(w.refs[n], "Random sample") for n in names]))
    assert r.status_code == 201, r.text
    r = await w.sampling.post(f"{SAMPLES}/{r.json()['upload_id']}/confirm", headers=SUPPORT)
    assert r.status_code == 202, r.text
    await w.wait_for_projection([w.refs[n] for n in names], "sampling_in_progress")


async def test_a_provider_sees_only_its_own_claims_with_its_labels_and_deadline_first(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        await sample(w, "john", "other")
        bpn, other = w.provider["id"], w.other_provider["id"]
        r = await w.sampling.get("/internal/v1/provider/claims", headers=provider_user(bpn))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == 3
        assert {i["provider"]["id"] for i in body["items"]} == {bpn}
        first = body["items"][0]
        assert first["reference"] == w.refs["john"] and first["needs_action"] is True
        assert first["status_label"] == "Audit requested"
        assert first["audit_deadline"] == "2026-12-14" and first["days_left"] == 21
        assert [i["status_label"] for i in body["items"][1:]] == ["Paid", "Paid"]
        assert body["items"][1]["audit_deadline"] is None

        only = await w.sampling.get("/internal/v1/provider/claims", params={"status": "sampling_in_progress"},
                                    headers=provider_user(bpn))
        assert [i["reference"] for i in only.json()["items"]] == [w.refs["john"]]
        by_school = await w.sampling.get("/internal/v1/provider/claims", params={"school_urn": "100003"},
                                         headers=provider_user(bpn))
        assert [i["reference"] for i in by_school.json()["items"]] == [w.refs["jane"]]

        # Another provider's claim does not exist for this provider: list, CSV, claim page, answer.
        assert (await w.sampling.get(f"/internal/v1/provider/claims/{w.refs['other']}",
                                     headers=provider_user(bpn))).status_code == 404
        assert (await w.sampling.post(f"/internal/v1/claims/{w.refs['other']}/assurance", json={"assured": True},
                                      headers=provider_user(bpn))).status_code == 404
        csv_text = (await w.sampling.get("/internal/v1/provider/claims.csv", headers=provider_user(bpn))).text
        rows = list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
        assert {r["claim_reference"] for r in rows} == {w.refs["john"], w.refs["jane"], w.refs["both"]}
        assert len(rows) == 4  # one row per mentor
        assert w.refs["other"] not in csv_text
        # No provider ids: nothing at all (never "every claim").
        assert (await w.sampling.get("/internal/v1/provider/claims", headers=provider_user())).json()["total"] == 0
        mine = await w.sampling.get("/internal/v1/provider/claims", headers=provider_user(other))
        assert [i["reference"] for i in mine.json()["items"]] == [w.refs["other"]]


async def test_an_answer_in_the_account_ends_in_provider_not_approved_with_the_hours_kept(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        await sample(w, "both", "john", "jane")
        bpn, ref = w.provider["id"], w.refs["both"]
        bad = await w.sampling.post(f"/internal/v1/claims/{ref}/assurance", headers=provider_user(bpn), json={
            "assured": False, "mentors": [{"trn": "3333333", "hours_confirmed": 4, "reason_code": "other"}]})
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {"hours_confirmed-3333333", "reason-3333333"}

        r = await w.sampling.post(f"/internal/v1/claims/{ref}/assurance", headers=provider_user(bpn), json={
            "assured": False, "mentors": [
                {"trn": "3333333", "hours_confirmed": 0, "reason_code": "no_record_of_mentor"},
                {"trn": "4444444", "hours_confirmed": 2, "reason_code": "hours_not_completed",
                 "reason": "Only 2 sessions"}]})
        assert r.status_code == 202, r.text
        await w.wait_for_status([ref], "sampling_provider_not_approved")
        detail = await w.claim(ref)
        mentors = {m["trn"]: m for m in detail["mentors"]}
        assert mentors["3333333"]["hours_confirmed"] == 0 and mentors["3333333"]["assured"] is False
        assert mentors["4444444"]["hours_confirmed"] == 2
        assert mentors["4444444"]["not_assured_reason"] == "hours_not_completed: Only 2 sessions"
        assert detail["provider_comment"] == ("Jane Doe: hours_not_completed: Only 2 sessions\n"
                                              "John Smith: no_record_of_mentor")

        again = await w.sampling.post(f"/internal/v1/claims/{ref}/assurance", headers=provider_user(bpn),
                                      json={"assured": True})
        assert again.status_code == 422
        assert again.json()["errors"][0]["message"].startswith(f"Claim {ref} has already been answered")

        # Yes in the account → paid, and the provider then sees it as "Approved".
        r = await w.sampling.post(f"/internal/v1/claims/{w.refs['john']}/assurance", headers=provider_user(bpn),
                                  json={"assured": True})
        assert r.status_code == 202, r.text
        # Support approves a claim still waiting for the provider.
        r = await w.sampling.post(f"/internal/v1/claims/{w.refs['jane']}/sampling/approve", headers=SUPPORT)
        assert r.status_code == 202, r.text
        await w.wait_for_status([w.refs["john"], w.refs["jane"]], "paid")
        await w.wait_for_projection([w.refs["john"]], "paid")
        page = (await w.sampling.get(f"/internal/v1/provider/claims/{w.refs['john']}",
                                     headers=provider_user(bpn))).json()
        assert page["status_label"] == "Approved" and page["answer"]["via"] == "account"
        await w.activity(f"Provider Best Practice Network assured claim {w.refs['john']}",
                         f"Provider Best Practice Network rejected audit for claim {ref}")
