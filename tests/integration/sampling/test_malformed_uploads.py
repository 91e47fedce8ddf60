"""Every file of the malformed corpus (tests/support/malformed_csv.py), uploaded through the real
endpoint of a running sampling service with paid claims, gets its error, and the sampling
database is byte for byte what it was before."""
from __future__ import annotations

from tests.support.claims import SUPPORT
from tests.support.malformed_csv import (BAD_HOURS, BAD_REFERENCE, CASES, DISTINCT_REFERENCES, EXTRA_CELLS,
                                         RESPONSE_CASES, SELECT)
from tests.support.sampling import database_digest, sample_file, upload, world

SAMPLES = "/internal/v1/sampling/uploads"
RESPONSES = "/internal/v1/sampling/responses"


async def test_every_malformed_file_is_refused_with_its_error_and_changes_nothing(infra, isolated_env, tmp_path):
    async with world(infra, isolated_env) as w:
        url = w.sampling.database_url
        before = await database_digest(url)
        failures = []
        for name, data, expected in CASES:
            content = data(tmp_path) if callable(data) else data
            r = await upload(w.sampling, SAMPLES, content)
            errors = r.json().get("errors", []) if r.status_code == 422 else []
            if r.status_code != 422 or not errors or expected not in errors[0]["message"]:
                failures.append((name, r.status_code, r.text[:300]))
            # The same file as a provider response is refused too (its own headers are missing or
            # its rows name no claim waiting for an answer).
            r = await upload(w.sampling, RESPONSES, content)
            if r.status_code != 422:
                failures.append((f"{name} (as a response)", r.status_code, r.text[:300]))
        for name, data, expected in RESPONSE_CASES:
            content = data(tmp_path) if callable(data) else data
            r = await upload(w.sampling, RESPONSES, content)
            messages = [e["message"] for e in r.json().get("errors", [])] if r.status_code == 422 else []
            if expected not in messages:
                failures.append((name, r.status_code, r.text[:300]))
        assert failures == []

        r = await w.sampling.post(SAMPLES, headers=SUPPORT)  # no file at all
        assert (r.status_code, r.json()["errors"]) == (422, [{"message": SELECT, "field": "file"}])
        r = await w.sampling.post(SAMPLES, headers=SUPPORT, files={"file": ("", b"", "application/octet-stream")})
        assert r.json()["errors"][0]["message"] == SELECT

        # Readable files whose rows are wrong: every failing row is reported.
        refs = w.refs
        r = await upload(w.sampling, SAMPLES, sample_file(
            (refs["john"], "Random"), ("", "Random"), (refs["jane"], ""), (refs["john"], "Twice"),
            header="claim_reference_number,claim_sample_reason"))
        assert r.status_code == 422
        assert r.json()["errors"] == [
            {"message": "Enter a valid claim reference", "row": 3, "field": "claim_reference_number"},
            {"message": "Enter a valid sample reason", "row": 4, "field": "claim_sample_reason"},
            {"message": f"Enter each claim only once (‘{refs['john']}’ is also in row 2)", "row": 5,
             "field": "claim_reference_number"}]
        r = await upload(w.sampling, SAMPLES, (
            "claim_reference_number,claim_sample_reason,provider_id\n"
            f"{refs['john']},Random,someone-else\n").encode())
        assert r.json()["errors"] == [{"message": f"Enter a provider ID that matches claim ‘{refs['john']}’",
                                       "row": 2, "field": "provider_id"}]

        # A row with more values than columns is refused even when its claim is good, and the row
        # numbers are the spreadsheet's (header row 1, blank lines counted).
        r = await upload(w.sampling, SAMPLES, (
            f"claim_reference_number,claim_sample_reason\n{refs['john']},Random,extra\n\n"
            f"{refs['jane']},Random\nABC,Random\n").encode())
        assert r.json()["errors"] == [{"message": EXTRA_CELLS, "row": 2},
                                      {"message": BAD_REFERENCE, "row": 5, "field": "claim_reference_number"}]

        assert await database_digest(url) == before


async def test_200000_distinct_references_are_refused_in_a_short_answer_on_both_endpoints(infra, isolated_env, tmp_path):
    async with world(infra, isolated_env) as w:
        url = w.sampling.database_url
        before = await database_digest(url)
        cases = [(SAMPLES, CASES, "200,000 distinct references"),
                 (RESPONSES, RESPONSE_CASES, "a response of 200,000 distinct references")]
        for path, corpus, wanted in cases:
            (data,) = [data for name, data, _ in corpus if name == wanted]
            r = await upload(w.sampling, path, data(tmp_path))
            assert r.status_code == 422, r.text[:300]
            assert len(r.content) < 20_000  # was 30.6 MB for a file of 200,000 rows
            errors = r.json()["errors"]
            assert len(errors) == 101
            assert errors[0] == {"message": BAD_REFERENCE, "row": 2, "field": errors[0]["field"]}
            assert errors[-1] == {"message": f"and {DISTINCT_REFERENCES - 100:,} more errors", "field": "file"}
        assert await database_digest(url) == before


async def test_provider_response_hours_are_checked_on_the_claims_being_sampled(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        john = w.refs["john"]
        r = await upload(w.sampling, SAMPLES, sample_file((john, "Random")))
        assert r.status_code == 201, r.text
        assert (await w.sampling.post(f"{SAMPLES}/{r.json()['upload_id']}/confirm", headers=SUPPORT)).status_code == 202
        await w.wait_for_projection([john], "sampling_in_progress")
        claim = await w.claim(john)
        mentors = [m["full_name"] for m in claim["mentors"]]
        for hours in ("-1", "NaN", "9" * 40, "\u0666"):
            rows = "".join(f"{john},{name},{hours},yes,\n" for name in mentors)
            r = await upload(w.sampling, RESPONSES, (
                "claim_reference,mentor_full_name,mentor_hours_of_training,claim_assured,claim_not_assured_reason\n"
                + rows).encode())
            assert r.status_code == 422, r.text
            assert r.json()["errors"] == [{"message": BAD_HOURS, "row": n + 2, "field": "mentor_hours_of_training"}
                                          for n in range(len(mentors))]
        assert await w.status(john) == "sampling_in_progress"


async def test_files_as_spreadsheets_save_them_are_read(infra, isolated_env):
    async with world(infra, isolated_env) as w:
        john, jane = w.refs["john"], w.refs["jane"]
        excel = (f"\ufeffClaim Reference Number , claim_sample_reason\r\n\r\n\"{john}\",\"Random, with a comma\"\r\n"
                 f"   ,  \r\n{int(jane)},High value  \r\n").encode("utf-8")
        r = await upload(w.sampling, SAMPLES, excel)
        assert (r.status_code, r.json()["claim_count"]) == (201, 2), r.text
        latin = f"claim_reference,sample_reason\n{john},Café – “quoted”\n".encode("cp1252")
        r = await upload(w.sampling, SAMPLES, latin)
        assert (r.status_code, r.json()["claim_count"]) == (201, 1), r.text
        assert (await w.sampling.post(f"{SAMPLES}/{r.json()['upload_id']}/confirm", headers=SUPPORT)).status_code == 202
        await w.wait_for_status([john], "sampling_in_progress")
        assert (await w.claim(john))["sample_reason"] == "Café – “quoted”"
