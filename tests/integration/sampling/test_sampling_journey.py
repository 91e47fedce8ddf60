"""The sampling journey over the real broker and database, with claims running beside sampling:
paid claims → sampling upload → review → confirm (twice, at the same moment) → claims Sampling in
progress → provider emails with one-time links → provider response → support decisions."""
from __future__ import annotations

import asyncio
import csv
import io

from shared.contracts.topics import NOTIFY_COMMANDS, SAMPLING_EVENTS
from tests.support.claims import SUPPORT
from tests.support.messaging import read_topic
from tests.support.sampling import rows_of, sample_file, upload, world

SAMPLES = "/internal/v1/sampling/uploads"
RESPONSES = "/internal/v1/sampling/responses"
WARNING = ("Each accredited provider included in the sample data will receive an email instructing them to "
           "assure their partner schools’ claim.")


def token_of(command) -> str:
    return command.personalisation["link"].rsplit("/", 1)[1]


async def sample_everything(w, *, reasons=None):
    refs = w.refs
    rows = [(refs[name], (reasons or {}).get(name, "Random sample")) for name in ("john", "jane", "both", "other")]
    r = await upload(w.sampling, SAMPLES, sample_file(*rows))
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_confirmed_sample_moves_every_claim_once_and_emails_every_provider_address(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        created = await sample_everything(w)
        assert created["claim_count"] == 4

        review = (await w.sampling.get(f"{SAMPLES}/{created['upload_id']}", headers=SUPPORT)).json()
        assert review["claim_count"] == 4 and review["status"] == "pending"
        assert review["warning"] == WARNING
        assert (await w.status(w.refs["john"])) == "paid"  # nothing happens before confirming

        first, second = await asyncio.gather(
            w.sampling.post(f"{SAMPLES}/{created['upload_id']}/confirm", headers=SUPPORT),
            w.sampling.post(f"{SAMPLES}/{created['upload_id']}/confirm", headers=SUPPORT))
        assert (first.status_code, second.status_code) == (202, 202), (first.text, second.text)
        again = await w.sampling.post(f"{SAMPLES}/{created['upload_id']}/confirm", headers=SUPPORT)
        assert again.status_code == 202 and again.json()["status"] == "confirmed"

        await w.wait_for_status(w.refs.values(), "sampling_in_progress")
        detail = await w.claim(w.refs["john"])
        assert detail["sample_reason"] == "Random sample"

        sampled = await read_topic(isolated_env, SAMPLING_EVENTS.name, until=2, timeout=3)
        assert [e.type for e in sampled] == ["ClaimsSampled"]  # the four claims in one batch
        claims = [c for e in sampled for c in e.claims]
        assert sorted(c.reference for c in claims) == sorted(w.refs.values())  # exactly one each
        assert {c.provider_id for c in claims if c.reference == w.refs["other"]} == {w.other_provider["id"]}
        assert all(e.actor and e.actor.email == SUPPORT["x-actor-email"] for e in sampled)
        assert sampled[0].upload_id == created["upload_id"]

        emails = await read_topic(isolated_env, NOTIFY_COMMANDS.name, until=4, timeout=3)
        assert sorted(e.to for e in emails) == ["a@tn.example", "audit@bpn.example", "b@tn.example"]
        bpn = next(e for e in emails if e.to == "audit@bpn.example")
        assert bpn.template == "provider_sampling_request"
        assert bpn.personalisation["claim_count"] == "3"
        assert bpn.personalisation["provider_name"] == "Best Practice Network"
        assert bpn.personalisation["completion_date"] == "2026-12-14"  # 21 days on, a Monday
        assert bpn.personalisation["link_expires_on"] == "2026-11-30"
        assert bpn.personalisation["link"].startswith("https://claimflow.example/links/sampling-")
        assert len({e.notification_id for e in emails}) == 3
        assert len({token_of(e) for e in emails}) == 3  # a unique link per address

        r = await w.sampling.get(f"/internal/v1/links/{token_of(bpn)}")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/csv")
        assert "attachment; filename=" in r.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert rows[0] == ["claim_reference", "school_urn", "school_name", "school_postcode", "mentor_full_name",
                           "mentor_hours_of_training", "claim_assured", "claim_not_assured_reason"]
        assert sorted((row[0], row[4]) for row in rows[1:]) == sorted([
            (w.refs["john"], "John Smith"), (w.refs["jane"], "Jane Doe"),
            (w.refs["both"], "Jane Doe"), (w.refs["both"], "John Smith")])
        assert all(row[6:] == ["", ""] for row in rows[1:])
        assert w.refs["other"] not in r.text  # only the provider's own claims

        used = await w.sampling.get(f"/internal/v1/links/{token_of(bpn)}")
        assert used.status_code == 410
        assert used.json()["reason"] == "used"
        assert "reply to the email" in used.json()["errors"][0]["message"].lower()
        unknown = await w.sampling.get("/internal/v1/links/sampling-not-a-real-token")
        assert (unknown.status_code, unknown.json()["reason"]) == (410, "unknown")

        activity = await w.activity("Audit data uploaded for 4 claims")
        uploaded = next(a for a in activity if a["title"] == "Audit data uploaded for 4 claims")
        assert uploaded["files"][0]["name"] == "claims.csv"
        assert sorted(uploaded["claim_references"]) == sorted(w.refs.values())

        waiting = (await w.sampling.get("/internal/v1/sampling/claims", headers=SUPPORT)).json()
        assert waiting["total"] == 4 and {i["status_label"] for i in waiting["items"]} == {"Sampling in progress"}

        # A second sampling of the same claims is refused: they are no longer paid.
        r = await upload(w.sampling, SAMPLES, sample_file((w.refs["john"], "Again")))
        assert r.status_code == 422
        assert r.json()["errors"] == [{"message": "Enter a valid claim reference", "row": 2,
                                       "field": "claim_reference_number"}]


async def test_provider_answers_move_claims_and_support_approves_or_rejects(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        created = await sample_everything(w)
        assert (await w.sampling.post(f"{SAMPLES}/{created['upload_id']}/confirm", headers=SUPPORT)).status_code == 202
        await w.wait_for_projection(w.refs.values(), "sampling_in_progress")
        john, jane, both, other = (w.refs[n] for n in ("john", "jane", "both", "other"))
        header = "claim_reference,mentor_full_name,claim_assured,claim_not_assured_reason"

        async def refused(body: str):
            r = await upload(w.sampling, RESPONSES, (header + "\n" + body).encode(), "response.csv")
            assert r.status_code == 422, r.text
            return [e["message"] for e in r.json()["errors"]]

        assert await refused(f"{both},John Smith,yes,\n") == [
            f"Mentors are missing from the claim(s) with the reference ‘{both}’"]
        assert await refused(f"{john},Random Bob,yes,\n") == [
            "Enter a valid mentor name", f"Mentors are missing from the claim(s) with the reference ‘{john}’"]
        assert await refused(f"{john},John Smith,,\n") == ["Enter a valid input"]
        assert await refused(f"{john},John Smith,No,\n") == ["Enter a reason"]
        assert await refused("99999999,John Smith,yes,\n") == ["Enter a valid claim reference"]
        r = await upload(w.sampling, RESPONSES, b"claim_refrence,mentor_name,claim_assured\n1,2,3\n")
        assert [e["message"] for e in r.json()["errors"]] == [
            "Your file needs a column called ‘claim_reference’ and ‘mentor_full_name’.",
            "Right now it has columns called ‘claim_refrence’, ‘mentor_name’ and ‘claim_assured’."]

        # The DfE cases, and a file that answers for two providers at once.
        body = (f"{john},John Smith,false,Some reason\n{jane}, Jane Doe , TRUE ,\n"
                f"{other},Grace Hopper,no,Never met this mentor\n")
        r = await upload(w.sampling, RESPONSES, (header + "\n" + body).encode(), "response.csv")
        assert r.status_code == 201, r.text
        assert r.json()["claim_count"] == 3
        upload_id = r.json()["upload_id"]
        firsts = await asyncio.gather(*[w.sampling.post(f"{RESPONSES}/{upload_id}/confirm", headers=SUPPORT)
                                        for _ in range(2)])
        assert [f.status_code for f in firsts] == [202, 202]

        await w.wait_for_status([john, other], "sampling_provider_not_approved")
        await w.wait_for_status([jane], "paid")
        assert (await w.status(both)) == "sampling_in_progress"
        detail = await w.claim(john)
        assert detail["status_label"] == "Provider not approved"
        assert detail["provider_comment"] == "John Smith: Some reason"
        assert [(m["full_name"], m["assured"], m["not_assured_reason"]) for m in detail["mentors"]] == [
            ("John Smith", False, "Some reason")]
        answers = await rows_of(w.sampling.database_url,
                                "SELECT claim_reference, via, assured, reason_codes, upload_id FROM provider_answers")
        assert sorted(answers) == sorted([
            (john, "csv", False, ["other"], upload_id), (jane, "csv", True, [], upload_id),
            (other, "csv", False, ["other"], upload_id)])
        responses = [e for e in await read_topic(isolated_env, SAMPLING_EVENTS.name, until=8, timeout=3)
                     if e.type == "ProviderResponseRecorded"]
        assert sorted(e.reference for e in responses) == sorted([john, jane, other])  # once each

        notes = await read_topic(isolated_env, NOTIFY_COMMANDS.name, until=5, timeout=3)
        school = [n for n in notes if n.template == "school_claim_not_assured"]
        assert [(n.to, n.personalisation["claim_reference"]) for n in school] == [("office@hackney.example", john)]
        assert school[0].personalisation["provider_comment"] == "John Smith: Some reason"

        await w.activity("Provider audit response uploaded for 2 claims from Best Practice Network",
                         "Provider audit response uploaded for 1 claim from Teach North",
                         f"Provider Best Practice Network rejected audit for claim {john}")

        await w.wait_for_projection([john, other], "sampling_provider_not_approved")
        waiting = (await w.sampling.get("/internal/v1/sampling/claims", headers=SUPPORT)).json()
        assert {i["reference"] for i in waiting["items"]} == {john, both, other}
        assert next(i for i in waiting["items"] if i["reference"] == john)["provider_comment"] == "John Smith: Some reason"

        # Support decisions: only for a claim the provider did not approve.
        r = await w.sampling.post(f"/internal/v1/claims/{jane}/sampling/approve", headers=SUPPORT)
        assert r.status_code == 422
        assert r.json()["errors"][0]["message"].startswith(f"Claim {jane} cannot be approved: it is ‘Paid’")
        r = await w.sampling.post(f"/internal/v1/claims/{john}/sampling/reject", headers=SUPPORT, json={"reason": " "})
        assert (r.status_code, r.json()["errors"][0]["message"]) == (422, "Enter a reason")
        r = await w.sampling.post(f"/internal/v1/claims/{john}/sampling/reject", headers=SUPPORT,
                                  json={"reason": "The mentor did not train"})
        assert r.status_code == 202, r.text
        again = await w.sampling.post(f"/internal/v1/claims/{john}/sampling/reject", headers=SUPPORT,
                                      json={"reason": "The mentor did not train"})
        assert again.status_code == 422  # asked once only
        r = await w.sampling.post(f"/internal/v1/claims/{other}/sampling/approve", headers=SUPPORT, json={})
        assert r.status_code == 202, r.text
        await w.wait_for_status([john], "sampling_not_approved")
        await w.wait_for_status([other], "paid")
        await w.activity(f"Support approved claim {other}", f"Support rejected claim {john}: The mentor did not train")
        await w.wait_for_projection([john], "sampling_not_approved")
        waiting = (await w.sampling.get("/internal/v1/sampling/claims", headers=SUPPORT)).json()
        assert {i["reference"] for i in waiting["items"]} == {both}


async def test_a_resent_link_works_once_and_the_old_one_stops_working(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        created = await sample_everything(w)
        assert (await w.sampling.post(f"{SAMPLES}/{created['upload_id']}/confirm", headers=SUPPORT)).status_code == 202
        emails = await read_topic(isolated_env, NOTIFY_COMMANDS.name, until=3)
        old = next(e for e in emails if e.to == "audit@bpn.example")

        r = await w.sampling.post(f"/internal/v1/providers/{w.provider['id']}/sampling/resend", headers=SUPPORT)
        assert r.status_code == 202, r.text
        assert r.json()["sent_to"] == ["audit@bpn.example"]
        emails = await read_topic(isolated_env, NOTIFY_COMMANDS.name, until=4)
        resent = [e for e in emails if e.template == "provider_sampling_link_resend"]
        assert len(resent) == 1 and resent[0].to == "audit@bpn.example"
        assert resent[0].personalisation["completion_date"] == "2026-12-14"

        gone = await w.sampling.get(f"/internal/v1/links/{token_of(old)}")
        assert (gone.status_code, gone.json()["reason"]) == (410, "revoked")
        fresh = await w.sampling.get(f"/internal/v1/links/{token_of(resent[0])}")
        assert fresh.status_code == 200 and w.refs["john"] in fresh.text
        # The other provider's links are untouched.
        tn = next(e for e in emails if e.to == "a@tn.example")
        assert (await w.sampling.get(f"/internal/v1/links/{token_of(tn)}")).status_code == 200

        r = await w.sampling.post("/internal/v1/providers/no-such-provider/sampling/resend", headers=SUPPORT)
        assert r.status_code == 404


async def test_a_cancelled_upload_changes_nothing_and_cannot_be_confirmed(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        created = await sample_everything(w)
        r = await w.sampling.post(f"{SAMPLES}/{created['upload_id']}/cancel", headers=SUPPORT)
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
        r = await w.sampling.post(f"{SAMPLES}/{created['upload_id']}/confirm", headers=SUPPORT)
        assert (r.status_code, r.json()["errors"][0]["message"]) == (422, "This upload has already been cancelled")
        r = await w.sampling.get(f"{SAMPLES}/no-such-upload", headers=SUPPORT)
        assert r.status_code == 404
        assert await read_topic(isolated_env, SAMPLING_EVENTS.name, until=1, timeout=2) == []
        assert (await w.status(w.refs["john"])) == "paid"
        summary = (await w.sampling.get("/internal/v1/sampling/summary", headers=SUPPORT)).json()
        assert summary["paid_claim_count"] == 4 and summary["can_upload_sample"]
        assert summary["can_upload_response"] is False
        assert summary["cannot_upload_response_message"] == "There are no claims waiting for a provider response."
        waiting = (await w.sampling.get("/internal/v1/sampling/claims", headers=SUPPORT)).json()
        assert waiting["items"] == [] and waiting["empty_message"] == "There are no claims waiting to be processed."
