"""What the sampling handlers depend on besides the unit of work: time and ids, injected so that
dates in emails and ids in tests are reproducible."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Callable

from shared.platform.clock import Clock, FixedClock, SystemClock  # noqa: F401 - re-exported


@dataclass
class Deps:
    clock: Clock = field(default_factory=SystemClock)
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
