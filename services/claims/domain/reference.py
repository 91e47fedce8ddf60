"""Claim references: 8 digits 0–9, zero padded, random (not guessable from order), unique (the
database's primary key decides; a clash draws again). The check is the shared one."""
from __future__ import annotations

import random

from shared.contracts.identifiers import is_reference

__all__ = ["is_reference", "new_reference"]


def new_reference(rng: random.Random) -> str:
    return f"{rng.randrange(0, 100_000_000):08d}"
