"""The SQL adapters offer every method of the Protocols the payments use cases name (``ports.py``),
with the same parameters, so a handler written against a port runs on the real thing."""
from __future__ import annotations

import inspect

import pytest

from services.payments import ports
from services.payments.repository import ClaimProjection, ClawbackRepository, PaymentRepository, UploadRepository
from services.payments.unit_of_work import PaymentsUnitOfWork

pytestmark = pytest.mark.unit

ADAPTERS = [(ports.Claims, ClaimProjection), (ports.Payments, PaymentRepository), (ports.Uploads, UploadRepository),
            (ports.Clawbacks, ClawbackRepository), (ports.UnitOfWork, PaymentsUnitOfWork)]


def methods(cls) -> dict[str, list[str]]:
    return {name: list(inspect.signature(member).parameters) for name, member in vars(cls).items()
            if callable(member) and not name.startswith("_")}


@pytest.mark.parametrize("port, adapter", ADAPTERS, ids=[port.__name__ for port, _ in ADAPTERS])
def test_the_adapter_offers_every_method_of_its_port_with_the_same_parameters(port, adapter):
    for name, parameters in methods(port).items():
        assert hasattr(adapter, name), f"{adapter.__name__} has no {name}"
        assert list(inspect.signature(getattr(adapter, name)).parameters) == parameters, name


def test_the_unit_of_work_holds_each_repository_its_port_names():
    assert set(ports.UnitOfWork.__annotations__) == {"claims", "payments", "uploads", "clawbacks"}
    assert set(PaymentsUnitOfWork.__annotations__) >= {"claims", "payments", "uploads", "clawbacks"}
