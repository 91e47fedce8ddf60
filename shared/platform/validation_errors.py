"""Request validation errors in plain words: FastAPI/pydantic's errors as ``{"message", "field"}``.

Users of the JSON API never see the framework's wording ("Field required", "Input should be a
valid integer", "Value error, ...", a Python class name): each error says what to do and names the
field. Known fields have their own words (hours, dates, sort, money, the uploaded file); any other
field gets a sentence built from the error's type and the field's name; an error type not known
here gets "Enter a valid ..." rather than the framework's text. Used by the gateway and by every
service's error handler (``shared.platform.service``), so a service's refusal passed through the
gateway reads the same.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

_LOCATIONS = {"body", "query", "path", "header", "cookie", "form"}
SELECT_A_FILE = "Select a CSV file to upload"
DATE_FORMAT = "Enter a date in the format 2026-12-31"
_MONEY_PATTERN = r"^-?\d+(\.\d{1,2})?$"
#: Words for a field, used in the generic sentences ("Enter the school URN").
LABELS = {
    "email": "your email address", "password": "your password", "user_email": "the email address",
    "school_urn": "the school URN", "urn": "the school URN", "provider_id": "the provider",
    "trn": "the teacher reference number (TRN)", "full_name": "the mentor's full name", "hours": "the number of hours",
    "mentors": "the mentors", "page": "the page number", "per_page": "the number of results per page",
    "academic_year": "the academic year", "claim_window_id": "the claim window", "reference": "the claim reference",
    "q": "what to search for", "name": "the name", "code": "the code", "email_addresses": "the email addresses",
    "amount": "the amount", "description": "the description", "cohort": "the cohort",
}
#: What a field must look like when its own words are better than the generic ones.
_FORMATS = {"hours": "Enter the number of hours as a whole number"}


def plain_errors(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``{"message", "field"?}`` for each of pydantic's errors (``RequestValidationError.errors()``,
    or the ``detail`` list of a FastAPI 422 body)."""
    out: list[dict[str, Any]] = []
    for error in errors:
        item = plain_error(error)
        if item not in out:
            out.append(item)
    return out


def plain_error(error: dict[str, Any]) -> dict[str, Any]:
    loc = [p for p in error.get("loc", ()) if p not in _LOCATIONS]
    if error.get("type") == "json_invalid":  # its location is a character position, not a field
        loc = []
    field = ".".join(str(p) for p in loc)
    name = next((str(p) for p in reversed(loc) if not isinstance(p, int)), "")
    out: dict[str, Any] = {"message": _message(error, name, field)}
    if out["message"] == SELECT_A_FILE and name == "file":
        field = "file"  # one of several ``file`` parts ("file.0") is still the form's file field
    if field:
        out["field"] = field
    return out


def _label(name: str) -> str:
    return LABELS.get(name) or (f"the {name.replace('_', ' ')}" if name else "a value")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _options(pattern: str) -> list[str] | None:
    """The alternatives of a pattern such as ``^(reference|school_name)$``, if it is one."""
    found = re.fullmatch(r"\^\(?((?:[\w-]+\|)*[\w-]+)\)?\$", pattern or "")
    return found.group(1).split("|") if found else None


def _message(error: dict[str, Any], name: str, field: str) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    label = _label(name)
    msg = str(error.get("msg", ""))
    if name == "file" or "UploadFile" in msg:
        return SELECT_A_FILE
    if kind in ("json_invalid", "json_type"):
        return "Send the request body as valid JSON"
    if not field and kind in ("model_attributes_type", "model_type", "dict_type"):
        return "Send the request body as a JSON object"
    if kind == "missing":
        return f"Enter {label}"
    if kind == "extra_forbidden":
        return f"Remove {field or 'the extra field'}: this request does not accept it"
    if name in _FORMATS and kind.startswith(("int_", "float_", "decimal_", "greater", "less", "multiple")):
        return _FORMATS[name] if kind.startswith(("int_", "float_", "decimal_")) else _range(label, kind, ctx)
    if kind.startswith(("date_", "datetime_", "time_")):
        return DATE_FORMAT if kind.startswith("date_") else "Enter a date and time in the format 2026-12-31T09:30:00Z"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"Enter {label} as a whole number"
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return f"Enter {label} as a number"
    if kind in ("bool_parsing", "bool_type"):
        return f"Enter {label} as true or false"
    if kind.startswith(("greater_than", "less_than")):
        return _range(label, kind, ctx)
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        return f"Enter {label}" if minimum <= 1 else f"{_capital(label)} must be {minimum} characters or more"
    if kind == "string_too_long":
        return f"{_capital(label)} must be {ctx.get('max_length')} characters or fewer"
    if kind in ("too_long", "too_short"):
        limit = ctx.get("max_length") if kind == "too_long" else ctx.get("min_length")
        return f"{_capital(label)} can have at {'most' if kind == 'too_long' else 'least'} {limit} entries"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if pattern == _MONEY_PATTERN:
            return f"Enter {label} in pounds and pence, like 1250.00 or -250.00"
        options = _options(pattern)
        if options and name == "sort":
            return f"Sort by one of: {', '.join(options)}"
        if options and name == "order":
            return "Order by asc or desc"
        if options:
            return f"{_capital(label)} must be one of: {', '.join(options)}"
        return f"Enter {label} using only letters, numbers, hyphens and underscores"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"{_capital(label)} must be one of: {expected}" if expected else f"Enter a valid value for {label}"
    if kind in ("string_type", "string_unicode"):
        return f"Enter {label} as text"
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"Give {label} as a list"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"Give {label} as an object with its fields"
    if kind in ("value_error", "assertion_error"):
        own = re.sub(r"^(Value error|Assertion failed), ", "", msg)
        if own and own != msg and not _framework(own):
            return own  # our own validators' words
    return f"Enter a valid value for {label}"


def _range(label: str, kind: str, ctx: dict[str, Any]) -> str:
    bound = next((ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx), None)
    words = {"greater_than_equal": "or more", "greater_than": "more than", "less_than_equal": "or less",
             "less_than": "less than"}
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{_capital(label)} must be {bound} {words[kind]}"
    return f"{_capital(label)} must be {words.get(kind, 'within range')} {bound}"


_FRAMEWORK = re.compile(r"Field required|Input should|Value error|Extra inputs|String should|<class '|"
                        r"validation error|pydantic|type=")


def _framework(text: str) -> bool:
    return bool(_FRAMEWORK.search(text))
