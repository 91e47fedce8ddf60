"""What the school and trust pages share (docs/design.md §11): which school the user is acting for, the claim
windows, and a claims service refusal turned into GOV.UK errors on the page's fields.

A school user acts for their school. A MAT user chooses one of the trust's schools ("Change
organisation"); the choice is kept in a cookie and checked with the claims service on every page
(which scopes every call to the trust anyway), so a changed cookie reaches nothing new.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import Request

from shared.contracts import roles
from shared.contracts.identifiers import urn_error

from ..auth import page_role
from ..clients import Downstream, GatewayError, as_sent
from ..context import Gateway
from ..users import User

CLAIMANT = page_role(roles.SCHOOL, roles.MAT)
SCHOOL_COOKIE = "cf_school"


class ChooseOrganisation(Exception):
    """A MAT user has not chosen a school yet: the page redirects to "Change organisation"."""


@dataclass
class Acting:
    user: User
    school: dict[str, Any]
    #: What the page asked ``acting_for`` for besides the school (``claim``, ``allowances``, ``providers``,
    #: ``windows``), as the claims service sent it.
    page: dict[str, Any] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return self.school["urn"]


def acting_urn(request: Request, user: User) -> str:
    """The school the user acts for (a MAT user's choice, from the cookie), not yet checked."""
    urn = user.school_urn if user.role == roles.SCHOOL else request.cookies.get(SCHOOL_COOKIE, "")
    if not urn or urn_error(urn):
        raise ChooseOrganisation()
    return urn


async def acting_for(request: Request, user: User, gw: Gateway, *, claim: str | None = None,
                     allowances: bool = False, providers: bool = False, windows: bool = False) -> Acting:
    """The school the user acts for, checked with the claims service, and in the same call what the page
    needs besides (one internal call a page: ``claim``, its mentors' ``allowances``, ``providers``, ``windows``)."""
    urn = acting_urn(request, user)
    try:
        found = as_sent(await gw.services.claims.school_page(urn, claim=claim, allowances=allowances,
                                                             providers=providers, windows=windows, user=user))
    except Downstream as exc:
        school_unknown = not any(e.get("field") == "reference" for e in exc.errors)
        if exc.status == 404 and user.role == roles.MAT and school_unknown:
            raise ChooseOrganisation() from None
        raise
    school = found.pop("school")
    return Acting(user, school, {k: v for k, v in found.items() if v is not None})


async def windows(gw: Gateway, user: User) -> list[dict[str, Any]]:
    return as_sent(await gw.services.claims.list_claim_windows(user=user))["items"]


def window_state(items: list[dict[str, Any]], today: date | None = None) -> dict[str, Any]:
    """The current window and the next one (the home page says "You can claim until …" or "Claims are closed")."""
    today = today or date.today()
    current = next((w for w in items if w.get("current")), None)
    later = sorted((w for w in items if date.fromisoformat(w["starts_on"]) > today), key=lambda w: w["starts_on"])
    return {"current": current, "next": later[0] if later else None}


async def providers(gw: Gateway, user: User) -> list[dict[str, Any]]:
    return as_sent(await gw.services.claims.list_providers(user=user))["items"]


#: Which field of a page a claims-service refusal belongs to (its ``field``), else the page's own.
def errors_for(exc: GatewayError, *, fields: dict[str, str], default: str) -> list[dict[str, str]]:
    return [{"text": e["message"], "href": "#" + fields.get(e.get("field") or "", default)} for e in exc.errors]


def field_errors(errors: list[dict[str, str]]) -> dict[str, str]:
    """Field id → the first message for it (what each field's ``errorMessage`` shows)."""
    found: dict[str, str] = {}
    for e in errors:
        found.setdefault(e["href"].lstrip("#"), e["text"])
    return found


def mentor_names(summary: dict[str, Any]) -> list[str]:
    """The names in a claim summary's ``mentor_names`` ("1234567 Ada Lovelace; 7654321 Grace Hopper")."""
    names = []
    for part in (summary.get("mentor_names") or "").split("; "):
        trn, _, name = part.partition(" ")
        if name:
            names.append(name)
    return names
