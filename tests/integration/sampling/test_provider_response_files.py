"""Provider response files over the real broker and database (docs/design.md §12 "Provider response
files"): a provider uploads its own response (only its own claims), a reason may start with a code,
a response covering several providers is kept as one file per provider linked from each provider's
activity entry, and several files are uploaded together, all confirmed or none."""
from __future__ import annotations

import asyncio

from shared.contracts.topics import SAMPLING_EVENTS
from tests.support.claims import SUPPORT
from tests.support.messaging import read_topic
from tests.support.sampling import database_digest, rows_of, sample_file, upload, world

SAMPLES = "/internal/v1/sampling/uploads"
RESPONSES = "/internal/v1/sampling/responses"
HEADER = "claim_reference,mentor_full_name,claim_assured,claim_not_assured_reason"


def provider_user(*provider_ids: str, email: str = "audit-lead@bpn.example") -> dict[str, str]:
    return {"x-actor-email": email, "x-actor-role": "provider", "x-actor-providers": ",".join(provider_ids)}


def response(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


async def sampled(w) -> None:
    rows = [(ref, "Random sample") for ref in w.refs.values()]
    r = await upload(w.sampling, SAMPLES, sample_file(*rows))
    assert r.status_code == 201, r.text
    r = await w.sampling.post(f"{SAMPLES}/{r.json()['upload_id']}/confirm", headers=SUPPORT)
    assert r.status_code == 202, r.text
    await w.wait_for_projection(w.refs.values(), "sampling_in_progress")


async def answers(w) -> dict[str, tuple]:
    rows = await rows_of(w.sampling.database_url, "SELECT claim_reference, via, assured, reason_codes, answered_by,"
                                                  " upload_id FROM provider_answers")
    return {r[0]: tuple(r[1:]) for r in rows}


async def kept_files(w) -> list[tuple]:
    return await rows_of(w.sampling.database_url,
                         "SELECT upload_id, provider_id, file_name, row_count FROM response_files ORDER BY file_name")


def files(*named: tuple[str, bytes]) -> list:
    return [("file", (name, data, "text/csv")) for name, data in named]


async def test_a_provider_uploads_its_own_response_and_never_another_providers_claims(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        await sampled(w)
        john, jane, both, other = (w.refs[n] for n in ("john", "jane", "both", "other"))
        bpn, tn = w.provider["id"], w.other_provider["id"]
        as_bpn = provider_user(bpn)

        # Another provider's claim reads as unknown: the same words as a reference that does not exist.
        r = await w.sampling.post(RESPONSES, headers=as_bpn, files=files(("answers.csv", response(
            f"{john},John Smith,yes,", f"{other},Grace Hopper,no,Never met", "99999999,Ada,yes,"))))
        assert r.status_code == 422, r.text
        assert r.json()["errors"] == [
            {"message": "Enter a valid claim reference", "row": 3, "field": "claim_reference"},
            {"message": "Enter a valid claim reference", "row": 4, "field": "claim_reference"}]

        # Its own claims, one with a reason that starts with a code.
        r = await w.sampling.post(RESPONSES, headers=as_bpn, files=files(("answers.csv", response(
            f"{john},John Smith,no,hours_not_completed: only 10 hours", f"{jane},Jane Doe,yes,"))))
        assert r.status_code == 201, r.text
        assert r.json()["claim_count"] == 2
        upload_id = r.json()["upload_id"]

        # Only a user of the same provider reviews, confirms or cancels it; support sees it too.
        as_tn = provider_user(tn, email="audit@tn.example")
        for method, path in (("GET", ""), ("POST", "/confirm"), ("POST", "/cancel")):
            r = await w.sampling.request(method, f"{RESPONSES}/{upload_id}{path}", headers=as_tn)
            assert (r.status_code, r.json()["errors"][0]["message"]) == (404, "There is no such upload"), path
        assert (await w.sampling.get(f"{RESPONSES}/{upload_id}", headers=SUPPORT)).json()["status"] == "pending"
        review = (await w.sampling.get(f"{RESPONSES}/{upload_id}", headers=as_bpn)).json()
        assert (review["claim_count"], review["status"]) == (2, "pending")

        # A provider cannot decide an upload support made, even of its own claims.
        r = await w.sampling.post(RESPONSES, headers=SUPPORT, files=files(("support.csv", response(
            f"{both},John Smith,yes,", f"{both},Jane Doe,yes,"))))
        assert r.status_code == 201, r.text
        support_upload = r.json()["upload_id"]
        r = await w.sampling.post(f"{RESPONSES}/{support_upload}/confirm", headers=as_bpn)
        assert r.status_code == 404
        assert (await w.sampling.post(f"{RESPONSES}/{support_upload}/cancel", headers=SUPPORT)).status_code == 200

        # Confirmed twice at once: applied once, exactly as support's upload is.
        first, second = await asyncio.gather(*[w.sampling.post(f"{RESPONSES}/{upload_id}/confirm", headers=as_bpn)
                                               for _ in range(2)])
        assert (first.status_code, second.status_code) == (202, 202), (first.text, second.text)
        again = await w.sampling.post(f"{RESPONSES}/{upload_id}/confirm", headers=as_bpn)
        assert (again.status_code, again.json()["status"]) == (202, "confirmed")
        await w.wait_for_status([john], "sampling_provider_not_approved")
        await w.wait_for_status([jane], "paid")
        detail = await w.claim(john)
        assert detail["provider_comment"] == "John Smith: hours_not_completed: only 10 hours"  # as given
        assert [m["not_assured_reason"] for m in detail["mentors"]] == ["hours_not_completed: only 10 hours"]
        found = await answers(w)
        assert found == {john: ("csv", False, ["hours_not_completed"], "audit-lead@bpn.example", upload_id),
                         jane: ("csv", True, [], "audit-lead@bpn.example", upload_id)}
        recorded = [e for e in await read_topic(isolated_env, SAMPLING_EVENTS.name, until=4, timeout=3)
                    if e.type == "ProviderResponseRecorded"]
        assert sorted(e.reference for e in recorded) == sorted([john, jane])  # once each
        assert all(e.actor.role == "provider" for e in recorded)

        # A cancelled provider upload changes nothing and cannot be confirmed.
        r = await w.sampling.post(RESPONSES, headers=as_bpn, files=files(("more.csv", response(
            f"{both},John Smith,yes,", f"{both},Jane Doe,no,Other: no record"))))
        assert r.status_code == 201, r.text
        cancel_id = r.json()["upload_id"]
        r = await w.sampling.post(f"{RESPONSES}/{cancel_id}/cancel", headers=as_bpn)
        assert (r.status_code, r.json()["status"]) == (200, "cancelled")
        r = await w.sampling.post(f"{RESPONSES}/{cancel_id}/confirm", headers=as_bpn)
        assert (r.status_code, r.json()["errors"][0]["message"]) == (422, "This upload has already been cancelled")
        assert (await w.status(both)) == "sampling_in_progress"


async def test_a_response_for_two_providers_is_kept_as_one_file_each_linked_from_their_activity(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        await sampled(w)
        john, jane, other = w.refs["john"], w.refs["jane"], w.refs["other"]
        # Windows-1252, with a school name only that encoding spells this way, and CRLF line endings.
        header = "claim_reference,school_name,mentor_full_name,claim_assured,claim_not_assured_reason"
        body = (f"{header}\r\n{john},Café Primary,John Smith,yes,\r\n{other},Crèche Lane,Grace Hopper,no,"
                f"no_record_of_mentor\r\n{jane},Café Primary,Jane Doe,no,\"not_itt_training: ECF, not ITT\"\r\n")
        data = body.encode("cp1252")
        r = await upload(w.sampling, RESPONSES, data, "responses.csv")
        assert r.status_code == 201, r.text
        upload_id = r.json()["upload_id"]
        assert await kept_files(w) == [(upload_id, w.provider["id"], "responses-bpn.csv", 2),
                                       (upload_id, w.other_provider["id"], "responses-tn.csv", 1)]
        r = await w.sampling.post(f"{RESPONSES}/{upload_id}/confirm", headers=SUPPORT)
        assert r.status_code == 202, r.text

        items = await w.activity("Provider audit response uploaded for 2 claims from Best Practice Network",
                                 "Provider audit response uploaded for 1 claim from Teach North")
        bpn_entry = next(a for a in items if a["title"].endswith("from Best Practice Network"))
        tn_entry = next(a for a in items if a["title"].endswith("from Teach North"))
        assert [(f["name"], f["kind"], f["rows"]) for f in bpn_entry["files"]] == [
            ("responses-bpn.csv", "response_file", 2)]
        assert [(f["name"], f["kind"], f["rows"]) for f in tn_entry["files"]] == [
            ("responses-tn.csv", "response_file", 1)]

        bpn_file = await w.sampling.get(f"/internal/v1/sampling/response-files/{bpn_entry['files'][0]['id']}")
        assert bpn_file.status_code == 200
        assert 'filename="responses-bpn.csv"' in bpn_file.headers["content-disposition"]
        assert bpn_file.content == (f"{header}\r\n{john},Café Primary,John Smith,yes,\r\n{jane},Café Primary,"
                                    f"Jane Doe,no,\"not_itt_training: ECF, not ITT\"\r\n").encode("cp1252")
        tn_file = await w.sampling.get(f"/internal/v1/sampling/response-files/{tn_entry['files'][0]['id']}")
        assert tn_file.content == f"{header}\r\n{other},Crèche Lane,Grace Hopper,no,no_record_of_mentor\r\n".encode(
            "cp1252")
        assert (await w.sampling.get("/internal/v1/sampling/response-files/nope")).status_code == 404

        found = await answers(w)
        assert found[jane][:3] == ("csv", False, ["not_itt_training"])
        assert found[other][:3] == ("csv", False, ["no_record_of_mentor"])
        await w.wait_for_status([jane], "sampling_provider_not_approved")
        assert (await w.claim(jane))["provider_comment"] == "Jane Doe: not_itt_training: ECF, not ITT"


async def test_several_files_are_checked_each_on_its_own_and_held_all_or_none(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        await sampled(w)
        john, jane, both, other = (w.refs[n] for n in ("john", "jane", "both", "other"))
        good_bpn = ("bpn.csv", response(f"{john},John Smith,yes,", f"{both},John Smith,yes,",
                                        f"{both},Jane Doe,no,claimed_elsewhere"))
        bad_tn = ("tn.csv", response(f"{other},Grace Hopper,no,"))
        not_csv = ("notes.pdf", b"%PDF-1.7 ...")

        before = await database_digest(w.sampling.database_url)
        r = await w.sampling.post(RESPONSES, headers=SUPPORT, files=files(good_bpn, bad_tn, not_csv))
        assert r.status_code == 422, r.text
        assert r.json()["errors"] == [
            {"message": "Enter a reason", "row": 2, "field": "claim_not_assured_reason", "file": "tn.csv"},
            {"message": "The selected file must be a CSV", "field": "file", "file": "notes.pdf"}]
        assert await database_digest(w.sampling.database_url) == before  # nothing held

        # A claim answered in two files is refused in the later one.
        twice = ("again.csv", response(f"{john},John Smith,no,Other"))
        r = await w.sampling.post(RESPONSES, headers=SUPPORT, files=files(good_bpn, twice))
        assert r.status_code == 422
        assert r.json()["errors"] == [{"message": f"Claim ‘{john}’ is also in ‘bpn.csv’: answer each claim in "
                                                  "one file only", "row": 2, "field": "claim_reference",
                                       "file": "again.csv"}]

        good_tn = ("tn.csv", response(f"{other},Grace Hopper,yes,"))
        jane_file = ("jane.csv", response(f"{jane},Jane Doe,yes,"))
        r = await w.sampling.post(RESPONSES, headers=SUPPORT, files=files(good_bpn, good_tn, jane_file))
        assert r.status_code == 201, r.text
        assert r.json()["claim_count"] == 4
        upload_id = r.json()["upload_id"]
        review = (await w.sampling.get(f"{RESPONSES}/{upload_id}", headers=SUPPORT)).json()
        assert review["file_name"] == "bpn.csv, tn.csv, jane.csv"
        assert (await w.status(john)) == "sampling_in_progress"  # nothing before the confirm
        r = await w.sampling.post(f"{RESPONSES}/{upload_id}/confirm", headers=SUPPORT)
        assert r.status_code == 202, r.text
        await w.wait_for_status([john, jane, other], "paid")
        await w.wait_for_status([both], "sampling_provider_not_approved")
        found = await answers(w)
        assert {ref: a[-1] for ref, a in found.items()} == {ref: upload_id for ref in (john, jane, both, other)}
        items = await w.activity("Provider audit response uploaded for 3 claims from Best Practice Network",
                                 "Provider audit response uploaded for 1 claim from Teach North")
        bpn_entry = next(a for a in items if a["title"].endswith("from Best Practice Network"))
        assert sorted((f["name"], f["rows"]) for f in bpn_entry["files"]) == [("bpn.csv", 3), ("jane.csv", 1)]
