"""One suite for the claims repositories, run against the in-memory fakes
(``tests/unit/claims/test_fake_repositories.py``) and the SQL repositories
(``tests/integration/claims/test_sql_repositories.py``): the fakes behave as the real ones do
where the handlers can tell. A subclass provides the ``new_uow`` fixture: a factory of units of
work over one empty claims database."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from shared.contracts import NotFound, Refused

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


async def organisations(uow) -> None:
    await uow.organisations.upsert_trusts([{"id": "northern-trust", "name": "Northern Trust"}])
    await uow.organisations.upsert_schools([
        {"urn": "100001", "name": "Hackney Primary", "postcode": "E8 1AA", "local_authority": "Hackney",
         "type_of_establishment": "Community school", "district_code": None, "region": "Inner London",
         "trust_id": None, "email": None},
        {"urn": "100002", "name": "Barnet Academy", "postcode": "EN5 1AA", "local_authority": "Barnet",
         "type_of_establishment": "Academy converter", "district_code": None, "region": "Outer London",
         "trust_id": "northern-trust", "email": "office@barnet.example"}])
    await uow.organisations.add_provider({"id": "p1", "name": "Best Practice Network", "code": "BPN",
                                          "email_addresses": ["audit@bpn.example"]})
    await uow.organisations.add_provider({"id": "p2", "name": "Pennine SCITT", "code": "PEN", "email_addresses": []})
    await uow.organisations.add_window({"id": "w1", "starts_on": date(2025, 9, 1), "ends_on": date(2026, 7, 31),
                                        "academic_year": "2025/26"})
    await uow.organisations.add_window({"id": "w2", "starts_on": date(2026, 9, 1), "ends_on": date(2027, 7, 31),
                                        "academic_year": "2026/27"})


def claim(reference: str, *, status: str = "submitted", provider_id: str = "p1", window: str = "w2",
          year: str = "2026/27") -> dict:
    return {"reference": reference, "school_urn": "100001", "school_name": "Hackney Primary", "trust_id": None,
            "provider_id": provider_id, "provider_name": "Best Practice Network", "claim_window_id": window,
            "academic_year": year, "status": status, "region": "Inner London", "hourly_rate": Decimal("53.60"),
            "total_hours": 10, "amount": Decimal("536.00"), "mentor_names": "1234567 Ada Lovelace",
            "created_by": "head@100001.example", "created_at": NOW, "submitted_at": NOW}


def line(reference: str, trn: str, hours: int, provider_id: str = "p1") -> dict:
    return {"claim_reference": reference, "trn": trn, "full_name": f"Mentor {trn}", "hours": hours,
            "provider_id": provider_id}


class ClaimRepositoryContract:
    @pytest.fixture
    async def uow(self, new_uow):
        async with new_uow() as uow:
            await organisations(uow)
            await uow.commit()
        async with new_uow() as uow:
            yield uow

    async def test_a_claim_added_is_read_back_with_its_mentor_lines(self, uow):
        await uow.claims.add(claim("10000001"), [line("10000001", "1234567", 6), line("10000001", "7654321", 4)])
        stored = await uow.claims.get("10000001")
        assert (stored["status"], stored["amount"], stored["assigned_to"]) == ("submitted", Decimal("536.00"), None)
        assert await uow.claims.exists("10000001") and not await uow.claims.exists("10000002")
        assert [(m["trn"], m["hours"], m["assured"]) for m in await uow.claims.mentors("10000001")] == [
            ("1234567", 6, None), ("7654321", 4, None)]

    async def test_an_unknown_claim_is_not_found_by_its_reference(self, uow):
        with pytest.raises(NotFound) as missing:
            await uow.claims.get("99999999", for_update=True)
        assert missing.value.message == "There is no claim with the reference 99999999"

    async def test_prior_lines_are_every_line_of_the_mentors_with_that_provider_in_any_year_and_status(self, uow):
        await uow.claims.add(claim("10000001", year="2025/26", window="w1", status="paid"),
                             [line("10000001", "1234567", 16)])
        await uow.claims.add(claim("10000002", status="draft"), [line("10000002", "1234567", 3)])
        await uow.claims.add(claim("10000003", provider_id="p2"), [line("10000003", "1234567", 5, "p2")])
        await uow.claims.add(claim("10000004"), [line("10000004", "7777777", 2)])
        prior = await uow.claims.prior_lines("p1", ["1234567", "5555555"])
        assert sorted((p.reference, p.academic_year, p.status, p.hours) for p in prior["1234567"]) == [
            ("10000001", "2025/26", "paid", 16), ("10000002", "2026/27", "draft", 3)]
        assert set(prior) == {"1234567"}

    async def test_updates_and_history_are_read_back_newest_first(self, uow):
        await uow.claims.add(claim("10000001"), [line("10000001", "1234567", 6)])
        await uow.claims.update("10000001", status="paid", unpaid_reason=None)
        await uow.claims.update_mentor("10000001", "1234567", assured=False, not_assured_reason="No evidence")
        await uow.claims.add_status_change(claim_reference="10000001", from_status=None, to_status="submitted",
                                           caused_by="submit", actor_email="a@example.com", changed_at=NOW)
        await uow.claims.add_status_change(claim_reference="10000001", from_status="submitted", to_status="paid",
                                           caused_by="PayerPaymentRecorded", changed_at=NOW)
        assert (await uow.claims.get("10000001"))["status"] == "paid"
        assert [(m["assured"], m["not_assured_reason"]) for m in await uow.claims.mentors("10000001")] == [
            (False, "No evidence")]
        assert [h["to_status"] for h in await uow.claims.history("10000001")] == ["paid", "submitted"]

    async def test_nothing_is_kept_without_a_commit(self, uow, new_uow):
        await uow.claims.add(claim("10000001"), [line("10000001", "1234567", 6)])
        await uow.rollback()
        async with new_uow() as other:
            assert not await other.claims.exists("10000001")

    async def test_a_school_is_read_with_its_trust_and_a_window_by_the_day_it_covers(self, uow):
        school = await uow.organisations.school("100002")
        assert (school["trust_id"], school["trust_name"], school["region"]) == (
            "northern-trust", "Northern Trust", "Outer London")
        assert (await uow.organisations.school("100001"))["trust_name"] is None
        assert (await uow.organisations.window_on(date(2026, 11, 23)))["id"] == "w2"
        assert await uow.organisations.window_on(date(2026, 8, 15)) is None
        with pytest.raises(NotFound):
            await uow.organisations.school("999999")

    async def test_a_second_provider_with_the_same_code_and_an_overlapping_window_are_refused(self, uow):
        with pytest.raises(Refused) as code:
            await uow.organisations.add_provider({"id": "p3", "name": "Other", "code": "BPN", "email_addresses": []})
        assert code.value.field == "code"
        with pytest.raises(Refused) as window:
            await uow.organisations.add_window({"id": "w3", "starts_on": date(2027, 7, 1),
                                                "ends_on": date(2027, 8, 31), "academic_year": "2027/28"})
        assert window.value.field == "starts_on"

    async def test_upserting_schools_counts_the_new_and_the_updated(self, uow):
        created, updated = await uow.organisations.upsert_schools([
            {"urn": "100001", "name": "Hackney Primary School", "postcode": "", "local_authority": "",
             "type_of_establishment": "", "district_code": None, "region": "Inner London", "trust_id": None,
             "email": None},
            {"urn": "100003", "name": "Leeds High", "postcode": "", "local_authority": "", "type_of_establishment": "",
             "district_code": None, "region": "Rest of England", "trust_id": None, "email": None}])
        assert (created, updated) == (1, 1)
        assert (await uow.organisations.school("100001"))["name"] == "Hackney Primary School"

    async def test_the_bulk_repository_locks_samples_and_reads_statuses_of_existing_claims(self, uow):
        await uow.claims.add(claim("10000001", status="paid"), [line("10000001", "1234567", 6)])
        locked = await uow.bulk.lock(["10000001", "10000009"])
        assert list(locked) == ["10000001"] and locked["10000001"].status == "paid"
        await uow.bulk.sample(["10000001"], ["sampling_in_progress"], ["Random sample"])
        await uow.bulk.add_history([{"claim_reference": "10000001", "from_status": "paid",
                                     "to_status": "sampling_in_progress", "caused_by": "ClaimSampled",
                                     "event_id": "e1", "actor_email": None, "reason": None, "changed_at": NOW}])
        assert await uow.bulk.statuses(["10000001", "10000009"]) == {"10000001": "sampling_in_progress"}
        assert (await uow.claims.get("10000001"))["sample_reason"] == "Random sample"
        assert [h["caused_by"] for h in await uow.claims.history("10000001")] == ["ClaimSampled"]
