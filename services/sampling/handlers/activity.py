"""How sampling signs what it logs: the service's name on activity entries and links, and how many
claims one entry may list."""
from __future__ import annotations

SERVICE = "sampling"
#: An activity entry lists its claims only up to this many (the claim pages find it by them);
#: beyond it one message would grow past a megabyte, so a huge upload is logged without them.
MAX_ACTIVITY_REFERENCES = 10_000
