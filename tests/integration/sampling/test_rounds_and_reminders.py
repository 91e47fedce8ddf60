"""Sampling rounds and reminders over the real database and broker, with claims running beside
sampling: support's view of a round (emails, downloads, answers and how, reasons, reminders), the
buttons "Resend link" and "Send reminder", and the weekly reminders sent once per due day however
many runs or replicas look at 10:00:30 on a Monday (or a Tuesday, for schools)."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from services.sampling import handlers
from services.sampling.app import create_app
from services.sampling.ports import Deps
from tests.support.claims import SUPPORT
from tests.support.inprocess import in_process
from tests.support.messaging import eventually, outbox_payloads
from tests.support.sampling import rows_of, sample_file, upload, world

SAMPLES = "/internal/v1/sampling/uploads"
RESPONSES = "/internal/v1/sampling/responses"
HEADER = "claim_reference,mentor_full_name,claim_assured,claim_not_assured_reason\n"


async def sampled(w) -> str:
    """Every claim of the world sampled in one round (confirmed); the round's id."""
    r = await upload(w.sampling, SAMPLES, sample_file(*[(ref, "Random sample") for ref in w.refs.values()]))
    assert r.status_code == 201, r.text
    round_id = r.json()["upload_id"]
    assert (await w.sampling.post(f"{SAMPLES}/{round_id}/confirm", headers=SUPPORT)).status_code == 202
    await w.wait_for_projection(w.refs.values(), "sampling_in_progress")
    return round_id


async def answer(w, body: str) -> None:
    r = await upload(w.sampling, RESPONSES, (HEADER + body).encode(), "response.csv")
    assert r.status_code == 201, r.text
    assert (await w.sampling.post(f"{RESPONSES}/{r.json()['upload_id']}/confirm", headers=SUPPORT)).status_code == 202


async def reminder_emails(w) -> list[tuple[str, str, str]]:
    return sorted((p["template"], p["to"], p["notification_id"].split(":")[3])
                  for p in await outbox_payloads(w.sampling.database_url, "SendNotification")
                  if p["template"] in ("provider_sampling_reminder", "school_sampling_reminder"))


