"""A claim's money journey over the real broker, with claims and payments running together (issue 5):
submitted → sent to the payer (CSV via the emailed link, once) → payer response → Paid → sampled,
not approved → clawback request → self-approval refused → approved by a second user → clawback
CSV via link → payer clawback response → Clawback complete."""
from __future__ import annotations

import csv
import io

from shared.contracts import ClaimSampled, MentorAssurance, ProviderResponseRecorded, SamplingDecisionRecorded
from tests.support.claims import SUPPORT, running_claims, setup_organisations, submit
from tests.support.messaging import eventually, publish

from tests.support.payments import ALICE, BOB, PAYERS, csv_file, notifications, running_payments, sql, token_of

SCHOOLS_WITH_EMAIL = ("urn,name,postcode,local_authority,type_of_establishment,region,group,email\n"
                      "100003,Leeds High,LS1 1AA,Leeds,Academy converter,Rest of England,Northern Trust,"
                      "office@leedshigh.example\n")


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


async def claim_status(claims, reference: str) -> str:
    return (await claims.get(f"/internal/v1/claims/{reference}", headers=SUPPORT)).json()["status"]


async def until_status(claims, reference: str, status: str) -> None:
    async def reached():
        assert await claim_status(claims, reference) == status
        return True
    await eventually(reached)


