"""The role names, spelled once (docs/design.md §1, §12).

A role travels from the gateway to the services in the ``x-actor-role`` header and in each
message's ``actor``; the services decide on it, so every side must spell it the same way.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

SUPPORT = "support"
SCHOOL = "school"
MAT = "mat"
FINANCE = "finance"
#: A user of an accredited provider (docs/design.md §12).
PROVIDER = "provider"
#: An ECF lead provider calling the v3 API with its token (not a signed-in user).
LEAD_PROVIDER = "lead_provider"
#: The service itself (scheduled work, messages without a person behind them).
SYSTEM = "system"

#: The roles a gateway user account can have today (the users table's check constraint).
USER_ROLES: tuple[str, ...] = (SUPPORT, SCHOOL, MAT, FINANCE, PROVIDER)
#: Who can submit a claim (support can only save drafts).
SUBMITTERS: frozenset[str] = frozenset({SCHOOL, MAT})
#: Who can read claims (a school its own, a trust its schools', support all).
CLAIM_READERS: tuple[str, ...] = (SUPPORT, SCHOOL, MAT)
#: Users who belong to neither a school nor a trust.
STAFF: tuple[str, ...] = (SUPPORT, FINANCE)

#: How a role is named in sentences ("You are signed in as a multi-academy trust user").
ROLE_NAMES: Mapping[str, str] = MappingProxyType({
    SUPPORT: "support", SCHOOL: "school", MAT: "multi-academy trust", FINANCE: "finance",
    PROVIDER: "accredited provider", LEAD_PROVIDER: "lead provider",
})
