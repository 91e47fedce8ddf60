"""Providers and claim windows as support edits them (docs/design.md §14): DfE's three window messages,
only a window that has not opened can be deleted, and an edited provider is published again so
sampling emails the new addresses. On the in-memory fakes."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from services.claims.handlers.organisations import (AddClaimWindow, DeleteClaimWindow, EditClaimWindow,
                                                    EditProvider, handle_add_claim_window,
                                                    handle_delete_claim_window, handle_edit_claim_window,
                                                    handle_edit_provider)
from shared.contracts import Actor, ProviderRegistered, Refused
from shared.platform.clock import FixedClock

from tests.support.claims_fakes import FakeClaimsUnitOfWork, Tables, tables_with_organisations

SUPPORT = Actor(email="support@example.com", role="support")
CLOCK = FixedClock(datetime(2026, 11, 23, 10, tzinfo=timezone.utc))  # w2 (2026/27) is current


@pytest.fixture
async def database() -> Tables:
    return await tables_with_organisations()


async def add(database: Tables, starts: date, ends: date, year: str = "2027/28") -> dict:
    async with FakeClaimsUnitOfWork(database) as uow:
        return await handle_add_claim_window(AddClaimWindow(starts, ends, year, SUPPORT), uow, CLOCK,
                                             new_id=lambda: "w3")


@pytest.mark.parametrize(("starts", "ends", "message", "field"), [
    (date(2027, 9, 1), date(2027, 9, 1), "Enter a window closing date that is after the opening date", "ends_on"),
    (date(2027, 7, 1), date(2027, 8, 31), "Select a date that is not within an existing claim window", "starts_on"),
    (date(2026, 8, 1), date(2026, 9, 5), "Select a date that is not within an existing claim window", "ends_on"),
    (date(2025, 10, 1), date(2027, 8, 31), "Select a date that is not within an existing claim window", "starts_on"),
    (date(2026, 8, 1), date(2027, 8, 31), "A claim window already exists within the selected dates", "starts_on"),
])
async def test_a_new_window_that_overlaps_or_ends_before_it_opens_gets_dfes_message(database, starts, ends, message,
                                                                                      field):
    with pytest.raises(Refused) as refused:
        await add(database, starts, ends)
    assert (refused.value.message, refused.value.field) == (message, field)
    assert set(database.windows) == {"w1", "w2"}


async def test_a_window_can_be_moved_but_not_onto_another(database):
    async with FakeClaimsUnitOfWork(database) as uow:
        with pytest.raises(Refused, match="Select a date that is not within an existing claim window"):
            await handle_edit_claim_window(EditClaimWindow("w2", date(2026, 7, 1), date(2027, 7, 31), "2026/27",
                                                           SUPPORT), uow, CLOCK)
    async with FakeClaimsUnitOfWork(database) as uow:
        await handle_edit_claim_window(EditClaimWindow("w2", date(2026, 9, 1), date(2027, 6, 30), "2026/27",
                                                       SUPPORT), uow, CLOCK)
    assert database.windows["w2"]["ends_on"] == date(2027, 6, 30)


async def test_only_a_window_that_has_not_opened_can_be_deleted(database):
    await add(database, date(2027, 9, 1), date(2028, 7, 31))
    async with FakeClaimsUnitOfWork(database) as uow:
        with pytest.raises(Refused, match="You can only delete a claim window that has not opened yet"):
            await handle_delete_claim_window(DeleteClaimWindow("w2", SUPPORT), uow, CLOCK)
    async with FakeClaimsUnitOfWork(database) as uow:
        await handle_delete_claim_window(DeleteClaimWindow("w3", SUPPORT), uow, CLOCK)
    assert set(database.windows) == {"w1", "w2"}


async def test_an_edited_provider_keeps_its_id_and_is_published_with_its_new_addresses(database):
    async with FakeClaimsUnitOfWork(database) as uow:
        await handle_edit_provider(EditProvider("p1", "Best Practice Network Ltd", "bpn2",
                                                ["audit@bpn.example", " new@bpn.example ", ""], SUPPORT), uow, CLOCK)
    assert database.providers["p1"] == {"id": "p1", "name": "Best Practice Network Ltd", "code": "BPN2",
                                        "email_addresses": ["audit@bpn.example", "new@bpn.example"]}
    published = [m for _, m in database.outbox if isinstance(m, ProviderRegistered)]
    assert published[-1].email_addresses == ("audit@bpn.example", "new@bpn.example")


async def test_a_provider_cannot_take_another_providers_code(database):
    async with FakeClaimsUnitOfWork(database) as uow:
        with pytest.raises(Refused, match="An accredited provider with the code PEN already exists"):
            await handle_edit_provider(EditProvider("p1", "Best Practice Network", "pen", [], SUPPORT), uow, CLOCK)
    assert database.providers["p1"]["code"] == "BPN"
