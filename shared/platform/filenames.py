"""The name an uploaded file is kept and shown under: what the person's computer called it, made safe.

Rules: the escapes clients write in a multipart file name for control characters and quotes
(``%0A``, ``%0D``, ``%22`` by HTML's form encoding, ``%00``–``%1F`` by some clients) are read back
first; only the base name is kept (a path is cut at the last ``/`` or ``\\``); control and other
invisible formatting characters (new lines, NUL, right-to-left overrides) are removed; white space
is trimmed; a name that is only dots is no name; the name is cut to ``MAX_LENGTH`` characters
keeping its extension; when nothing is left the caller's fallback is used. Pages still escape it
(the templates autoescape): this is about what is stored, logged and put in headers.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_LENGTH = 100
#: Longest extension kept whole when a name is cut (".csv", ".xlsx", ".tar.gz" tails).
_MAX_EXTENSION = 10
_CLIENT_ESCAPES = re.compile(r"%(?:[01][0-9A-F]|22)", re.IGNORECASE)


def safe_file_name(name: str | None, *, fallback: str = "upload.csv", max_length: int = MAX_LENGTH) -> str:
    """``name`` as it may be stored and shown, or ``fallback`` when nothing usable is left."""
    base = _CLIENT_ESCAPES.sub(lambda m: chr(int(m.group(0)[1:], 16)), name or "")
    base = re.split(r"[/\\]", base)[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C")
    base = base.strip()
    if not base.strip("."):
        return fallback
    if len(base) > max_length:
        stem, dot, extension = base.rpartition(".")
        if dot and stem and len(extension) < _MAX_EXTENSION:
            base = stem[:max_length - len(extension) - 1].rstrip() + "." + extension
        else:
            base = base[:max_length].rstrip()
    return base


def attachment(name: str) -> str:
    """A ``Content-Disposition`` value for downloading a file kept under a name people gave it: an
    ASCII name for every client (other characters as ``_``) and the exact name (RFC 6266 ``filename*``)."""
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name) or "download.csv"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