async def test_a_claim_is_paid_then_clawed_back_with_four_eyes_and_the_payer_files_work_once(infra, isolated_env):
    async with running_claims(infra, isolated_env) as (claims, _), \
            running_payments(infra, isolated_env) as (payments, app):
        org = await setup_organisations(claims)
        r = await claims.post("/internal/v1/schools/import", headers=SUPPORT,
                              files=csv_file(SCHOOLS_WITH_EMAIL, "schools.csv"))
        assert r.status_code == 200, r.text
        window = org["window"]["id"]
        provider = org["provider"]["id"]
        first = (await submit(claims, "100003", provider, [("1234567", "Ada Lovelace", 10),
                                                           ("7654321", "Grace Hopper", 6)])).json()
        second = (await submit(claims, "100001", provider, [("1111111", "Alan Turing", 5)])).json()
        ref, other = first["reference"], second["reference"]
        assert first["amount"] == "700.80"

        async def projected():
            ready = (await payments.get("/internal/v1/payments/ready")).json()["items"]
            assert ready and ready[0]["claim_count"] == 2
            return ready
        assert (await eventually(projected))[0]["total_amount"] == "968.80"

        # -- send to the payer
        r = await payments.post("/internal/v1/payments", json={"claim_window_id": window}, headers=ALICE)
        assert r.status_code == 201, r.text
        sent = r.json()
        assert sent["claim_count"] == 2
        r = await payments.post("/internal/v1/payments", json={"claim_window_id": window}, headers=ALICE)
        assert r.status_code == 422
        assert r.json()["errors"][0]["message"] == "You cannot send claims to the payer as there are no submitted claims"
        await until_status(claims, ref, "payment_in_progress")
        batch = (await payments.get(f"/internal/v1/payments/{sent['payment_id']}")).json()
        assert ([c["reference"] for c in batch["claims"]], batch["total_amount"]) == (sorted([ref, other]), "968.80")

        emails = await notifications(isolated_env, until=2, template="payer_claims_ready_for_payment")
        assert sorted(e.to for e in emails) == sorted(PAYERS)
        assert {e.notification_id for e in emails} == {f"payer_payment:{sent['payment_id']}:{a}" for a in PAYERS}
        assert emails[0].personalisation["claim_count"] == "2"
        assert emails[0].personalisation["link_expires_on"] == "2026-11-30"
        token = token_of(emails[0].personalisation["link"])
        download = await payments.get(f"/internal/v1/links/{token}")
        assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
        payment_rows = rows(download.content)
        assert [r["claim_reference"] for r in payment_rows] == sorted([ref, other])
        mine = next(r for r in payment_rows if r["claim_reference"] == ref)
        assert (mine["claim_amount"], mine["school_name"], mine["claim_status"]) == ("700.80", "Leeds High", "submitted")
        again = await payments.get(f"/internal/v1/links/{token}")
        assert again.status_code == 410 and again.json()["reason"] == "used"
        unknown = await payments.get("/internal/v1/links/payments-not-a-real-token")
        assert unknown.status_code == 410 and unknown.json()["reason"] == "unknown"

        # -- the payer's response: one paid, one needs information
        r = await payments.post("/internal/v1/payments/responses", headers=ALICE, files=csv_file(
            "claim_reference,claim_status,claim_unpaid_reason\n"
            f"{ref}, Paid ,\n{other},UNPAID,Bank details do not match\n"))
        assert r.status_code == 201, r.text
        upload = r.json()
        assert (upload["claim_count"], upload["paid"], upload["information_requested"]) == (2, 1, 1)
        review = (await payments.get(f"/internal/v1/payments/responses/{upload['upload_id']}")).json()
        assert review["status"] == "pending" and review["outcomes"] == {"paid": 1, "information_requested": 1}
        r = await payments.post(f"/internal/v1/payments/responses/{upload['upload_id']}/confirm", headers=ALICE)
        assert r.status_code == 202 and r.json()["applied"] is True
        await until_status(claims, ref, "paid")
        await until_status(claims, other, "payment_information_requested")

        # -- manual actions on the other claim: paid is refused from "Payer needs information"
        r = await payments.post(f"/internal/v1/claims/{other}/payment/paid", headers=ALICE)
        assert r.status_code == 422
        message = r.json()["errors"][0]["message"]
        assert other in message and "Payer needs information" in message and "paid" in message
        assert (await payments.post(f"/internal/v1/claims/{other}/payment/information-sent",
                                    headers=ALICE)).status_code == 202
        assert (await payments.post(f"/internal/v1/claims/{other}/payment/paid", headers=ALICE)).status_code == 202
        await until_status(claims, other, "paid")

        # -- audit: sampled, provider did not assure Ada, support rejected
        await publish(isolated_env, ClaimSampled(reference=ref, sample_reason="random", upload_id="u1",
                                                 provider_id=provider))
        await until_status(claims, ref, "sampling_in_progress")
        await publish(isolated_env, ProviderResponseRecorded(
            reference=ref, assured=False, comment="No evidence for Ada", upload_id="u2", provider_id=provider,
            mentors=(MentorAssurance(trn="1234567", full_name="Ada Lovelace", assured=False, reason="No evidence"),
                     MentorAssurance(trn="7654321", full_name="Grace Hopper", assured=True))))
        await until_status(claims, ref, "sampling_provider_not_approved")
        await publish(isolated_env, SamplingDecisionRecorded(reference=ref, approved=False, reason="Agreed"))
        await until_status(claims, ref, "sampling_not_approved")

        async def clawback_form():
            view = (await payments.get(f"/internal/v1/claims/{ref}/clawback")).json()
            assert view["status"] == "sampling_not_approved"
            assert [m["trn"] for m in view["mentors"] if m["to_enter"]] == ["1234567"]
            return view
        await eventually(clawback_form)

        # -- clawback: 10 claimed, 4 worked → 6 h × £43.80 = £262.80
        body = {"mentors": [{"trn": "1234567", "hours_worked": 4, "notes": "Timesheets for 4 hours"}]}
        check = (await payments.post(f"/internal/v1/claims/{ref}/clawback/check", json=body, headers=ALICE)).json()
        assert (check["amount"], check["mentors"][0]["hours_clawed_back"]) == ("262.80", 6)
        too_many = await payments.post(f"/internal/v1/claims/{ref}/clawback", headers=ALICE,
                                       json={"mentors": [{"trn": "1234567", "hours_worked": 11}]})
        assert too_many.status_code == 422 and "10 hours were claimed" in too_many.json()["errors"][0]["message"]
        r = await payments.post(f"/internal/v1/claims/{ref}/clawback", json=body, headers=ALICE)
        assert r.status_code == 201, r.text
        assert r.json()["amount"] == "262.80"
        await until_status(claims, ref, "clawback_requires_approval")
        waiting = (await payments.get("/internal/v1/clawbacks", params={"status": "awaiting_approval"})).json()
        assert [c["claim_reference"] for c in waiting["items"]] == [ref]

        r = await payments.post(f"/internal/v1/claims/{ref}/clawback/approve", headers=ALICE)
        assert r.status_code == 422
        assert r.json()["errors"][0]["message"].startswith("You cannot approve a clawback you requested")
        r = await payments.post(f"/internal/v1/claims/{ref}/clawback/approve", headers=BOB)
        assert r.status_code == 202, r.text
        await until_status(claims, ref, "clawback_requested")
        school_email = await notifications(isolated_env, until=3, template="school_clawback_requested")
        assert [(e.to, e.personalisation["clawback_amount"]) for e in school_email] == [
            ("office@leedshigh.example", "262.80")]

        # -- send clawbacks to the payer; the payer's response completes it
        r = await payments.post("/internal/v1/clawbacks", headers=BOB)
        assert r.status_code == 201, r.text
        assert r.json()["claim_count"] == 1
        await until_status(claims, ref, "clawback_in_progress")
        emails = await notifications(isolated_env, until=5, template="payer_claims_ready_for_clawback")
        assert len(emails) == 2
        clawback_rows = rows((await payments.get(f"/internal/v1/links/{token_of(emails[1].personalisation['link'])}")).content)
        assert [(r["claim_reference"], r["claim_amount"], r["clawback_amount"]) for r in clawback_rows] == [
            (ref, "700.80", "262.80")]
        r = await payments.post("/internal/v1/clawbacks/responses", headers=BOB,
                                files=csv_file(f"claim_reference,claim_status\n{ref},clawback_complete\n"))
        assert r.status_code == 201, r.text
        r = await payments.post(f"/internal/v1/clawbacks/responses/{r.json()['upload_id']}/confirm", headers=BOB)
        assert r.status_code == 202
        await until_status(claims, ref, "clawback_complete")

        # -- every action is in the activity log, with its actor
        async def logged():
            items = (await claims.get("/internal/v1/activity", params={"reference": ref})).json()["items"]
            titles = {a["title"]: a["actor"] for a in items}
            # .get: an entry still on its way is an AssertionError, which ``eventually`` retries
            # (a KeyError ended the wait at once: the activity log is written by its own consumer).
            assert titles.get("2 claims sent to payer for payment") == ALICE["x-actor-email"]
            assert titles.get("Payer payment response uploaded") == ALICE["x-actor-email"]
            assert titles.get(f"Clawback requested for claim {ref}") == BOB["x-actor-email"]
            assert titles.get("1 claim sent to payer for clawback") == BOB["x-actor-email"]
            assert titles.get("Payer clawback response uploaded for 1 claim") == BOB["x-actor-email"]
            return items
        await eventually(logged)

        async def caught_up():  # claims confirmed every status payments expected
            assert await sql(app, "SELECT count(*) FROM school_claims WHERE expected_status IS NOT NULL") == [(0,)]
            assert await sql(app, "SELECT status FROM school_claims WHERE reference = :r", r=ref) == [
                ("clawback_complete",)]
            return True
        await eventually(caught_up)
