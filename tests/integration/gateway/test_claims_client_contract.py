"""The gateway's claims client against the real claims service: every call round-trips through the
service's routes and comes back as the contract's models (``shared.contracts.http.claims``)."""
from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from services.gateway.clients import ClaimsClient, ServiceClient, ServiceUnavailable
from services.gateway.users import User
from shared.contracts.http import claims as api

from tests.support.inprocess import serve
from tests.support.system import SCHOOLS_CSV, TOKEN, running_system

SUPPORT = User(id=1, email="support@example.com", role="support")
SCHOOL = User(id=2, email="head@hackney.example", role="school", school_urn="100001")


async def test_every_call_of_the_claims_client_round_trips_through_the_real_claims_service(infra):
    async with running_system(infra) as system:
        connection = ServiceClient("claims", system.claims_url, token=TOKEN, timeout_s=10)
        client = ClaimsClient(connection)
        try:
            imported = await client.import_schools(file_name="schools.csv", data=SCHOOLS_CSV.encode(),
                                                   content_type="text/csv", user=SUPPORT)
            assert isinstance(imported, api.ImportResult) and imported.created == 4

            provider = await client.add_provider(api.ProviderIn(name="Best Practice Network", code="BPN",
                                                                email_addresses=["audit@bpn.example"]), user=SUPPORT)
            assert isinstance(provider, api.Provider) and provider.email_addresses == ["audit@bpn.example"]
            assert [p.id for p in (await client.list_providers(user=SUPPORT)).items] == [provider.id]

            window = await client.add_claim_window(api.WindowIn(starts_on="2026-09-01", ends_on="2027-07-31",
                                                                academic_year="2026/27"), user=SUPPORT)
            windows = await client.list_claim_windows(user=SUPPORT)
            assert [w.id for w in windows.items] == [window.id] and windows.items[0].academic_year == "2026/27"

            claim = await client.submit_claim(api.ClaimIn(school_urn="100001", provider_id=provider.id, mentors=[
                api.MentorIn(trn="1234567", full_name="Ada Lovelace", hours=10)]), user=SCHOOL)
            assert isinstance(claim, api.ClaimDetail) and claim.amount == "536.00" and claim.status == "submitted"
            assert [m.trn for m in claim.mentors] == ["1234567"]
            assert [h.to_status for h in claim.history] == ["submitted"]

            found = await client.search_claims({"q": claim.reference, "per_page": 10}, user=SUPPORT)
            assert isinstance(found, api.ClaimList) and [c.reference for c in found.items] == [claim.reference]
            assert found.items[0].school.urn == "100001"

            references = await client.claim_references(status="submitted", claim_window_id=window.id, user=SUPPORT)
            assert isinstance(references, api.ClaimReferences) and references.references == [claim.reference]

            detail = await client.get_claim(claim.reference, user=SCHOOL)
            assert detail.reference == claim.reference and detail.provider.name == "Best Practice Network"

            assigned = await client.assign_claim(claim.reference, "support@example.com", user=SUPPORT)
            assert assigned.assigned_to == "support@example.com"

            async with client.download_claims({"status": ["submitted"]}, user=SUPPORT) as response:
                text = (await response.aread()).decode()
            assert text.splitlines()[0].startswith("claim_reference,") and claim.reference in text

            activity = await client.activity(page=1, user=SUPPORT)
            assert isinstance(activity, api.ActivityList) and activity.page == 1
        finally:
            await connection.aclose()


async def test_an_answer_outside_the_contract_is_the_service_being_unavailable_not_a_broken_page():
    renamed = FastAPI()

    @renamed.get("/internal/v1/claims/{reference}")
    async def claim(reference: str):  # "reference" renamed: the gateway cannot read this claim
        return {"claim_reference": reference, "status": "submitted"}

    async with serve(renamed) as url:
        connection = ServiceClient("claims", url, token=TOKEN, timeout_s=10, transport=httpx.AsyncHTTPTransport())
        try:
            with pytest.raises(ServiceUnavailable) as refused:
                await ClaimsClient(connection).get_claim("12345678", user=SUPPORT)
            assert refused.value.status == 503
        finally:
            await connection.aclose()
