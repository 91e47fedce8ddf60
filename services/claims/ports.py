"""What the claims handlers depend on, as Protocols (the real adapters are SQL; tests may fake)."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Callable

from shared.platform.clock import Clock, FixedClock, SystemClock  # noqa: F401 - re-exported


@dataclass
class Deps:
    """Injected time, randomness and ids for handlers (reproducible in tests)."""

    clock: Clock = field(default_factory=SystemClock)
    rng: random.Random = field(default_factory=random.SystemRandom)
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
