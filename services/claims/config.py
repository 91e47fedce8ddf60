from __future__ import annotations

from pydantic import Field

from shared.platform.settings import ServiceSettings


class ClaimsSettings(ServiceSettings.for_service("claims", port=8101)):
    #: Every school page is a call here holding a connection, and a draft's change three in a row: at a window's
    #: close ten connections are in use at once, and a burst over the pool opens (and then closes) connections
    #: whose every statement is prepared again, which cost more CPU than the pages' queries (bench/school_peak.py).
    db_pool_size: int = 10
    #: Where the district → region table lives (docs/design.md §3); empty = the copy shipped with the service.
    regions_csv: str = Field(default="", validation_alias="CLAIMS_REGIONS_CSV")
    #: Where people reach the gateway: links in the schools' emails are ``{public_base_url}/claims/...``.
    public_base_url: str = Field(default="http://127.0.0.1:8000", validation_alias="PUBLIC_BASE_URL")
    #: How often the invalid-provider reminder job looks for schools to remind (seconds).
    reminder_interval_s: float = Field(default=3600.0, validation_alias="CLAIMS_REMINDER_INTERVAL_S")
