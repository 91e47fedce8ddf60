"""Uploaded file names as they are stored and shown (shared.platform.filenames)."""
from __future__ import annotations

import pytest

from shared.platform.filenames import MAX_LENGTH, safe_file_name


@pytest.mark.parametrize("given, kept", [
    ("sample.csv", "sample.csv"),
    ("../../etc/passwd.csv", "passwd.csv"),
    ("C:\\Users\\ada\\Documents\\claims.csv", "claims.csv"),
    ("..\\..\\windows/system32\\x.csv", "x.csv"),
    ("report\nInjected: header.csv", "reportInjected: header.csv"),
    ("nul\x00byte\r.csv", "nulbyte.csv"),
    ("invoice\u202egpj.csv", "invoicegpj.csv"),  # a right-to-left override that would disguise the name
    ("  spaced.csv  ", "spaced.csv"),
    ("two%0Alines%0D.csv", "twolines.csv"),  # a browser's escapes for a new line in a multipart name
    ("%22quoted%22.csv", '"quoted".csv'),
    ("nul%00%1f.csv", "nul.csv"),
    ("100%25 done%20.csv", "100%25 done%20.csv"),  # other escapes are the name's own characters
    ("colour\x1b[31m.csv", "colour[31m.csv"),
    ("café.csv", "café.csv"),
])
def test_an_uploaded_file_name_keeps_only_its_base_name_without_control_characters(given, kept):
    assert safe_file_name(given) == kept


@pytest.mark.parametrize("given", [None, "", "   ", "\n\r\t", "../", "..", "a/b/", "\\", "...", "\x00\x01"])
def test_a_name_with_nothing_usable_left_gets_the_fallback(given):
    assert safe_file_name(given, fallback="provider-response.csv") == "provider-response.csv"


def test_a_long_name_is_cut_to_the_limit_and_keeps_its_extension():
    kept = safe_file_name("a" * 500 + ".csv")
    assert len(kept) == MAX_LENGTH and kept.endswith(".csv") and kept.startswith("aaa")
    assert safe_file_name("b" * 300) == "b" * MAX_LENGTH
    assert len(safe_file_name("x." + "y" * 300)) == MAX_LENGTH
