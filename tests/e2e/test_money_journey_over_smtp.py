"""The whole money journey through the running system, as its users meet it: the school claims,
support sends to the payer, the payer downloads the CSV from the link in a real email (SMTP) and
answers, the claim is sampled, the provider downloads its CSV from its email and does not assure
one mentor, support rejects the claim, one support user requests a clawback that only another may
approve, the school is told the amount, and the payer's clawback answer completes it."""
from __future__ import annotations

import csv
import io
import random
import time

import httpx

ACCEPTED = {200, 201, 202}


def wait_status(api: httpx.Client, ref: str, status: str, timeout: float = 45) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        detail = api.get(f"/api/v1/claims/{ref}").json()
        if detail["status"] == status:
            return detail
        assert time.monotonic() < deadline, f"claim {ref} is {detail['status']}, expected {status}"
        time.sleep(0.3)


def upload_and_confirm(api: httpx.Client, path: str, content: str) -> dict:
    r = api.post(path, files={"file": ("answers.csv", content.encode(), "text/csv")})
    assert r.status_code == 201, r.text
    confirmed = api.post(f"{path}/{r.json()['upload_id']}/confirm")
    assert confirmed.status_code in ACCEPTED, confirmed.text
    return r.json()


def download(url: str) -> list[dict[str, str]]:
    first = httpx.get(url, timeout=30)
    assert first.status_code == 200, first.text
    again = httpx.get(url, timeout=30)
    assert again.status_code == 410  # one download only
    return list(csv.DictReader(io.StringIO(first.content.decode("utf-8-sig"))))


def pay_new_claim(system, mentors: list[tuple[str, int]], provider: dict | None = None) -> tuple[dict, dict, list[str]]:
    """A new claim of the demo school (with ``provider``, else the first of the school's providers)
    paid through the payer round trip (the payer downloads its CSV from the link in its email and
    answers Paid): (claim, provider, TRNs)."""
    mail = system.mailbox
    school = system.api("school@example.com")
    support = system.api("support@example.com")
    provider = provider or school.get("/api/v1/providers").json()["items"][0]
    trns = [f"{random.randrange(10**6, 10**7)}" for _ in mentors]
    r = school.post("/api/v1/claims", json={"school_urn": "100001", "provider_id": provider["id"], "mentors": [
        {"trn": trn, "full_name": name, "hours": hours} for trn, (name, hours) in zip(trns, mentors)]})
    assert r.status_code == 201, r.text
    claim = r.json()
    ref = claim["reference"]

    # Payments learns of the claim from its event (eventually consistent): wait until it knows.
    deadline = time.monotonic() + 30
    while ref not in {i["reference"] for i in support.get("/api/v1/payments/claims", params={
            "status": "submitted", "per_page": 500}).json()["items"]}:
        assert time.monotonic() < deadline, "payments never learnt of the claim"
        time.sleep(0.3)

    # Support sends the window's submitted claims to the payer; the payer gets a link by email.
    before = len(mail.messages)
    sent = support.post("/api/v1/payments", json={"claim_window_id": claim["claim_window_id"]})
    assert sent.status_code in {201, 202}, sent.text
    assert {"payment_id", "claim_count"} <= set(sent.json())
    wait_status(support, ref, "payment_in_progress")
    email = wait_for_new(mail, before, "payer@example.com")
    rows = download(mail.link(email))
    ours = [row for row in rows if row["claim_reference"] == ref]
    assert len(ours) == 1 and ours[0]["claim_amount"] == claim["amount"]

    upload_and_confirm(support, "/api/v1/payments/responses",
                       f"claim_reference,claim_status,claim_unpaid_reason\n{ref},Paid,\n")
    wait_status(support, ref, "paid")
    return claim, provider, trns


