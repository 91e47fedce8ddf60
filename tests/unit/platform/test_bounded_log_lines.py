"""A log line cannot grow with the data (issue 26, item 8): the message and the traceback are each
kept to their start and end around a count of what was left out."""
from __future__ import annotations

import json
import logging
import sys

import pytest

from shared.platform.logging import MAX_FIELD_CHARS, JsonFormatter, bounded

pytestmark = pytest.mark.unit


def _record(message: str, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("payments", logging.ERROR, __file__, 1, message, None, exc_info)


def test_a_7_mb_message_is_logged_in_a_bounded_line_that_keeps_its_start_and_end():
    message = "start " + "x" * 7_000_000 + " end"
    line = JsonFormatter().format(_record(message))
    assert len(line) < MAX_FIELD_CHARS + 1_000
    logged = json.loads(line)["msg"]
    assert logged.startswith("start ") and logged.endswith(" end")
    assert "… (6,984,010 characters left out) …" in logged


def test_a_traceback_of_a_huge_exception_keeps_the_exception_line_at_its_end():
    try:
        raise ValueError("boom " + "y" * 5_000_000 + " the end")
    except ValueError:
        line = JsonFormatter().format(_record("failed", sys.exc_info()))
    assert len(line) < MAX_FIELD_CHARS + 1_000
    exc = json.loads(line)["exc"]
    assert exc.startswith("Traceback") and exc.endswith(" the end")


def test_short_text_is_left_alone():
    assert bounded("a short message") == "a short message"
    assert bounded("x" * MAX_FIELD_CHARS) == "x" * MAX_FIELD_CHARS
