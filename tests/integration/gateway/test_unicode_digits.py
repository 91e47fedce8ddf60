"""Digits other than 0–9 (issue 26 item 5), through the gateway and the real claims service.

Python's ``\\d`` and ``isdigit()`` accept full-width (``１２３``) and Arabic-Indic (``١٢٣``) digits;
a TRN, URN or reference written in them was stored as given and never matched the same number in
ASCII. Each is refused with a message saying which digits to use, and nothing is stored."""
from __future__ import annotations

import pytest

from tests.support.system import running_system

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SCRIPTS = pytest.mark.parametrize("script", [FULL_WIDTH, ARABIC_INDIC], ids=["full-width", "arabic-indic"])


@SCRIPTS
async def test_a_trn_in_other_digits_is_refused_in_plain_words_and_no_claim_is_stored(infra, script):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        trn = "1234567".translate(script)
        r = await system.submit("head@hackney.example", "100001", org["provider"]["id"], [(trn, "Ada Lovelace", 5)])
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["message"] == "Enter the teacher reference number (TRN) using the digits 0 to 9"
        assert r.json()["errors"][0]["field"] == "trn"
        support = await system.as_user("support@example.com")
        assert (await system.client.get("/api/v1/claims", headers=support)).json()["total"] == 0


@SCRIPTS
async def test_a_school_urn_in_other_digits_is_refused_when_claiming_and_when_searching(infra, script):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        urn = "100001".translate(script)
        r = await system.submit("head@hackney.example", urn, org["provider"]["id"], [("1234567", "Ada Lovelace", 5)])
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0] == {"message": "Enter the school URN using the digits 0 to 9",
                                         "field": "school_urn"}
        support = await system.as_user("support@example.com")
        assert (await system.client.get("/api/v1/claims", headers=support)).json()["total"] == 0

        r = await system.client.get("/api/v1/claims", headers=support, params={"school_urn": urn})
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["message"] == "Enter the school URN using the digits 0 to 9"
        r = await system.client.get("/api/v1/claims.csv", headers=support, params={"school_urn": urn})
        assert r.status_code == 422, r.text


@SCRIPTS
async def test_a_schools_file_with_a_urn_in_other_digits_is_refused_whole_and_stores_no_school(infra, script):
    async with running_system(infra) as system:
        support = await system.as_user("support@example.com")
        bad = f"urn,name\n100099,Wide Academy\n{'100098'.translate(script)},Narrow School\n"
        r = await system.client.post("/api/v1/schools/import", headers=support,
                                     files={"file": ("schools.csv", bad.encode(), "text/csv")})
        assert r.status_code == 422, r.text
        assert r.json()["errors"] == [{"message": "Enter the school URN using the digits 0 to 9", "row": 3,
                                       "field": "urn"}]
        # The good row of the refused file was not stored either: importing it now creates it.
        r = await system.client.post("/api/v1/schools/import", headers=support,
                                     files={"file": ("schools.csv", b"urn,name\n100099,Wide Academy\n", "text/csv")})
        assert r.status_code == 200, r.text
        assert r.json() == {"created": 1, "updated": 0}


@SCRIPTS
async def test_a_claim_reference_in_other_digits_is_told_which_digits_to_use(infra, script):
    async with running_system(infra) as system:
        org = await system.setup_organisations()
        ref = (await system.submit_hackney_claim(org, [("1234567", "Ada Lovelace", 5)]))["reference"]
        support = await system.as_user("support@example.com")
        r = await system.client.get(f"/api/v1/claims/{ref.translate(script)}", headers=support)
        assert r.status_code == 404, r.text
        assert r.json()["errors"][0] == {"message": "Enter the claim reference using the digits 0 to 9",
                                         "field": "reference"}
        assert (await system.client.get(f"/api/v1/claims/{ref}", headers=support)).status_code == 200
        browser = await system.browser("support@example.com")
        try:
            page = await browser.get(f"/claims/{ref.translate(script)}")
            assert page.status_code == 404 and "Page not found" in page.text
        finally:
            await browser.aclose()
