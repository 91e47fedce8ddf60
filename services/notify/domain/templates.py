"""Email templates: plain-English files with a subject line and a body holding ``((placeholders))``.

Rules:
- A template file (``templates/<name>.md``) starts with ``Subject: ...``, then a blank line, then
  the body. Placeholders are written ``((name))``, as in GOV.UK Notify.
- Every placeholder must be given a non-blank value, except the service-wide ones (``product_name``,
  ``support_email``) which come from settings. A missing or blank value, or a value in the wrong
  form, is a permanent failure listing every problem at once: the sender has a bug, and sending
  an email with a hole in it would be worse than not sending it.
- Values are shown the way the DfE service shows them, by the placeholder's name:
  ``*_date`` / ``*_on``: an ISO date (``2026-12-14``), shown ``14 December 2026``;
  ``*_amount``: a decimal amount in pounds (``1072.5``), shown ``£1,072.50``;
  ``*_count``: a whole number, shown with its noun (``claim_count`` 1 → ``1 claim``, 3 → ``3 claims``);
  ``link`` / ``*_link``: an http(s) URL, shown as it is; anything else: the text as given.
- Unknown extra values are ignored (a newer sender may pass more than an older template uses).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Mapping

from shared.contracts.identifiers import is_ascii_digits

PLACEHOLDER = re.compile(r"\(\(([a-z][a-z0-9_]*)\)\)")
#: Filled from settings, never required from the sender.
SERVICE_WIDE = frozenset({"product_name", "support_email"})


class TemplateError(ValueError):
    """A notification that cannot be rendered (unknown template, missing or malformed values)."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@dataclass(frozen=True)
class Template:
    name: str
    subject: str
    body: str

    @classmethod
    def parse(cls, name: str, text: str) -> "Template":
        first, sep, rest = text.replace("\r\n", "\n").partition("\n")
        if not first.startswith("Subject:") or not sep:
            raise TemplateError(f"template {name!r} must start with a 'Subject:' line")
        body = rest.lstrip("\n").rstrip() + "\n"
        return cls(name=name, subject=first[len("Subject:"):].strip(), body=body)

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Every placeholder, in order of first appearance."""
        found = PLACEHOLDER.findall(self.subject + "\n" + self.body)
        return tuple(dict.fromkeys(found))

    @property
    def required(self) -> tuple[str, ...]:
        """What a sender must pass in ``personalisation``."""
        return tuple(p for p in self.placeholders if p not in SERVICE_WIDE)

    def render(self, personalisation: Mapping[str, str], service_wide: Mapping[str, str]) -> Rendered:
        values: dict[str, str] = {}
        problems: list[str] = []
        for key in self.required:
            raw = personalisation.get(key)
            if raw is None or not str(raw).strip():
                problems.append(f"'{key}' is missing")
                continue
            try:
                values[key] = format_value(key, str(raw).strip())
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise TemplateError(f"cannot fill template {self.name!r}: " + "; ".join(problems))
        values.update({k: v for k, v in service_wide.items() if k in SERVICE_WIDE})

        def fill(text: str) -> str:
            return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

        return Rendered(subject=fill(self.subject), body=fill(self.body))


def format_value(key: str, value: str) -> str:
    """Show one value the way the service shows it (see the module rules)."""
    if key.endswith("_date") or key.endswith("_on"):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{key}' must be a date like 2026-12-14, not {value!r}") from None
        return f"{day.day} {day:%B %Y}"
    if key.endswith("_amount"):
        try:
            amount = Decimal(value.replace(",", "").removeprefix("£"))
        except InvalidOperation:
            raise ValueError(f"'{key}' must be an amount like 1072.00, not {value!r}") from None
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"'{key}' must be an amount in pounds and pence, not {value!r}")
        return f"£{amount.quantize(Decimal('0.01')):,}"
    if key.endswith("_count"):
        if not is_ascii_digits(value):
            raise ValueError(f"'{key}' must be a whole number, not {value!r}")
        count = int(value)
        noun = key[: -len("_count")].replace("_", " ")
        return f"{count} {noun}" + ("" if count == 1 else "s")
    if key == "link" or key.endswith("_link"):
        if not re.fullmatch(r"https?://\S+", value):
            raise ValueError(f"'{key}' must be a web address starting https://, not {value!r}")
    return value


class Catalogue:
    """The templates this service can send, by name."""

    def __init__(self, templates: Mapping[str, Template]) -> None:
        self._templates = dict(templates)

    @classmethod
    def from_texts(cls, texts: Mapping[str, str]) -> "Catalogue":
        return cls({name: Template.parse(name, text) for name, text in texts.items()})

    def names(self) -> list[str]:
        return sorted(self._templates)

    def get(self, name: str) -> Template:
        try:
            return self._templates[name]
        except KeyError:
            raise TemplateError(f"unknown template {name!r} (known: {', '.join(self.names())})") from None

    def render(self, name: str, personalisation: Mapping[str, str], service_wide: Mapping[str, str]) -> Rendered:
        return self.get(name).render(personalisation, service_wide)
