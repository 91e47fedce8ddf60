"""Payments on its own, fed claims' events directly: concurrency (applied exactly once) and refusals."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from services.payments.ports import FixedClock
from shared.contracts import ClaimStatusChanged, ClaimStatusesChanged, StatusChangeItem
from tests.support.messaging import publish

from tests.support.payments import (ALICE, BOB, CAROL, NOW, csv_file, moved, notifications, projected, running_payments,
                                    sql, submitted, token_of)


async def count(app, type_: str) -> int:
    return (await sql(app, "SELECT count(*) FROM outbox WHERE type = :t", t=type_))[0][0]


async def test_two_support_users_confirming_the_same_payer_response_at_once_apply_it_once(infra, isolated_env):
    async with running_payments(infra, isolated_env) as (client, app):
        refs = [f"1000000{i}" for i in range(3)]
        await publish(isolated_env, *[m for r in refs for m in (submitted(r), *moved(r, "payment_in_progress"))])
        await projected(client, "payment_in_progress", 3)
        r = await client.post("/internal/v1/payments/responses", headers=ALICE, files=csv_file(
            "claim_reference,claim_status,claim_unpaid_reason\n" + "".join(f"{r},paid,\n" for r in refs)))
        assert r.status_code == 201, r.text
        upload_id = r.json()["upload_id"]
        first, second = await asyncio.gather(
            client.post(f"/internal/v1/payments/responses/{upload_id}/confirm", headers=ALICE),
            client.post(f"/internal/v1/payments/responses/{upload_id}/confirm", headers=BOB))
        assert (first.status_code, second.status_code) == (202, 202)
        assert sorted([first.json()["applied"], second.json()["applied"]]) == [False, True]
        assert await count(app, "PayerPaymentRecorded") == 3
        assert await count(app, "ActivityRecorded") == 1
        cancel = await client.post(f"/internal/v1/payments/responses/{upload_id}/cancel", headers=ALICE)
        assert cancel.status_code == 422


async def test_two_approvals_of_the_same_clawback_at_once_apply_once(infra, isolated_env):
    async with running_payments(infra, isolated_env) as (client, app):
        ref = "20000001"
        await publish(isolated_env, submitted(ref, hours=(10, 6)), *moved(
            ref, "payment_in_progress", "paid", "sampling_in_progress", "sampling_provider_not_approved",
            "sampling_not_approved"))
        await projected(client, "sampling_not_approved", 1)
        r = await client.post(f"/internal/v1/claims/{ref}/clawback", headers=ALICE, json={"mentors": [
            {"trn": "1000000", "hours_worked": 10}, {"trn": "1000001", "hours_worked": 1, "notes": "1 hour logged"}]})
        assert r.status_code == 201, r.text
        assert r.json()["amount"] == "219.00"
        again = await client.post(f"/internal/v1/claims/{ref}/clawback", headers=ALICE,
                                  json={"mentors": [{"trn": "1000001", "hours_worked": 0}]})
        assert again.status_code == 422 and "Clawback awaiting approval" in again.json()["errors"][0]["message"]
        first, second = await asyncio.gather(client.post(f"/internal/v1/claims/{ref}/clawback/approve", headers=BOB),
                                             client.post(f"/internal/v1/claims/{ref}/clawback/approve", headers=CAROL))
        assert sorted([first.status_code, second.status_code]) == [202, 422]
        assert await count(app, "ClawbackDecided") == 1
        assert await count(app, "SendNotification") == 1
        view = (await client.get(f"/internal/v1/claims/{ref}/clawback")).json()
        assert view["status"] == "clawback_requested"
        assert view["clawback"]["status"] == "approved" and view["clawback"]["amount"] == "219.00"
        assert [m["hours_clawed_back"] for m in view["clawback"]["mentors"]] == [0, 5]


async def test_two_sends_to_the_payer_at_once_send_each_claim_once(infra, isolated_env):
    async with running_payments(infra, isolated_env) as (client, app):
        refs = [f"3000000{i}" for i in range(5)]
        await publish(isolated_env, *[submitted(r) for r in refs], submitted("39999999", window="w2"))
        await projected(client, "submitted", 6)
        answers = await asyncio.gather(*[client.post("/internal/v1/payments", json={"claim_window_id": "w1"},
                                                     headers=user) for user in (ALICE, BOB)])
        sent = [a.json()["claim_count"] for a in answers if a.status_code == 201]
        assert sum(sent) == 5
        assert await sql(app, "SELECT count(DISTINCT payload->>'reference'), count(*) FROM outbox "
                              "WHERE type = 'ClaimSentToPayer'") == [(5, 5)]
        assert (await client.get("/internal/v1/payments")).json()["total"] == len(sent)


async def test_a_payer_link_expires_after_seven_days(infra, isolated_env):
    clock = FixedClock(NOW)
    async with running_payments(infra, isolated_env, clock=clock) as (client, app):
        await publish(isolated_env, submitted("40000001"))
        await projected(client, "submitted", 1)
        assert (await client.post("/internal/v1/payments", json={"claim_window_id": "w1"},
                                  headers=ALICE)).status_code == 201
        emails = await notifications(isolated_env, until=2)
        clock.advance(timedelta(days=7, seconds=1))
        gone = await client.get(f"/internal/v1/links/{token_of(emails[0].personalisation['link'])}")
        assert gone.status_code == 410 and gone.json()["reason"] == "expired"
        assert "expired" in gone.json()["errors"][0]["message"]
        clock.advance(timedelta(days=-1))
        assert (await client.get(f"/internal/v1/links/{token_of(emails[1].personalisation['link'])}")).status_code == 200


async def test_a_payer_response_with_any_error_is_refused_whole_and_changes_nothing(infra, isolated_env):
    async with running_payments(infra, isolated_env) as (client, app):
        await publish(isolated_env, submitted("50000001"), *moved("50000001", "payment_in_progress"),
                      submitted("50000002"))
        await projected(client, "payment_in_progress", 1)
        r = await client.post("/internal/v1/payments/responses", headers=ALICE)
        assert r.status_code == 422 and r.json()["errors"] == [{"message": "Select a CSV file to upload",
                                                                "field": "file"}]
        r = await client.post("/internal/v1/payments/responses", headers=ALICE,
                              files={"file": ("r.csv", b"%PDF-1.4 binary", "text/csv")})
        assert r.json()["errors"][0]["message"] == "The selected file must be a CSV"
        r = await client.post("/internal/v1/payments/responses", headers=ALICE, files=csv_file(
            "claim_reference,claim_status,claim_unpaid_reason\n50000001,unpaid,\n50000002,paid,\n50000001,sent,\n"))
        assert r.status_code == 422
        assert [(e["row"], e["message"]) for e in r.json()["errors"]] == [
            (2, "Enter a reason"), (3, "Enter a valid claim reference"), (4, "Enter a valid claim reference: "
                                                                            "50000001 is also in row 2"),
            (4, "Enter a valid claim status")]
        assert await sql(app, "SELECT count(*) FROM payer_uploads") == [(0,)]
        r = await client.post("/internal/v1/payments/responses", headers=ALICE, files=csv_file(
            "claim_reference,claim_status,claim_unpaid_reason\n50000001,submitted,\n"))
        upload_id = r.json()["upload_id"]
        assert (await client.post(f"/internal/v1/payments/responses/{upload_id}/cancel", headers=ALICE)).status_code == 200
        r = await client.post(f"/internal/v1/payments/responses/{upload_id}/confirm", headers=ALICE)
        assert r.status_code == 422 and "cancelled" in r.json()["errors"][0]["message"]
        assert await count(app, "PayerPaymentRecorded") == 0


async def test_a_manual_action_clicked_twice_before_claims_answers_is_sent_once(infra, isolated_env):
    async with running_payments(infra, isolated_env) as (client, app):
        ref = "60000001"
        await publish(isolated_env, submitted(ref), *moved(ref, "payment_in_progress", "payment_information_requested"))
        await projected(client, "payment_information_requested", 1)
        first = await client.post(f"/internal/v1/claims/{ref}/payment/information-sent", headers=ALICE)
        second = await client.post(f"/internal/v1/claims/{ref}/payment/information-sent", headers=ALICE)
        assert first.status_code == 202 and first.json()["status"] == "payment_information_sent"
        assert second.status_code == 422
        assert second.json()["errors"][0]["message"] == (
            f"Claim {ref} cannot be marked as information sent to the payer: it is ‘Information sent to payer’ "
            "(only a claim that is ‘Payer needs information’ can)")
        school = await client.post(f"/internal/v1/claims/{ref}/payment/reject",
                                   headers={"x-actor-email": "head@school.example", "x-actor-role": "school"})
        assert school.status_code == 422
        r = await client.post(f"/internal/v1/claims/{ref}/payment/reject", headers=ALICE, json={"reason": "No reply"})
        assert r.status_code == 202 and r.json()["status"] == "payment_not_approved"
        assert await count(app, "PayerInformationSent") == 1 and await count(app, "PayerRejected") == 1


async def test_nothing_to_claw_back_sends_the_claim_back_to_paid_without_a_second_approval(infra, isolated_env):
    async with running_payments(infra, isolated_env) as (client, app):
        ref = "70000001"
        await publish(isolated_env, submitted(ref, hours=(8,)), *moved(
            ref, "payment_in_progress", "paid", "sampling_in_progress", "sampling_provider_not_approved",
            "sampling_not_approved"))
        await projected(client, "sampling_not_approved", 1)
        r = await client.post(f"/internal/v1/claims/{ref}/clawback", headers=ALICE,
                              json={"mentors": [{"trn": "1000000", "hours_worked": 8}]})
        assert r.status_code == 201 and r.json()["status"] == "paid" and r.json()["amount"] == "0.00"
        payload = (await sql(app, "SELECT payload FROM outbox WHERE type = 'ClawbackAssessed'"))[0][0]
        assert payload["amount"] in ("0", "0.00")
        r = await client.post("/internal/v1/clawbacks", headers=BOB)
        assert r.status_code == 422


async def test_batched_status_changes_project_once_each_and_later_single_changes_continue_from_them(
        infra, isolated_env):
    """A bulk apply in claims publishes ClaimStatusesChanged (one per batch and partition); payments
    projects each change of it as it would the ClaimStatusChanged it stands for."""
    async with running_payments(infra, isolated_env) as (client, _):
        refs = [f"3000000{i}" for i in range(3)]
        await publish(isolated_env, *[m for r in refs for m in (submitted(r), *moved(r, "payment_in_progress", "paid"))])
        await projected(client, "paid", 3)
        sampled = ClaimStatusesChanged(caused_by="ClaimSampled", changes=tuple(
            StatusChangeItem(reference=r, from_status="paid", to_status="sampling_in_progress",
                             caused_by_event_id=f"item-{r}") for r in refs))
        await publish(isolated_env, sampled, times=2)
        await projected(client, "sampling_in_progress", 3)
        await publish(isolated_env, ClaimStatusChanged(reference=refs[0], from_status="sampling_in_progress",
                                                       to_status="paid", caused_by="ProviderResponseRecorded"))
        await projected(client, "paid", 1)
        await projected(client, "sampling_in_progress", 2)
