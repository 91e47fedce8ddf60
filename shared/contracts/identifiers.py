"""The identifiers people type, and the one check of each (docs/design.md §3; issue 26 item 5).

Rules:
- A claim reference is 8 digits 0–9 (zero padded). A TRN is 7 digits 0–9. A school URN is 6
  digits 0–9 (GIAS).
- Digits are the ASCII digits 0–9 only. Python's ``\\d``, ``str.isdigit()`` and ``isdecimal()``
  also accept full-width (``１２３``), Arabic-Indic (``١٢٣``) and other scripts' digits, which
  would be stored as given and never match the same number typed in ASCII; every check here
  therefore uses ``[0-9]`` explicitly.
- An id (uploads, statements, lead providers, claim windows, ...) is opaque: 1 to 100 ASCII
  letters, digits, ``-`` or ``_`` (a UUID, a hex id or a slug). Anything else names nothing.
- An email address is something, ``@``, something, ``.``, something, with no spaces and one ``@``,
  320 characters at most (the one shape check of every form, CSV, API and the email sender;
  delivery is the real test).
- Each ``*_error`` function returns the message to show, or ``None`` when the value is good; a
  value written in other digits is told to use 0 to 9 rather than that it is the wrong length.
"""
from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")
_REFERENCE = re.compile(r"[0-9]{8}")
_TRN = re.compile(r"[0-9]{7}")
_URN = re.compile(r"[0-9]{6}")
#: An id as a regular expression for an OpenAPI ``pattern`` (anchored: schemas match anywhere).
ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"
_ID = re.compile(ID_PATTERN[1:-1])
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

REFERENCE_LENGTH = 8
TRN_LENGTH = 7
URN_LENGTH = 6
ID_MAX_LENGTH = 100

TRN_MESSAGE = "Enter a teacher reference number (TRN) that is 7 digits long"
TRN_DIGITS_MESSAGE = "Enter the teacher reference number (TRN) using the digits 0 to 9"
URN_MESSAGE = "Enter a school URN that is 6 digits long"
URN_DIGITS_MESSAGE = "Enter the school URN using the digits 0 to 9"
REFERENCE_MESSAGE = "Enter a claim reference that is 8 digits long"
REFERENCE_DIGITS_MESSAGE = "Enter the claim reference using the digits 0 to 9"
EMAIL_MAX_LENGTH = 320
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"


def is_ascii_digits(value: str) -> bool:
    """One or more of 0–9 and nothing else (``"１２"`` and ``"١٢"`` are not)."""
    return _DIGITS.fullmatch(value) is not None


def is_reference(value: str) -> bool:
    return _REFERENCE.fullmatch(value) is not None


def is_trn(value: str) -> bool:
    return _TRN.fullmatch(value) is not None


def is_urn(value: str) -> bool:
    return _URN.fullmatch(value) is not None


def is_id(value: str) -> bool:
    return _ID.fullmatch(value) is not None


def is_email_address(value: str) -> bool:
    return len(value) <= EMAIL_MAX_LENGTH and _EMAIL.fullmatch(value) is not None


def email_error(value: str) -> str | None:
    return None if is_email_address(value) else EMAIL_MESSAGE


def is_other_digits(value: str) -> bool:
    """Digits, but not all of them 0–9: a full-width or another script's number."""
    return value.isdecimal() and not is_ascii_digits(value)


def _digits_error(value: str, good: bool, message: str, digits_message: str) -> str | None:
    if good:
        return None
    return digits_message if is_other_digits(value) else message


def trn_error(value: str) -> str | None:
    return _digits_error(value, is_trn(value), TRN_MESSAGE, TRN_DIGITS_MESSAGE)


def urn_error(value: str) -> str | None:
    return _digits_error(value, is_urn(value), URN_MESSAGE, URN_DIGITS_MESSAGE)


def reference_error(value: str) -> str | None:
    return _digits_error(value, is_reference(value), REFERENCE_MESSAGE, REFERENCE_DIGITS_MESSAGE)


def pad_reference(value: str) -> str:
    """A reference a spreadsheet shortened (``123456`` for ``00123456``) padded back; others as given."""
    if value and len(value) < REFERENCE_LENGTH and is_ascii_digits(value):
        return value.zfill(REFERENCE_LENGTH)
    return value
