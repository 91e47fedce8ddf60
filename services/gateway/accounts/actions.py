"""The users use cases shared by the JSON API and the pages: each takes the gateway's parts and
answers values or raises ``GatewayError`` with every problem (422) in the words of the form."""
from __future__ import annotations

from typing import Any, Mapping

from shared.contracts import roles
from shared.csvfiles import CsvRejected, read_csv_upload, write_csv

from ..clients import GatewayError, as_sent  # GatewayError is re-exported for the routes
from .rules import CSV_HEADERS, CSV_OPTIONAL, CSV_REQUIRED, check_csv_rows, check_new_user, password_problem
from .store import EmailTaken

EMAIL_TAKEN = "A user with this email address already exists"
EXPORT_HEADERS = ("email", "first_name", "last_name", "role", "school_urn", "trust_id", "provider_code", "active",
                  "password_set", "created_at")


async def providers(gw, actor) -> list[dict[str, Any]]:
    """The accredited providers (from claims), for provider users' ids and the CSV's codes."""
    return [as_sent(p) for p in (await gw.services.claims.list_providers(user=actor)).items]


async def invite_user(gw, actor, body: Mapping[str, Any]) -> dict[str, Any]:
    """Create a user and email their invitation: ``{"id", "email", "role"}``."""
    role = body.get("role") if isinstance(body.get("role"), str) else ""
    known = [p["id"] for p in await providers(gw, actor)] if role.strip().lower() == roles.PROVIDER else None
    new_user, errors = check_new_user(body, known_provider_ids=known)
    if errors:
        raise GatewayError(422, errors)
    try:
        return (await gw.accounts.create([new_user]))[0]
    except EmailTaken:
        raise GatewayError.one(422, EMAIL_TAKEN, field="email") from None


async def deactivate(gw, actor, user_id: int) -> dict[str, Any]:
    if user_id == actor.id:
        raise GatewayError.one(422, "You cannot deactivate your own account")
    found = await gw.accounts.deactivate(user_id)
    if found is None:
        raise GatewayError.one(404, "User not found")
    return found


async def invite_again(gw, user_id: int) -> dict[str, Any]:
    try:
        found = await gw.accounts.invite_again(user_id)
    except PermissionError as refused:
        raise GatewayError.one(422, str(refused)) from None
    if found is None:
        raise GatewayError.one(404, "User not found")
    return found


async def set_password(gw, token: str, password: str) -> dict[str, Any]:
    """Spend an invitation: 410 with the reason (``GatewayError`` carries it) when it cannot be used."""
    status, found = await gw.accounts.invitation(token)
    if status != "ok":
        raise gone(status)
    if problem := password_problem(password, email=found["email"]):
        raise GatewayError.one(422, problem, field="password")
    status, found = await gw.accounts.accept(token, password)
    if status != "ok":
        raise gone(status)
    return found


GONE = {
    "unknown": "This link is not valid. Ask the support team to send you a new invitation.",
    "used": "This link has already been used. If you have forgotten your password, ask the support team to "
            "send you a new invitation.",
    "expired": "This link has expired. Ask the support team to send you a new invitation.",
    "revoked": "This link no longer works. Use the link in the latest invitation, or ask the support team to "
               "send you a new one.",
}


GONE_TITLES = {"unknown": "This link is not valid", "used": "This link has already been used",
               "expired": "This link has expired", "revoked": "This link no longer works"}


def gone(status: str) -> GatewayError:
    error = GatewayError.one(410, GONE.get(status, GONE["unknown"]))
    error.reason = status  # type: ignore[attr-defined]
    return error


async def stage_import(gw, actor, data: bytes | None, file_name: str | None) -> dict[str, Any]:
    """Validate a users CSV whole and keep it pending: ``{"upload_id", "user_count"}`` or 422."""
    try:
        upload = read_csv_upload(data, file_name, required=CSV_REQUIRED, optional=CSV_OPTIONAL, max_rows=10_000)
    except CsvRejected as rejected:
        raise GatewayError(422, [_error(e) for e in rejected.errors]) from None
    by_code = {p["code"].upper(): p["id"] for p in await providers(gw, actor)}
    emails = {r.values.get("email", "").strip().lower() for r in upload.rows}
    new_users, errors = check_csv_rows(upload.rows, providers_by_code=by_code,
                                       existing_emails=await gw.accounts.existing_emails(emails))
    errors = [*(_error(e) for e in upload.row_errors), *errors]
    if errors:
        errors.sort(key=lambda e: e.get("row") or 0)
        raise GatewayError(422, errors[:100])
    upload_id = await gw.accounts.stage_import(new_users, file_name=(file_name or "users.csv")[:200], actor=actor.email)
    return {"upload_id": upload_id, "user_count": len(new_users)}


async def confirm_import(gw, upload_id: str) -> dict[str, Any]:
    from .rules import NewUser

    pending = await gw.accounts.pending_import(upload_id)
    if pending is None:
        raise GatewayError.one(404, "Upload not found")
    new_users = [NewUser(**{**row, "provider_ids": tuple(row["provider_ids"])}) for row in pending["rows"]]
    try:
        created = await gw.accounts.create(new_users, import_id=upload_id)
    except EmailTaken as taken:
        raise GatewayError.one(422, f"A user with the email address ‘{taken}’ already exists. Upload the file "
                                    "again without them.") from None
    return {"upload_id": upload_id, "created": len(created), "already_confirmed": pending["confirmed"]}


def _error(refused) -> dict[str, Any]:
    if isinstance(refused, dict):
        return refused
    error: dict[str, Any] = {"message": refused.message}
    if refused.row is not None:
        error["row"] = refused.row
    if refused.field is not None:
        error["field"] = refused.field
    return error


async def export_csv(gw, actor, *, q: str = "", role: str = "", active: bool | None = None) -> bytes:
    """Every user matching the filters as a CSV (formula-safe: ``write_csv``)."""
    code_of = {p["id"]: p["code"] for p in await providers(gw, actor)}
    rows = [{**u, "provider_code": ";".join(code_of.get(p, p) for p in u["provider_ids"]),
             "active": "yes" if u["active"] else "no", "password_set": "yes" if u["password_set"] else "no"}
            for u in await gw.accounts.all_users(q=q, role=role, active=active)]
    return write_csv(EXPORT_HEADERS, rows)


__all__ = ["CSV_HEADERS", "EMAIL_TAKEN", "confirm_import", "deactivate", "export_csv", "gone", "invite_again",
           "invite_user", "password_problem", "providers", "set_password", "stage_import"]
