"""pydantic's validation errors in plain words naming the field (shared.platform.validation_errors)."""
from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.platform.validation_errors import plain_errors

FRAMEWORK = re.compile(r"Field required|Input should|Value error|Extra inputs|String should|<class '")


class Mentor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trn: str = Field(pattern=r"^\d{7}$")
    hours: int = Field(ge=1, le=20)


class Claim(BaseModel):
    model_config = ConfigDict(extra="forbid")
    school_urn: str = Field(max_length=6)
    starts_on: date
    sort: str = Field(default="reference", pattern="^(reference|school_name|amount)$")
    amount: str = Field(default="0.00", pattern=r"^-?\d+(\.\d{1,2})?$")
    kind: Literal["a", "b"] = "a"
    mentors: list[Mentor] = []
    note: str = ""

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("Remove the invalid characters")
        return value


def errors_for(data) -> list[dict]:
    try:
        Claim.model_validate(data)
    except ValidationError as exc:
        return plain_errors([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])
    raise AssertionError("expected errors")


VALID = {"school_urn": "100001", "starts_on": "2026-09-01"}


def test_each_framework_error_becomes_a_plain_sentence_naming_the_field():
    assert errors_for({"starts_on": "2026-09-01"}) == [{"message": "Enter the school URN", "field": "school_urn"}]
    assert errors_for({**VALID, "starts_on": "31/12/2026"}) == [
        {"message": "Enter a date in the format 2026-12-31", "field": "starts_on"}]
    assert errors_for({**VALID, "sort": "password"}) == [
        {"message": "Sort by one of: reference, school_name, amount", "field": "sort"}]
    assert errors_for({**VALID, "amount": "1e309"}) == [
        {"message": "Enter the amount in pounds and pence, like 1250.00 or -250.00", "field": "amount"}]
    assert errors_for({**VALID, "mentors": [{"trn": "1234567", "hours": "ten"}]}) == [
        {"message": "Enter the number of hours as a whole number", "field": "mentors.0.hours"}]
    assert errors_for({**VALID, "mentors": [{"trn": "1234567", "hours": 21}]}) == [
        {"message": "The number of hours must be 20 or less", "field": "mentors.0.hours"}]
    assert errors_for({**VALID, "surprise": 1}) == [
        {"message": "Remove surprise: this request does not accept it", "field": "surprise"}]
    assert errors_for({**VALID, "note": "a\x00b"}) == [{"message": "Remove the invalid characters", "field": "note"}]
    assert errors_for({**VALID, "kind": "c"}) == [{"message": "The kind must be one of: a, b", "field": "kind"}]
    assert errors_for({**VALID, "school_urn": "1234567"}) == [
        {"message": "The school URN must be 6 characters or fewer", "field": "school_urn"}]


def test_no_error_of_any_kind_keeps_the_frameworks_words():
    bad = [{}, [], "text", {**VALID, "mentors": "x"}, {**VALID, "mentors": [{"trn": 5, "hours": None, "x": 1}]},
           {**VALID, "school_urn": 7, "starts_on": 1.5, "kind": None, "note": 3}]
    for data in bad:
        for error in errors_for(data):
            assert not FRAMEWORK.search(error["message"]), error


def test_an_upload_whose_file_is_text_is_asked_to_select_a_file():
    error = {"type": "value_error", "loc": ("body", "file"), "msg": "Value error, Expected UploadFile, received: "
                                                                    "<class 'str'>", "input": "abc"}
    assert plain_errors([error]) == [{"message": "Select a CSV file to upload", "field": "file"}]


def test_an_unknown_error_type_still_names_the_field_in_plain_words():
    error = {"type": "something_new", "loc": ("query", "per_page"), "msg": "Input should be a frobnicated thing"}
    assert plain_errors([error]) == [{"message": "Enter a valid value for the number of results per page",
                                      "field": "per_page"}]
