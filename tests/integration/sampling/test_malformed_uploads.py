"""Every file of the malformed corpus (tests/fixtures/malformed_csv.py), uploaded through the real
endpoint of a running sampling service with paid claims, gets its error, and the sampling
database is byte for byte what it was before."""
from __future__ import annotations

from tests.support.claims import SUPPORT
from tests.support.malformed_csv import CASES, SELECT

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

        assert await database_digest(url) == before


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
