"""One handler shape in every service (docs/design.md "Every service has the same shape"): each
public use case in ``services/<name>/handlers`` is ``async def handle_x(message, uow, clock, *, ...)``:
the command or message first, the unit of work second, the clock third, anything else by keyword.
These tests fail when a handler drifts from it again. The ECF engine (``services/payments/ecf``)
keeps its own shape and is not scanned."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("claims", "sampling", "notify", "payments")
POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _handlers() -> list[tuple[str, object]]:
    found = []
    for service in SERVICES:
        package = importlib.import_module(f"services.{service}.handlers")
        for module_info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{module_info.name}")
            if ".ecf" in module.__name__:
                continue
            found += [(f"{module.__name__}.{name}", member) for name, member in vars(module).items()
                      if name.startswith("handle_") and inspect.isfunction(member)
                      and member.__module__ == module.__name__]
    return found


HANDLERS = _handlers()


def test_every_service_has_handlers_to_check():
    assert {name.split(".")[1] for name, _ in HANDLERS} == set(SERVICES)


@pytest.mark.parametrize("name, handler", HANDLERS, ids=[name for name, _ in HANDLERS])
def test_a_handler_takes_its_message_the_unit_of_work_and_the_clock_then_keywords(name, handler):
    assert inspect.iscoroutinefunction(handler), f"{name} is not async"
    parameters = list(inspect.signature(handler).parameters.values())
    assert len(parameters) >= 3, f"{name} takes {[p.name for p in parameters]}"
    first, uow, clock, *rest = parameters
    assert all(p.kind in POSITIONAL for p in (first, uow, clock)), f"{name}: the first three are positional"
    assert first.name not in ("uow", "clock"), f"{name}: the command or message comes first"
    assert (uow.name, clock.name) == ("uow", "clock"), f"{name} takes ({first.name}, {uow.name}, {clock.name}, …)"
    assert all(p.kind == inspect.Parameter.KEYWORD_ONLY for p in rest), \
        f"{name}: what else it needs comes by keyword, not {[p.name for p in rest]}"


def test_no_handler_reads_the_system_time_it_is_given_a_clock():
    reads = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time)\(")
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for service in SERVICES for path in sorted((ROOT / "services" / service / "handlers").rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if reads.search(line)]
    assert offenders == []