async def test_a_round_shows_each_provider_its_emails_download_answers_reasons_and_reminders(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        round_id = await sampled(w)
        requests = [p for p in await outbox_payloads(w.sampling.database_url, "SendNotification")
                    if p["to"] == "audit@bpn.example"]
        token = requests[0]["personalisation"]["link"].rsplit("/", 1)[1]
        assert (await w.sampling.get(f"/internal/v1/links/{token}")).status_code == 200
        await answer(w, f"{w.refs['other']},Grace Hopper,no,hours_not_completed: only 3 hours\n")
        await w.wait_for_projection([w.refs["other"]], "sampling_provider_not_approved")

        listed = (await w.sampling.get("/internal/v1/sampling/rounds", headers=SUPPORT)).json()
        assert listed["total"] == 1
        assert {k: listed["items"][0][k] for k in ("id", "claim_count", "provider_count", "answered_claims",
                                                   "open_claims", "completion_date", "days_left")} == {
            "id": round_id, "claim_count": 4, "provider_count": 2, "answered_claims": 1, "open_claims": 3,
            "completion_date": "2026-12-14", "days_left": 21}

        r = await w.sampling.get(f"/internal/v1/sampling/rounds/{round_id}", headers=SUPPORT)
        assert r.status_code == 200, r.text
        detail = r.json()
        bpn, tn = detail["providers"]
        assert (bpn["provider_name"], bpn["claims"], bpn["emailed_to"], bpn["answered_claims"], bpn["open_claims"],
                bpn["days_left"]) == ("Best Practice Network", 3, ["audit@bpn.example"], 0, 3, 21)
        assert bpn["downloaded_at"] is not None and bpn["emailed_at"].startswith("2026-11-23")
        assert (tn["provider_name"], tn["claims"], tn["emailed_to"], tn["downloaded_at"], tn["answered_claims"],
                tn["open_claims"], tn["answered_via"]) == (
            "Teach North", 1, ["a@tn.example", "b@tn.example"], None, 1, 0, {"csv": 1, "account": 0, "support": 0})
        assert {c["code"]: c["count"] for c in detail["reasons"]} == {
            "not_itt_training": 0, "hours_not_completed": 1, "no_record_of_mentor": 0, "not_with_this_provider": 0,
            "claimed_elsewhere": 0, "other": 0}
        assert bpn["reminders"] == [] and tn["reminders"] == []

        # Send reminder: once a day, only to a provider with claims waiting for its answer.
        r = await w.sampling.post(f"/internal/v1/providers/{w.provider['id']}/sampling/remind", headers=SUPPORT)
        assert r.status_code == 202, r.text
        assert r.json()["sent_to"] == ["audit@bpn.example"]
        again = await w.sampling.post(f"/internal/v1/providers/{w.provider['id']}/sampling/remind", headers=SUPPORT)
        assert (again.status_code, again.json()["errors"][0]["message"]) == (
            422, "A reminder has already been sent to Best Practice Network today")
        done = await w.sampling.post(f"/internal/v1/providers/{w.other_provider['id']}/sampling/remind",
                                     headers=SUPPORT)
        assert (done.status_code, done.json()["errors"][0]["message"]) == (
            422, "Teach North has no claims waiting for an answer")
        assert await reminder_emails(w) == [("provider_sampling_reminder", "audit@bpn.example", "2026-11-23")]
        reminder = next(p for p in await outbox_payloads(w.sampling.database_url, "SendNotification")
                        if p["template"] == "provider_sampling_reminder")
        assert reminder["personalisation"] == {"provider_name": "Best Practice Network", "claim_count": "3",
                                               "completion_date": "2026-12-14"}

        # Resend link for this round: a new link to each address of the provider's sampling in it.
        r = await w.sampling.post(f"/internal/v1/providers/{w.other_provider['id']}/sampling/resend",
                                  params={"upload_id": round_id}, headers=SUPPORT)
        assert r.status_code == 202, r.text
        assert sorted(r.json()["sent_to"]) == ["a@tn.example", "b@tn.example"]

        detail = (await w.sampling.get(f"/internal/v1/sampling/rounds/{round_id}", headers=SUPPORT)).json()
        bpn, tn = detail["providers"]
        assert [(x["sent_by"], x["claim_count"], x["sent_to"]) for x in bpn["reminders"]] == [
            (SUPPORT["x-actor-email"], 3, ["audit@bpn.example"])]
        assert tn["last_link_sent_at"] >= tn["emailed_at"]
        await w.activity("Sampling reminder sent by hand to Best Practice Network for 3 claims waiting for an answer",
                         "Sampling link sent again to Teach North (a@tn.example, b@tn.example)")

        missing = await w.sampling.get("/internal/v1/sampling/rounds/no-such-round", headers=SUPPORT)
        assert missing.status_code == 404


async def test_a_restart_at_10_00_30_on_a_monday_sends_each_reminder_once(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        await sampled(w)  # Monday 23 November 2026, 10:00
        # Best Practice Network does not assure john (a school with an email address); jane and both stay open.
        await answer(w, f"{w.refs['john']},John Smith,no,claimed_elsewhere\n")
        await w.wait_for_projection([w.refs["john"]], "sampling_provider_not_approved")

        clock = w.sampling.clock
        settings = w.sampling.settings

        def replica(name: str):
            """Another sampling process on the same database and broker: its reminder job ticks as it starts."""
            return in_process(create_app(settings, Deps(clock=clock)), name=name, token=settings.internal_api_token)

        async def tick(app) -> int:
            async with app.state.uow_factory() as uow:
                return await handlers.handle_send_reminders(handlers.SendReminders(), uow, clock)

        mondays = [("provider_sampling_reminder", "a@tn.example", "2026-11-30"),
                   ("provider_sampling_reminder", "audit@bpn.example", "2026-11-30"),
                   ("provider_sampling_reminder", "b@tn.example", "2026-11-30")]

        async def reminded(expected):
            assert await reminder_emails(w) == expected
            return True

        # Monday 30 November, 10:00:30: two replicas start at once, each job ticking as it starts, and the
        # running one ticks too.
        clock.at = datetime(2026, 11, 30, 10, 0, 30, tzinfo=timezone.utc)
        async with replica("replica-1") as one, replica("replica-2") as two:
            await asyncio.gather(tick(one.app), tick(two.app), tick(w.sampling.app))
            await eventually(lambda: reminded(mondays), timeout=10)
        # ... then the service restarts at 10:01: nothing more is sent.
        clock.at = datetime(2026, 11, 30, 10, 1, tzinfo=timezone.utc)
        async with replica("restarted") as again:
            assert await tick(again.app) == 0
            await asyncio.sleep(1)
        assert await reminder_emails(w) == mondays

        # Tuesday 1 December, 10:00:30: the school whose claim the provider did not approve, once.
        clock.at = datetime(2026, 12, 1, 10, 0, 30, tzinfo=timezone.utc)
        async with replica("tuesday") as tuesday:
            await asyncio.gather(tick(tuesday.app), tick(w.sampling.app))
            assert await tick(tuesday.app) == 0
        school_day = [("school_sampling_reminder", "office@hackney.example", "2026-12-01")]
        assert await reminder_emails(w) == sorted(mondays + school_day)  # no provider reminder on a Tuesday
        school = next(p for p in await outbox_payloads(w.sampling.database_url, "SendNotification")
                      if p["template"] == "school_sampling_reminder")
        assert school["personalisation"] == {"school_name": "Hackney Primary", "claim_count": "1",
                                             "claim_references": w.refs["john"],
                                             "provider_name": "Best Practice Network"}

        rows = await rows_of(w.sampling.database_url,
                             "SELECT kind, recipient, due_on::text, sent_by FROM sampling_reminders WHERE recipient <> '*'"
                             " ORDER BY kind, recipient")
        assert sorted(rows) == sorted([
            ("provider", w.provider["id"], "2026-11-30", "schedule"),
            ("provider", w.other_provider["id"], "2026-11-30", "schedule"),
            ("school", "100001", "2026-12-01", "schedule")])
        await w.activity("Sampling reminder sent to Best Practice Network for 2 claims waiting for an answer",
                         "Sampling reminder sent to Teach North for 1 claim waiting for an answer",
                         "Sampling reminder sent to Hackney Primary about 1 claim the provider did not approve")
