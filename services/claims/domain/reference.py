"""Claim references: 8 digits, zero padded, random (not guessable from order), unique (the
database's primary key decides; a clash draws again)."""
from __future__ import annotations

import random


def new_reference(rng: random.Random) -> str:
    return f"{rng.randrange(0, 100_000_000):08d}"


def is_reference(value: str) -> bool:
    return len(value) == 8 and value.isdigit()