def test_a_claim_is_paid_sampled_rejected_and_clawed_back_with_emails_and_links(system):
    mail = system.mailbox
    support = system.api("support@example.com")
    support2 = system.api("support2@example.com")
    claim, provider, trns = pay_new_claim(system, [("Mary Somerville", 4), ("Caroline Herschel", 5)])
    ref = claim["reference"]

    # The claim is sampled; the provider receives its link and answers.
    before = len(mail.messages)
    upload_and_confirm(support, "/api/v1/sampling/uploads", f"claim_reference,sample_reason\n{ref},Random sample\n")
    wait_status(support, ref, "sampling_in_progress")
    email = wait_for_new(mail, before, provider["email_addresses"][0])
    rows = [row for row in download(mail.link(email)) if row["claim_reference"] == ref]
    assert sorted(row["mentor_full_name"] for row in rows) == ["Caroline Herschel", "Mary Somerville"]
    answers = "claim_reference,mentor_full_name,claim_assured,claim_not_assured_reason\n" + "".join(
        f"{ref},{row['mentor_full_name']},{'no' if row['mentor_full_name'] == 'Caroline Herschel' else 'yes'},"
        f"{'Did not attend the training' if row['mentor_full_name'] == 'Caroline Herschel' else ''}\n" for row in rows)
    upload_and_confirm(support, "/api/v1/sampling/responses", answers)
    detail = wait_status(support, ref, "sampling_provider_not_approved")
    assert "Did not attend the training" in detail["provider_comment"]

    rejected = once_sampling_knows(lambda: support.post(f"/api/v1/claims/{ref}/sampling/reject",
                                                        json={"reason": "Evidence not provided"}))
    assert rejected.status_code in ACCEPTED, rejected.text
    wait_status(support, ref, "sampling_not_approved")

    # Four eyes: the requester cannot approve; another support user can.
    requested = support.post(f"/api/v1/claims/{ref}/clawback", json={"mentors": [
        {"trn": trns[1], "hours_worked": 2, "notes": "Attended two sessions"}]})
    assert requested.status_code in ACCEPTED, requested.text
    wait_status(support, ref, "clawback_requires_approval")
    own = support.post(f"/api/v1/claims/{ref}/clawback/approve")
    assert own.status_code in {403, 422}, own.text
    before = len(mail.messages)
    approved = support2.post(f"/api/v1/claims/{ref}/clawback/approve")
    assert approved.status_code in ACCEPTED, approved.text
    detail = wait_status(support, ref, "clawback_requested")
    rate = float(claim["amount"]) / 9
    expected = f"{rate * 3:.2f}"
    assert detail["clawback_amount"] == expected
    school_email = wait_for_new(mail, before, "office@school1.example")
    assert f"£{expected}" in school_email.get_body(preferencelist=("plain",)).get_content()

    before = len(mail.messages)
    batch = support.post("/api/v1/clawbacks")
    assert batch.status_code in {201, 202}, batch.text
    wait_status(support, ref, "clawback_in_progress")
    rows = [row for row in download(mail.link(wait_for_new(mail, before, "payer@example.com")))
            if row["claim_reference"] == ref]
    assert rows[0]["clawback_amount"] == expected and rows[0]["claim_amount"] == claim["amount"]
    upload_and_confirm(support, "/api/v1/clawbacks/responses", f"claim_reference,claim_status\n{ref},clawback_complete\n")
    detail = wait_status(support, ref, "clawback_complete")
    titles = [a["title"] for a in support.get("/api/v1/activity").json()["items"]]
    assert any("sent to payer for clawback" in t for t in titles)


def once_sampling_knows(decide, timeout: float = 30) -> httpx.Response:
    """Support's decision on a claim claims already shows as answered. Sampling learns the new status
    from claims a moment later and until then refuses with "refresh the page" (docs/design.md §5),
    as support would see it: try again, as support would."""
    deadline = time.monotonic() + timeout
    while True:
        answer = decide()
        if answer.status_code != 422 or "already being updated" not in answer.text or time.monotonic() > deadline:
            return answer
        time.sleep(0.3)


def wait_for_new(mail, before: int, to: str, timeout: float = 45):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for m in mail.messages[before:]:
            if m["To"] == to:
                return m
        time.sleep(0.2)
    raise AssertionError(f"no new email to {to}: {[(m['To'], m['Subject']) for m in mail.messages[before:]]}")
