"""What a new user needs, what a password must be, and how a users CSV is read. Pure.

Rules:
- Every user has an email address (stored trimmed and lower case), a first and a last name and a
  role: support, school, mat, finance or provider.
- A school user belongs to one school (its 6-digit URN), a MAT user to one trust (its id), a
  provider user to one or more accredited providers (their ids); support and finance users to none.
  Fields that do not belong to the chosen role are ignored, so a form that still holds a hidden
  field's value does not make a user wrong.
- Passwords set through an invitation follow GOV.UK's guidance (NCSC): at least 12 characters and
  at most 256, not a commonly used password, not the person's email address; no composition rules.
- The users CSV (docs/design.md §12): ``email, first_name, last_name`` required; ``role`` optional
  (default ``provider``, so the provider-users file of §12 is read as it is), ``school_urn``,
  ``trust_id``, ``provider_code`` (several codes separated by ``;``). Every row is checked; a file
  with any error creates nobody.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from shared.contracts import roles
from shared.contracts.identifiers import email_error, urn_error

MIN_PASSWORD = 12
MAX_PASSWORD = 256
ROLE_LABELS = {roles.SUPPORT: "Support", roles.SCHOOL: "School", roles.MAT: "Multi-academy trust (MAT)",
               roles.FINANCE: "Finance", roles.PROVIDER: "Accredited provider"}
assert set(ROLE_LABELS) == set(roles.USER_ROLES)

#: The most common passwords of 12 characters or more in breach corpora (the check is case-blind).
COMMON_PASSWORDS = frozenset({
    "123456789012", "1234567890123", "12345678910", "password1234", "password12345", "passwordpassword",
    "qwertyuiopas", "qwertyuiop123", "qwerty123456", "123456123456", "111111111111", "000000000000",
    "abc123456789", "iloveyou1234", "letmein12345", "welcome12345", "administrator", "1q2w3e4r5t6y",
    "1qaz2wsx3edc", "qazwsxedcrfv", "zaq12wsxcde3", "football1234", "baseball1234", "princess1234",
    "sunshine1234", "trustno11234", "changeme1234", "passw0rd1234", "p@ssw0rd1234", "p@ssword1234",
    "qwertyuiopasdfgh", "asdfghjkl123", "monkey123456", "dragon123456", "master123456",
})


@dataclass(frozen=True)
class NewUser:
    email: str
    first_name: str
    last_name: str
    role: str
    school_urn: str | None = None
    trust_id: str | None = None
    provider_ids: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"email": self.email, "first_name": self.first_name, "last_name": self.last_name, "role": self.role,
                "school_urn": self.school_urn, "trust_id": self.trust_id, "provider_ids": list(self.provider_ids)}


def _text(value: Any, limit: int) -> str:
    return value.replace("\x00", "").strip()[:limit] if isinstance(value, str) else ""


def check_new_user(body: Mapping[str, Any], *, known_provider_ids: Iterable[str] | None = None
                   ) -> tuple[NewUser | None, list[dict[str, str]]]:
    """The user to invite, or the problems as ``{"message", "field"}`` in the form's order.
    ``known_provider_ids`` (when given) are the accredited providers a provider user may name."""
    errors: list[dict[str, str]] = []

    def refuse(message: str, name: str) -> None:
        errors.append({"message": message, "field": name})

    raw_email = _text(body.get("email"), 400)
    email = raw_email.lower()
    if not email:
        refuse("Enter an email address", "email")
    elif error := email_error(email):
        refuse(error, "email")
    first_name, last_name = _text(body.get("first_name"), 200), _text(body.get("last_name"), 200)
    if not first_name:
        refuse("Enter a first name", "first_name")
    elif len(first_name) > 100:
        refuse("First name must be 100 characters or fewer", "first_name")
    if not last_name:
        refuse("Enter a last name", "last_name")
    elif len(last_name) > 100:
        refuse("Last name must be 100 characters or fewer", "last_name")
    role = _text(body.get("role"), 20).lower()
    school_urn = trust_id = None
    provider_ids: tuple[str, ...] = ()
    if role not in roles.USER_ROLES:
        refuse("Select a role", "role")
    elif role == roles.SCHOOL:
        school_urn = _text(body.get("school_urn"), 40)
        if not school_urn:
            refuse("Enter the school’s URN", "school_urn")
        elif error := urn_error(school_urn):
            refuse(error, "school_urn")
    elif role == roles.MAT:
        trust_id = _text(body.get("trust_id"), 100)
        if not trust_id:
            refuse("Enter the trust’s ID", "trust_id")
        elif len(trust_id) > 64 or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", trust_id):
            refuse("Enter a trust ID in lower case letters, digits and hyphens, like northern-trust", "trust_id")
    elif role == roles.PROVIDER:
        given = body.get("provider_ids")
        values = given if isinstance(given, (list, tuple)) else ([given] if isinstance(given, str) else [])
        provider_ids = tuple(dict.fromkeys(v for v in (_text(x, 64) for x in values) if v))
        known = set(known_provider_ids) if known_provider_ids is not None else None
        if not provider_ids:
            refuse("Select at least one accredited provider", "provider_ids")
        elif known is not None and any(p not in known for p in provider_ids):
            refuse("Select an accredited provider from the list", "provider_ids")
    if errors:
        return None, errors
    return NewUser(email=email, first_name=first_name, last_name=last_name, role=role, school_urn=school_urn,
                   trust_id=trust_id, provider_ids=provider_ids), []


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why ``password`` may not be used, in the words of the "Create a password" pattern, or None."""
    if not password:
        return "Enter a password"
    if len(password) < MIN_PASSWORD:
        return f"Password must be {MIN_PASSWORD} characters or more"
    if len(password) > MAX_PASSWORD:
        return f"Password must be {MAX_PASSWORD} characters or fewer"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2 or (email and lowered == email.lower()):
        return "Enter a password that is harder to guess"
    return None


