"""Settings of the sampling service (environment variables; built in the composition root)."""
from __future__ import annotations

from pydantic import Field

from shared.platform.settings import ServiceSettings


class SamplingSettings(ServiceSettings.for_service("sampling", port=8102)):
    #: Where people reach the gateway: download links in emails are ``{public_base_url}/links/{token}``.
    public_base_url: str = Field(default="http://127.0.0.1:8000", validation_alias="PUBLIC_BASE_URL")
    #: No longer used: reminders follow the weekly schedule of docs/design.md §12 (Mondays and
    #: Tuesdays at 10:00). Still accepted, so an environment that sets it keeps starting.
    reminder_days: int = Field(default=14, validation_alias="SAMPLING_REMINDER_DAYS")
    #: How often the reminder job looks for reminders that are due (seconds): a reminder goes at
    #: most this long after 10:00.
    reminder_interval_s: float = Field(default=60.0, validation_alias="SAMPLING_REMINDER_INTERVAL_S")
