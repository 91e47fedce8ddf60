"""Sampling's claims projection reads a ``ClaimStatusesChanged`` from its changes directly: each
change must be projected exactly as the ``ClaimStatusChanged`` it stands for would be."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from services.sampling.handlers.projection import handle_status_changed, handle_statuses_changed
from shared.contracts import Actor, ClaimStatusesChanged, ProviderResponseRecorded, StatusChangeItem


def _uow() -> SimpleNamespace:
    return SimpleNamespace(projection=SimpleNamespace(batch=SimpleNamespace(status_changes=[])))


@pytest.mark.parametrize("caused_by, reason", [("ClaimSampled", None),
                                               (ProviderResponseRecorded.__name__, "Mentor John Smith: no record"),
                                               (ProviderResponseRecorded.__name__, None),
                                               ("SupportRejected", "Not eligible")])
async def test_a_batch_projects_as_its_single_changes_do(caused_by, reason):
    message = ClaimStatusesChanged(caused_by=caused_by, reason=reason, actor=Actor(email="s@example.com", role="support"),
                                   changes=tuple(StatusChangeItem(
                                       reference=f"{n:08d}", from_status="paid", to_status="sampling_in_progress",
                                       caused_by_event_id=f"e{n}", provider_id="p1", amount=Decimal("107.20"))
                                       for n in range(3)))
    batch, singles = _uow(), _uow()
    await handle_statuses_changed(message, batch)
    for change in message.items():
        await handle_status_changed(change, singles)
    assert batch.projection.batch.status_changes == singles.projection.batch.status_changes
    assert [row["ref"] for row in batch.projection.batch.status_changes] == ["00000000", "00000001", "00000002"]
    expected_comment = reason if caused_by == ProviderResponseRecorded.__name__ else None
    assert {row["comment"] for row in batch.projection.batch.status_changes} == {expected_comment}