# ------------------------------------------------------------------------------ users CSV
CSV_REQUIRED = {"email": ("email_address",), "first_name": (), "last_name": ()}
CSV_OPTIONAL = {"role": (), "school_urn": ("urn",), "trust_id": ("trust",), "provider_code": ("provider_codes",)}
#: The form's words that name a control, as the CSV's column words.
CSV_WORDS = {"provider_ids": "Enter a provider code",
             "role": "Enter a valid role (support, school, mat, finance or provider)"}
CSV_HEADERS = ("email", "first_name", "last_name", "role", "school_urn", "trust_id", "provider_code")


def check_csv_rows(rows: Iterable[Any], *, providers_by_code: Mapping[str, str], existing_emails: set[str]
                   ) -> tuple[list[NewUser], list[dict[str, Any]]]:
    """Each CSV row (``number``, ``values`` by canonical header) as a new user, or every row's
    problems as ``{"message", "field", "row"}``. Provider codes are matched ignoring case."""
    users: list[NewUser] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row in rows:
        values = row.values
        role = (values.get("role") or roles.PROVIDER).strip().lower()
        codes = [c.strip().upper() for c in re.split(r"[;|]", values.get("provider_code") or "") if c.strip()]
        unknown = [c for c in codes if c not in providers_by_code]
        body = {**values, "role": role, "provider_ids": [providers_by_code[c] for c in codes if c not in unknown]}
        user, problems = check_new_user(body)
        if role == roles.PROVIDER and unknown:
            problems = [p for p in problems if p["field"] != "provider_ids"]
            problems.append({"message": f"Enter a valid provider code (‘{unknown[0]}’ is not an accredited provider)",
                             "field": "provider_code"})
            user = None
        for problem in problems:
            name = "provider_code" if problem["field"] == "provider_ids" else problem["field"]
            message = CSV_WORDS.get(problem["field"], problem["message"])
            errors.append({"message": message, "field": name, "row": row.number})
        if user is None:
            continue
        if user.email in existing_emails:
            errors.append({"message": f"A user with the email address ‘{user.email}’ already exists",
                           "field": "email", "row": row.number})
        elif user.email in seen:
            errors.append({"message": f"Enter each email address only once (‘{user.email}’ is also in row "
                                      f"{seen[user.email]})", "field": "email", "row": row.number})
        else:
            seen[user.email] = row.number
            users.append(user)
    return users, errors
